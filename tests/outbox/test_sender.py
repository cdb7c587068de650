"""The sender in one process, against a real SMTP server on loopback: what is sent, when it
is retried, when it gives up, and what a doctor or the clinic's IT is shown."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from screening.extensions import mail
from screening.invitations import create_invitation
from screening.outbox import sender, smtp
from screening.outbox.compose import compose
from screening.outbox.queue import queue_invitation
from screening.outbox.sender import (
    FIRST_RETRY,
    GAVE_UP_AFTER_STOPS,
    LEASE,
    MAX_ATTEMPTS,
    Report,
    Sender,
    backoff,
    claim,
    recover,
)
from tests.outbox import composer
from tests.outbox.conftest import (
    MAIL_FROM,
    SECRET_KEY,
    address,
    outbox,
    outbox_rows,
)
from tests.outbox.smtp_server import SmtpServer, free_port

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock():  # type: ignore[no-untyped-def]
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def test_a_due_message_is_delivered_once_with_its_message_id(mail_app, smtp_server, queue_messages, clock):
    [row_id] = queue_messages()
    result = outbox(mail_app, "send")
    assert result.exit_code == 0 and "Sent 1" in result.output
    row = outbox_rows(mail_app)[row_id]
    assert (row.status, row.attempts, row.sent_at, row.claimed_until, row.last_error) == ("sent", 1, NOW, None, None)
    [delivered] = smtp_server.delivered
    assert delivered.message["Message-ID"] == row.message_id
    assert delivered.rcpt_tos == [address(0)] and delivered.mail_from == "screening@clinic.test"
    assert delivered.message["Date"] and delivered.message["Subject"] == f"Test message {row_id}"

    assert "Sent 0" in outbox(mail_app, "send").output  # sent is sent: never again
    assert len(smtp_server.delivered) == 1


def test_a_batch_goes_over_one_connection_oldest_first(mail_app, smtp_server, queue_messages, clock):
    ids = queue_messages(5)
    assert "Sent 5" in outbox(mail_app, "send").output
    expected = [outbox_rows(mail_app)[row_id].message_id for row_id in ids]
    assert smtp_server.message_ids == expected


def test_a_message_not_yet_due_is_not_sent(mail_app, smtp_server, queue_messages, clock):
    [row_id] = queue_messages(not_before=NOW + timedelta(minutes=5))
    assert "Sent 0" in outbox(mail_app, "send").output
    row = outbox_rows(mail_app)[row_id]
    assert (row.status, row.attempts) == ("queued", 0) and smtp_server.delivered == []

    clock.move_to(NOW + timedelta(minutes=5))
    assert "Sent 1" in outbox(mail_app, "send").output
    assert len(smtp_server.delivered) == 1


@pytest.mark.parametrize("stage", ["rcpt", "data"])
def test_a_temporary_refusal_is_retried_after_a_minute(mail_app, smtp_server, queue_messages, clock, stage):
    [row_id] = queue_messages()
    smtp_server.recorder.reply_next(stage, "451 4.3.0 Try again later")
    assert "to retry 1" in outbox(mail_app, "send").output
    row = outbox_rows(mail_app)[row_id]
    assert (row.status, row.attempts, row.last_error) == ("queued", 1, "451 4.3.0 Try again later")
    assert row.next_attempt_at == NOW + timedelta(seconds=60)
    assert smtp_server.delivered == []

    clock.move_to(NOW + timedelta(seconds=59))
    assert "Sent 0, to retry 0" in outbox(mail_app, "send").output  # not yet due
    clock.move_to(NOW + timedelta(seconds=60))
    assert "Sent 1" in outbox(mail_app, "send").output
    row = outbox_rows(mail_app)[row_id]
    assert (row.status, row.attempts, row.last_error) == ("sent", 2, None)
    assert smtp_server.message_ids == [row.message_id]


@pytest.mark.parametrize("stage", ["rcpt", "data"])
def test_a_permanent_refusal_fails_at_once_with_the_reason_and_no_address(
        mail_app, smtp_server, queue_messages, clock, stage):
    [row_id] = queue_messages()
    smtp_server.recorder.reply_next(stage, f"550 5.1.1 <{address(0)}>: Mailbox unavailable")
    assert "failed 1" in outbox(mail_app, "send").output
    row = outbox_rows(mail_app)[row_id]
    assert (row.status, row.attempts) == ("failed", 1)
    assert row.last_error == "550 5.1.1 <[address]>: Mailbox unavailable"

    clock.move_to(NOW + timedelta(days=2))
    outbox(mail_app, "send")
    assert outbox_rows(mail_app)[row_id].status == "failed" and smtp_server.delivered == []


def test_one_refusal_does_not_hold_back_the_next_message(mail_app, smtp_server, queue_messages, clock):
    first, second = queue_messages(2)
    smtp_server.recorder.reply_next("rcpt", "550 No such user")
    outbox(mail_app, "send")
    rows = outbox_rows(mail_app)
    assert (rows[first].status, rows[second].status) == ("failed", "sent")
    assert smtp_server.message_ids == [rows[second].message_id]


def test_a_refused_connection_is_retried(make_mail_app, queue_messages, clock):
    port = free_port()
    app = make_mail_app(f"smtp://127.0.0.1:{port}")
    first, second = queue_messages(2)
    result = outbox(app, "send")
    assert result.exit_code == 0 and "to retry 1" in result.output
    rows = outbox_rows(app)
    assert (rows[first].status, rows[first].attempts, rows[first].last_error) == \
        ("queued", 1, "Connection refused by the mail server")
    assert rows[first].next_attempt_at == NOW + FIRST_RETRY
    # The rest of the batch is given back untried: the server is not there for it either.
    assert (rows[second].status, rows[second].attempts, rows[second].next_attempt_at) == ("queued", 0, NOW)

    server = SmtpServer(port).start()
    try:
        clock.move_to(NOW + FIRST_RETRY)
        assert "Sent 2" in outbox(app, "send").output
        assert sorted(server.message_ids) == sorted(row.message_id for row in outbox_rows(app).values())
    finally:
        server.stop()


def test_backoff_doubles_from_a_minute_up_to_six_hours():
    assert [backoff(attempt) for attempt in range(1, 12)] == [
        timedelta(minutes=minutes) for minutes in (1, 2, 4, 8, 16, 32, 64, 128, 256, 360, 360)]


def test_after_the_last_attempt_the_message_fails(mail_app, smtp_server, queue_messages, clock):
    [row_id] = queue_messages()
    smtp_server.recorder.reply_always("rcpt", "421 4.7.0 Too busy")
    waits = []
    for attempt in range(1, MAX_ATTEMPTS + 1):
        outbox(mail_app, "send")
        row = outbox_rows(mail_app)[row_id]
        assert row.attempts == attempt
        if row.status == "failed":
            break
        waits.append(row.next_attempt_at - datetime.now(UTC))
        clock.move_to(row.next_attempt_at)
    assert waits == [backoff(attempt) for attempt in range(1, MAX_ATTEMPTS)]
    assert (row.status, row.attempts) == ("failed", MAX_ATTEMPTS)
    assert row.last_error == f"421 4.7.0 Too busy (gave up after {MAX_ATTEMPTS} attempts)"
    assert smtp_server.delivered == []


@pytest.mark.parametrize(("slot", "status", "attempts", "due", "last_error"), [
    ("cancel", "cancelled", 1, NOW, composer.CANCEL_REASON),
    ("defer", "queued", 0, NOW + composer.DEFER_BY, None),
])
def test_the_composer_may_cancel_or_defer(mail_app, smtp_server, queue_messages, clock,
                                          slot, status, attempts, due, last_error):
    [row_id] = queue_messages(slot=slot)
    result = outbox(mail_app, "send")
    assert f"{'cancelled' if slot == 'cancel' else 'deferred'} 1" in result.output
    row = outbox_rows(mail_app)[row_id]
    assert (row.status, row.attempts, row.next_attempt_at, row.last_error) == (status, attempts, due, last_error)
    assert smtp_server.delivered == []


def test_a_composer_that_breaks_retries_instead_of_stopping_the_run(mail_app, smtp_server, queue_messages,
                                                                     monkeypatch, clock):
    first, second = queue_messages(2)

    def fragile(session, row, settings, now):  # type: ignore[no-untyped-def]
        if row.id == first:
            raise KeyError("template variable")
        return composer.compose(session, row, settings, now)

    monkeypatch.setattr(sender, "compose", fragile)
    outbox(mail_app, "send")
    rows = outbox_rows(mail_app)
    assert (rows[first].status, rows[first].last_error) == ("queued", "The message could not be composed (KeyError)")
    assert rows[second].status == "sent"


def test_the_sender_logs_in_when_the_url_has_a_user(make_mail_app, queue_messages, clock):
    server = SmtpServer(login=("mailer", "p@ss word")).start()
    try:
        app = make_mail_app(f"smtp://mailer:p%40ss%20word@127.0.0.1:{server.port}")
        queue_messages()
        assert "Sent 1" in outbox(app, "send").output

        wrong = make_mail_app(f"smtp://mailer:wrong@127.0.0.1:{server.port}")
        [bad] = queue_messages(slot="again")
        outbox(wrong, "send")
        row = outbox_rows(app)[bad]
        assert row.status == "queued" and row.last_error.startswith("535 ")
        assert "wrong" not in row.last_error and len(server.delivered) == 1
    finally:
        server.stop()


def test_starttls_is_required_when_the_url_asks_for_it(make_mail_app, smtp_server, queue_messages, clock):
    app = make_mail_app(f"smtp+starttls://127.0.0.1:{smtp_server.port}")
    [row_id] = queue_messages()
    outbox(app, "send")
    row = outbox_rows(app)[row_id]
    assert row.status == "queued" and "STARTTLS" in row.last_error  # never falls back to plain text
    assert smtp_server.delivered == []


def test_the_list_shows_what_happened_and_never_an_address(mail_app, smtp_server, queue_messages, clock):
    sent, refused, waiting = queue_messages(3)
    smtp_server.recorder.reply_next("rcpt", "250 OK")  # the first goes through
    smtp_server.recorder.reply_next("rcpt", f"550 5.1.1 {address(1)} unknown")
    smtp_server.recorder.reply_next("rcpt", f"451 4.2.0 {address(2)} greylisted")
    outbox(mail_app, "send")
    result = outbox(mail_app, "list")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "queued 1, sending 0, sent 1, failed 1, cancelled 0, unconfirmed 0"
    by_id = {int(line.split()[0]): line for line in lines[2:]}
    assert by_id[sent].split()[1:4] == ["invitation", "sent", "1"] and "2026-12-01 09:00 UTC" in by_id[sent]
    assert "failed" in by_id[refused] and "550 5.1.1 [address] unknown" in by_id[refused]
    assert "queued" in by_id[waiting] and "2026-12-01 09:01 UTC" in by_id[waiting]
    assert "@" not in result.output and "example.test" not in result.output

    only_failed = outbox(mail_app, "list", "--status", "failed").output.splitlines()[2:]
    assert [int(line.split()[0]) for line in only_failed] == [refused]


@pytest.mark.parametrize("command", ["send", "work"])
def test_without_mail_url_nothing_is_sent(app, queue_messages, command):
    queue_messages()
    result = outbox(app, command)
    assert result.exit_code == 0
    assert result.output.strip() == "Email is off (MAIL_URL not set): nothing sent"
    assert outbox_rows(app)[1].status == "queued"


def test_the_real_composer_sends_an_invitation_with_its_link(make_mail_app, smtp_server, monkeypatch):
    """One message end to end through compose.py and the email templates."""
    monkeypatch.setattr(sender, "compose", compose)  # the real one
    app = make_mail_app(smtp_server.url)
    with app.app_context():
        settings = mail()
    with app.extensions["db"].write() as session:
        invitation, token = create_invitation(session, "P-1", None, key=settings.link_key, email=address(1))
        row = queue_invitation(session, invitation, settings)
        assert row is not None
    assert "Sent 1" in outbox(app, "send").output
    [delivered] = smtp_server.delivered
    assert delivered.rcpt_tos == [address(1)] and delivered.message["Message-ID"] == row.message_id
    assert delivered.message["From"] == MAIL_FROM
    assert b"\r\nList-Unsubscribe: <https://screening.clinic.test/" in delivered.raw  # as is, not an encoded word
    text = delivered.message.get_body(("plain",)).get_content()
    assert f"https://screening.clinic.test/i/{token}" in text
    assert SECRET_KEY not in delivered.raw.decode()


def test_a_sender_that_lost_its_lease_sends_nothing(mail_app, smtp_server, queue_messages, clock):
    """A sender slower than its lease: the message went back to the queue and another sender
    claimed it, so the slow one's marker is refused and it hands over no data."""
    [row_id] = queue_messages()
    database = mail_app.extensions["db"]
    with mail_app.app_context():
        with database.write() as session:
            [stale] = claim(session, NOW, NOW)
        clock.move_to(NOW + LEASE + timedelta(seconds=1))
        later = datetime.now(UTC)
        with database.write() as session:
            assert recover(session, later).recovered == 1
            [fresh] = claim(session, later, later)
        report = Report()
        for claimed in (stale, fresh):
            one = Sender(mail())
            one.deliver(claimed, report)
            one.close()
    assert report.sent == 1 and len(smtp_server.delivered) == 1
    row = outbox_rows(mail_app)[row_id]
    assert (row.status, row.attempts) == ("sent", 2)


