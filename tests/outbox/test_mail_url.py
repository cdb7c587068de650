"""MAIL_URL as a clinic writes it, and the reasons the sender stores: short, and never an address."""

from __future__ import annotations

import pytest

from screening.outbox.settings import MailSettingError, MailUrl, parse_mail_url
from screening.outbox.smtp import Permanent, Temporary, clean_reason, from_reply


@pytest.mark.parametrize(("url", "expected"), [
    ("smtp://127.0.0.1", MailUrl("plain", "127.0.0.1", 25, None, None)),
    ("smtp://localhost:1025", MailUrl("plain", "localhost", 1025, None, None)),
    ("smtp+starttls://user:secret@mail.clinic.example",
     MailUrl("starttls", "mail.clinic.example", 587, "user", "secret")),
    ("smtp+starttls://u:s@mail.clinic.example:2525", MailUrl("starttls", "mail.clinic.example", 2525, "u", "s")),
    ("smtps://forms%40clinic.example:p%40ss%2Fw@smtp.example.net",
     MailUrl("tls", "smtp.example.net", 465, "forms@clinic.example", "p@ss/w")),
    ("smtps://apikey@smtp.example.net:465", MailUrl("tls", "smtp.example.net", 465, "apikey", None)),
])
def test_mail_url_forms(url, expected):
    assert parse_mail_url(url) == expected


@pytest.mark.parametrize("url", [
    "http://mail.clinic.example", "smtp://", "smtp:///nohost", "mail.clinic.example:25", "smtp://host:99999",
    "smtp://host:port", "smtps+starttls://host", "",
])
def test_mail_url_refuses_what_it_cannot_use(url):
    with pytest.raises(MailSettingError, match="MAIL_URL"):
        parse_mail_url(url)


def test_mail_url_never_shows_its_password():
    parsed = parse_mail_url("smtps://user:hunter2secret@smtp.example.net")
    assert "hunter2secret" not in repr(parsed) and "hunter2secret" not in str(parsed)


@pytest.mark.parametrize(("code", "text", "kind", "reason"), [
    (451, b"4.3.0 Try again later", Temporary, "451 4.3.0 Try again later"),
    (421, b"4.7.0 mx.example.net closing\r\n connection", Temporary, "421 4.7.0 mx.example.net closing connection"),
    (452, b"4.2.2 <pat@example.org>: mailbox full", Temporary, "452 4.2.2 <[address]>: mailbox full"),
    (550, b"5.1.1 pat@example.org... User unknown", Permanent, "550 5.1.1 [address] User unknown"),
    (554, b"5.7.1 Rejected: \xff spam", Permanent, "554 5.7.1 Rejected: \ufffd spam"),
    (354, b"unexpected", Temporary, "354 unexpected"),
])
def test_replies_become_short_reasons_without_addresses(code, text, kind, reason):
    error = from_reply(code, text)
    assert type(error) is kind and error.reason == reason


def test_a_long_reason_is_cut_to_one_short_line():
    reason = clean_reason("451 " + "x" * 500 + "\nsecond line")
    assert len(reason) == 200 and "\n" not in reason and reason.endswith("…")
