"""Every email a patient can get: no health information anywhere in it, plain words (grade 8
or lower), the patient's own link, and a stop-reminders link."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from screening.invitations import hash_token
from screening.models import Invitation, OutboxMessage
from screening.outbox.compose import Ready, compose
from screening.outbox.queue import enqueue
from tests.test_readability import MAX_GRADE, fk_grade, split_sentences

# Words that would tell anyone reading over a shoulder, or a mail provider, why the clinic
# writes: the medicine, what it treats, anything clinical. Matched at the start of a word.
HEALTH_WORDS = (
    "ldn", "naltrexone", "opioid", "opiate", "medicine", "medication", "drug", "prescri", "dose", "pill",
    "tablet", "condition", "pain", "health", "symptom", "pregnan", "liver", "thyroid", "mood", "depress",
    "anxi", "alcohol", "screening", "treat", "therap", "diagnos", "clinical", "doctor", "patient", "addict",
    "withdraw", "fibromyalgia", "covid", "menopaus", "autoimmun", "illness", "disease",
)
NOW = datetime.now(UTC)


class _Visible(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.parts.extend(value or "" for name, value in attrs if name in ("href", "title", "alt"))


# A link's random token can hold any letters ("…-LDNq…"): links are checked on their own
# (the site's address and path, below), their tokens are not words.
TOKEN = re.compile(r"(/(?:i|c|reminders/stop(?:-checkins)?/\d+)/)[\w-]+")


def health_words(text: str) -> list[str]:
    words = TOKEN.sub(r"\1", text)
    return sorted({word for word in HEALTH_WORDS if re.search(rf"\b{word}", words, re.IGNORECASE)})


def _compose(app, invitation_id: int, kind: str):  # type: ignore[no-untyped-def]
    with app.app_context(), app.extensions["db"].write() as session:
        row = session.scalar(select(OutboxMessage).where(OutboxMessage.invitation_id == invitation_id,
                                                         OutboxMessage.kind == kind))
        if row is None:
            row = enqueue(session, kind, f"{kind}:test", invitation_id, domain="clinic.example")
        composed = compose(session, row, app.extensions["mail"], NOW)
        assert isinstance(composed, Ready), composed
        return row.message_id, composed


VARIANTS = [
    (kind, appointment, contact)
    for kind in ("invitation", "reminder", "new_link")
    for appointment in (None, date.today() + timedelta(days=10))
    for contact in ("020 7946 0000", "")
]


@pytest.fixture(params=VARIANTS, ids=lambda v: f"{v[0]}-{'appointment' if v[1] else 'no-date'}-"
                                              f"{'contact' if v[2] else 'no-contact'}")
def message(request, mail_app, invite):  # type: ignore[no-untyped-def]
    kind, appointment, contact = request.param
    mail_app.extensions["mail"] = replace(mail_app.extensions["mail"], clinic_contact=contact)
    invitation_id, token = invite(appointment=appointment)
    message_id, composed = _compose(mail_app, invitation_id, kind)
    return kind, token, message_id, composed


def parts(composed: Ready) -> tuple[str, str]:
    text = composed.message.get_body(("plain",)).get_content()
    html = composed.message.get_body(("html",)).get_content()
    visible = _Visible()
    visible.feed(html)
    return text, " ".join(visible.parts)


def test_no_email_says_anything_about_health(message) -> None:  # type: ignore[no-untyped-def]
    _kind, _token, _id, composed = message
    text, html = parts(composed)
    assert health_words(str(composed.message["Subject"])) == []
    assert health_words(text) == [] and health_words(html) == []


def test_every_email_reads_at_grade_8_or_lower(message) -> None:  # type: ignore[no-untyped-def]
    text, _html = parts(message[3])
    prose = [s for s in split_sentences(text) if "://" not in s]
    assert fk_grade(prose) <= MAX_GRADE, prose


def test_every_email_carries_the_patients_own_link_and_a_stop_link(mail_app, message) -> None:  # type: ignore[no-untyped-def]
    _kind, token, _id, composed = message
    text, html = parts(composed)
    link = f"https://forms.clinic.example/i/{token}"
    assert link in text and link in html
    stop = re.search(r"https://forms\.clinic\.example/reminders/stop/\d+/[0-9a-f]{64}", text)
    assert stop is not None and stop.group(0) in html
    assert composed.message["List-Unsubscribe"] == f"<{stop.group(0)}>"
    with mail_app.extensions["db"].read() as session:
        assert session.scalar(select(Invitation.id).where(Invitation.token_hash == hash_token(token))) is not None


def test_headers_name_the_clinic_and_keep_the_queued_message_id(message) -> None:  # type: ignore[no-untyped-def]
    kind, _token, message_id, composed = message
    assert composed.message["Message-ID"] == message_id
    assert composed.message["From"] == "Riverside Clinic <forms@clinic.example>"
    assert composed.message["To"] == composed.to == "pat@example.org"
    assert str(composed.message["Subject"]).startswith("Riverside Clinic: ")


def test_health_word_scan_finds_what_it_looks_for() -> None:
    assert health_words("Your LDN form") == ["ldn"]
    assert health_words("https://forms.clinic.example/i/Ab-LDNq_x9") == []  # a token is not a word
    assert health_words("https://ldn.clinic.example/i/Ab") == ["ldn"]  # the address itself is checked
    assert health_words("before starting your medicines") == ["medicine"]
    assert health_words("Please fill in your form before your visit") == []