def test_a_message_whose_sender_keeps_dying_before_the_data_fails_in_the_end(mail_app, queue_messages, clock):
    [row_id] = queue_messages()
    database = mail_app.extensions["db"]
    for attempt in range(1, MAX_ATTEMPTS + 1):
        now = datetime.now(UTC)
        with database.write() as session:
            report = recover(session, now)
            assert [claimed.attempt for claimed in claim(session, now, now)] == [attempt]
        clock.move_to(now + LEASE + timedelta(seconds=1))
    with database.write() as session:
        assert recover(session, datetime.now(UTC)).failed == 1
    row = outbox_rows(mail_app)[row_id]
    assert (row.status, row.attempts, row.last_error) == ("failed", MAX_ATTEMPTS, GAVE_UP_AFTER_STOPS)
    assert report.recovered == 1


@pytest.mark.parametrize(("stage", "status", "last_error"), [
    ("rcpt", "queued", "The mail server did not answer in time"),
    ("data", "unconfirmed", "The mail server did not answer in time: it may not have been delivered"),
])
def test_a_server_that_stops_answering(mail_app, smtp_server, queue_messages, monkeypatch, stage, status, last_error):
    """Silence before the data is a temporary failure; silence after it is an uncertainty,
    and an uncertain message is never sent again by itself."""
    monkeypatch.setattr(smtp, "TIMEOUT_SECONDS", 0.5)
    [row_id] = queue_messages()
    hold = smtp_server.recorder.hold(stage)
    outbox(mail_app, "send")
    assert hold.reached.is_set()
    hold.released.set()
    row = outbox_rows(mail_app)[row_id]
    assert (row.status, row.last_error) == (status, last_error)

    with time_machine.travel(datetime.now(UTC) + timedelta(hours=1), tick=False):
        outbox(mail_app, "send")
    assert outbox_rows(mail_app)[row_id].status == ("sent" if stage == "rcpt" else "unconfirmed")
    assert len(smtp_server.delivered) == 1  # the held one (data), or the retry (rcpt): once either way
