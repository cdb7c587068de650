"""When reminders fall due, and when a queued message is no longer wanted (compose decides
at send time: submitted, revoked, expired, stopped, quiet hours)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from screening.models import Invitation, OutboxMessage
from screening.outbox.compose import Cancel, Defer, Ready, compose
from screening.outbox.schedule import AFTER_INVITATION, BEFORE_APPOINTMENT, due_slots, queue_due
from screening.outbox.settings import parse_quiet_hours

CREATED = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def _invitation(appointment: date | None, expires: datetime | None = None) -> Invitation:
    return Invitation(created_at=CREATED, appointment_date=appointment,
                      expires_at=expires or CREATED + timedelta(days=30))


@pytest.mark.parametrize(("appointment", "after", "before", "expected"), [
    (date(2026, 12, 20), 3, 2, [(AFTER_INVITATION, CREATED + timedelta(days=3)),
                                (BEFORE_APPOINTMENT, datetime(2026, 12, 18, 9, 0, tzinfo=UTC))]),
    (None, 3, 2, [(AFTER_INVITATION, CREATED + timedelta(days=3))]),  # no appointment: one reminder
    (date(2026, 12, 2), 3, 2, [(AFTER_INVITATION, CREATED + timedelta(days=3))]),  # 2 days before is the past
    (date(2026, 12, 20), None, 2, [(BEFORE_APPOINTMENT, datetime(2026, 12, 18, 9, 0, tzinfo=UTC))]),
    (date(2026, 12, 20), 3, None, [(AFTER_INVITATION, CREATED + timedelta(days=3))]),
])
def test_reminders_fall_due_after_the_invitation_and_before_the_appointment(
    mail_app, appointment, after, before, expected,
) -> None:
    settings = replace(mail_app.extensions["mail"], remind_after_invitation=after, remind_before_appointment=before)
    assert due_slots(_invitation(appointment), settings) == expected


def test_no_reminder_falls_due_after_the_link_expires(mail_app) -> None:
    settings = mail_app.extensions["mail"]
    assert due_slots(_invitation(date(2026, 12, 20), expires=CREATED + timedelta(days=2)), settings) == []


def test_the_appointment_reminder_is_at_nine_in_the_clinics_time_zone(mail_app) -> None:
    settings = replace(mail_app.extensions["mail"], timezone=ZoneInfo("Australia/Sydney"))
    (_after, (slot, due)) = due_slots(_invitation(date(2026, 12, 20)), settings)
    assert slot == BEFORE_APPOINTMENT and due.astimezone(settings.timezone).time() == time(9, 0)


@pytest.mark.parametrize(("quiet", "local", "expected"), [
    ("21:00-08:00", "2026-12-01T22:30", "2026-12-02T08:00"),
    ("21:00-08:00", "2026-12-02T03:00", "2026-12-02T08:00"),
    ("21:00-08:00", "2026-12-02T08:00", "2026-12-02T08:00"),  # the end is not quiet
    ("21:00-08:00", "2026-12-02T12:00", "2026-12-02T12:00"),
    ("12:00-14:00", "2026-12-02T13:00", "2026-12-02T14:00"),
    ("", "2026-12-02T03:00", "2026-12-02T03:00"),
])
def test_reminders_wait_for_the_end_of_quiet_hours(mail_app, quiet, local, expected) -> None:
    zone = ZoneInfo("Europe/London")
    settings = replace(mail_app.extensions["mail"], timezone=zone, quiet_hours=parse_quiet_hours(quiet))
    moment = datetime.fromisoformat(local).replace(tzinfo=zone).astimezone(UTC)
    assert settings.after_quiet_hours(moment) == datetime.fromisoformat(expected).replace(tzinfo=zone)


def _messages(app, invitation_id: int) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    with app.extensions["db"].read() as session:
        return [(m.kind, m.slot, m.status) for m in session.scalars(
            select(OutboxMessage).where(OutboxMessage.invitation_id == invitation_id).order_by(OutboxMessage.id))]


def _queue_due(app, now: datetime) -> int:  # type: ignore[no-untyped-def]
    with app.extensions["db"].write() as session:
        return queue_due(session, app.extensions["mail"], now)


def test_a_reminder_is_queued_once_when_it_falls_due(mail_app, invite) -> None:
    invitation_id, _token = invite(created_at=CREATED)
    assert _queue_due(mail_app, CREATED + timedelta(days=2, hours=23)) == 0
    assert _queue_due(mail_app, CREATED + timedelta(days=3)) == 1
    assert _queue_due(mail_app, CREATED + timedelta(days=3, hours=1)) == 0  # already queued: never twice
    assert _messages(mail_app, invitation_id) == [
        ("invitation", "invitation", "queued"), ("reminder", AFTER_INVITATION, "queued")]


def test_two_reminders_due_together_are_a_day_apart(mail_app, invite) -> None:
    invitation_id, _token = invite(created_at=CREATED, appointment=date(2026, 12, 5))
    late = datetime(2026, 12, 4, 12, tzinfo=UTC)  # both the day-3 and the day-before reminders are due
    assert _queue_due(mail_app, late) == 1
    assert _queue_due(mail_app, late) == 1
    with mail_app.extensions["db"].read() as session:
        first, second = session.scalars(select(OutboxMessage.next_attempt_at).where(
            OutboxMessage.kind == "reminder", OutboxMessage.invitation_id == invitation_id)
            .order_by(OutboxMessage.id)).all()
    assert second - first >= timedelta(days=1)


@pytest.mark.parametrize("closed", ["submitted", "revoked", "expired", "stopped", "no address"])
def test_no_reminder_is_queued_for_a_finished_revoked_expired_or_stopped_invitation(
    mail_app, invite, submit_invitation, closed,
) -> None:
    invitation_id, _token = invite(created_at=CREATED)
    with mail_app.extensions["db"].write() as session:
        row = session.get_one(Invitation, invitation_id)
        if closed == "submitted":
            submit_invitation(session, row)
        elif closed == "revoked":
            row.status = "revoked"
        elif closed == "expired":
            row.expires_at = CREATED + timedelta(days=2)
        elif closed == "stopped":
            row.reminders_stopped = True
        else:
            row.email = None
    assert _queue_due(mail_app, CREATED + timedelta(days=4)) == 0


@pytest.mark.parametrize(("change", "outcome"), [
    ("nothing", Ready), ("submitted", Cancel), ("revoked", Cancel), ("expired", Cancel),
    ("no address", Cancel), ("reissued elsewhere", Cancel),
])
def test_a_queued_email_is_composed_only_while_it_is_still_wanted(
    mail_app, invite, submit_invitation, change, outcome,
) -> None:
    from screening.invitations import reissue

    invitation_id, _token = invite()
    with mail_app.app_context(), mail_app.extensions["db"].write() as session:
        row = session.get_one(Invitation, invitation_id)
        if change == "submitted":
            submit_invitation(session, row)
        elif change == "revoked":
            row.status = "revoked"
        elif change == "expired":
            row.expires_at = datetime.now(UTC) - timedelta(minutes=1)
        elif change == "no address":
            row.email = None
        elif change == "reissued elsewhere":
            reissue(row)  # a random token (no key): the link cannot be rebuilt, so it is not sent
        message = session.scalar(select(OutboxMessage).where(OutboxMessage.invitation_id == invitation_id))
        assert isinstance(compose(session, message, mail_app.extensions["mail"], datetime.now(UTC)), outcome)


def test_a_reminder_in_quiet_hours_is_deferred_and_a_stopped_one_cancelled(mail_app, invite) -> None:
    invitation_id, _token = invite()
    quiet = replace(mail_app.extensions["mail"], quiet_hours=parse_quiet_hours("00:00-23:59"))
    with mail_app.app_context(), mail_app.extensions["db"].write() as session:
        from screening.outbox.queue import enqueue

        reminder = enqueue(session, "reminder", AFTER_INVITATION, invitation_id, domain="clinic.example")
        now = datetime.now(UTC).replace(hour=12)
        assert isinstance(compose(session, reminder, quiet, now), Defer)
        invitation = session.get_one(Invitation, invitation_id)
        invitation.reminders_stopped = True
        assert isinstance(compose(session, reminder, quiet, now), Cancel)
        first = session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "invitation"))
        invitation.reminders_stopped = False
        assert isinstance(compose(session, first, quiet, now), Ready)  # quiet hours hold reminders only
