"""Invitations and reminders through a real SMTP server on loopback (aiosmtpd), with the
real composer and `flask outbox send` run at frozen moments: the invitation arrives with
its link, each reminder on its day, and nothing after the form is sent, the link revoked
or expired."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from flask import Flask

from screening import create_app
from screening.invitations import create_invitation, revoke
from screening.models import Invitation
from screening.outbox.queue import queue_invitation
from tests.email.conftest import MAIL_CONFIG
from tests.outbox.smtp_server import SmtpServer, smtp_server  # noqa: F401  (a fixture)

START = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)  # a Tuesday morning
APPOINTMENT = date(2026, 12, 11)
ADDRESS = "pat@example.org"


@pytest.fixture
def app(database_url: str, smtp_server: SmtpServer) -> Iterator[Flask]:  # noqa: F811
    application = create_app({**MAIL_CONFIG, "DATABASE_URL": database_url, "MAIL_URL": smtp_server.url})
    yield application
    application.extensions["db"].dispose()


@pytest.fixture
def invitation_id(app: Flask) -> int:
    with time_machine.travel(START, tick=False), app.app_context():
        from screening.extensions import mail

        with app.extensions["db"].write() as session:
            invitation, _token = create_invitation(session, "P-DELIVERY", APPOINTMENT, key=mail().link_key,
                                                   email=ADDRESS)
            queue_invitation(session, invitation, mail())
            return invitation.id


def send_at(app: Flask, moment: datetime) -> None:
    with time_machine.travel(moment, tick=False):
        result = app.test_cli_runner().invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output


def subjects(smtp: SmtpServer) -> list[str]:
    return [str(d.message["Subject"]).split(": ", 1)[1] for d in smtp.delivered]


def test_the_invitation_arrives_with_the_patients_link(app, smtp_server, invitation_id) -> None:  # noqa: F811
    send_at(app, START)
    (delivered,) = smtp_server.delivered
    assert delivered.rcpt_tos == [ADDRESS]
    body = delivered.message.get_body(("plain",)).get_content()
    assert "https://forms.clinic.example/i/" in body and "11 December 2026" in body


# (moment, what has arrived by then): reminders 3 days after the invitation and at 09:00 two
# days before the appointment, each once.
TIMELINE = [
    (START, ["please fill in your form before your visit"]),
    (START + timedelta(days=2, hours=23), ["please fill in your form before your visit"]),
    (START + timedelta(days=3), ["please fill in your form before your visit", "a reminder to finish your form"]),
    (START + timedelta(days=3, hours=5), ["please fill in your form before your visit",
                                          "a reminder to finish your form"]),
    (datetime(2026, 12, 9, 8, 59, tzinfo=UTC), ["please fill in your form before your visit",
                                                "a reminder to finish your form"]),
    (datetime(2026, 12, 9, 9, 0, tzinfo=UTC), ["please fill in your form before your visit",
                                               "a reminder to finish your form", "a reminder to finish your form"]),
    (datetime(2026, 12, 10, 12, 0, tzinfo=UTC), ["please fill in your form before your visit",
                                                 "a reminder to finish your form", "a reminder to finish your form"]),
]


def test_reminders_arrive_on_their_days_and_once_each(app, smtp_server, invitation_id) -> None:  # noqa: F811
    for moment, arrived in TIMELINE:
        send_at(app, moment)
        assert subjects(smtp_server) == arrived, moment


@pytest.mark.parametrize("closed", ["submitted", "revoked", "expired", "stopped"])
def test_no_reminder_after_the_form_is_sent_revoked_expired_or_stopped(
    app, smtp_server, invitation_id, submit_invitation, closed,  # noqa: F811
) -> None:
    send_at(app, START)
    with time_machine.travel(START + timedelta(days=1), tick=False), app.extensions["db"].write() as session:
        invitation = session.get_one(Invitation, invitation_id)
        if closed == "submitted":
            submit_invitation(session, invitation)
        elif closed == "revoked":
            revoke(invitation)
        elif closed == "expired":
            invitation.expires_at = START + timedelta(days=2)
        else:
            invitation.reminders_stopped = True
    for moment, _arrived in TIMELINE[1:]:
        send_at(app, moment)
    assert subjects(smtp_server) == ["please fill in your form before your visit"]


def test_a_reminder_queued_before_the_form_was_sent_is_not_delivered(
    app, smtp_server, invitation_id, submit_invitation,  # noqa: F811
) -> None:
    """The form is sent between the reminder falling due and the sender's next turn."""
    from screening.outbox.schedule import queue_due

    send_at(app, START)
    due = START + timedelta(days=3)
    with time_machine.travel(due, tick=False), app.app_context():
        from screening.extensions import mail

        with app.extensions["db"].write() as session:
            assert queue_due(session, mail(), due) == 1
        with app.extensions["db"].write() as session:
            submit_invitation(session, session.get_one(Invitation, invitation_id))
    send_at(app, due + timedelta(minutes=1))
    assert subjects(smtp_server) == ["please fill in your form before your visit"]
