"""Messages falling due: queued by the sender at the start of each run, in one write
transaction — reminders for invitations that have an address and an unfinished form, and
each check-in's link (and one reminder) for plans that have an address.

By default a reminder 3 days after the invitation and one 2 days before the appointment
(`REMINDER_DAYS_AFTER_INVITATION`, `REMINDER_DAYS_BEFORE_APPOINTMENT`; 0 turns one off),
never after the form is sent, after the link expires or is revoked, or after the patient
asked for no more; never within a day of the last message to the same patient, and never
in the clinic's quiet hours. Each slot is queued once (unique per invitation and slot).
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, contains_eager

from ..models import CheckIn, Invitation, OutboxMessage, QuestionnaireResponse, TreatmentPlan
from .queue import enqueue
from .settings import MailSettings

AFTER_INVITATION, BEFORE_APPOINTMENT = "reminder:after_invitation", "reminder:before_appointment"
MIN_GAP = timedelta(days=1)  # at most one message a day to one patient
MORNING = time(9, 0)  # a reminder before the appointment falls due at 09:00, clinic time
CHECKIN_REMINDER_AFTER = timedelta(days=3)  # one reminder, 3 days after a check-in opens


def due_slots(invitation: Invitation, settings: MailSettings) -> list[tuple[str, datetime]]:
    """The reminders this invitation gets, with when each falls due (pure: no database)."""
    slots = []
    if settings.remind_after_invitation:
        slots.append((AFTER_INVITATION, invitation.created_at + timedelta(days=settings.remind_after_invitation)))
    if settings.remind_before_appointment and invitation.appointment_date is not None:
        day = invitation.appointment_date - timedelta(days=settings.remind_before_appointment)
        due = datetime.combine(day, MORNING, tzinfo=settings.timezone).astimezone(invitation.created_at.tzinfo)
        if due > invitation.created_at:
            slots.append((BEFORE_APPOINTMENT, due))
    return [(slot, due) for slot, due in slots if due < invitation.expires_at]


def queue_due(session: Session, settings: MailSettings, now: datetime) -> int:
    """Queue every reminder and check-in that has fallen due; returns how many were queued."""
    if not settings.enabled:
        return 0
    return _queue_invitation_reminders(session, settings, now) + _queue_checkins(session, settings, now)


def checkin_slots(checkin: CheckIn, settings: MailSettings) -> list[tuple[str, str, datetime]]:
    """A check-in's messages, with when each falls due: its link at 09:00 clinic time on the
    day it opens, one reminder 3 days later (pure)."""
    opens = datetime.combine(checkin.opens_on, MORNING, tzinfo=settings.timezone)
    slots = [("checkin", "checkin", opens), ("checkin_reminder", "checkin_reminder", opens + CHECKIN_REMINDER_AFTER)]
    return [slot for slot in slots if slot[2] < checkin.expires_at]


def _queue_checkins(session: Session, settings: MailSettings, now: datetime) -> int:
    waiting = session.scalars(
        select(CheckIn).join(TreatmentPlan, TreatmentPlan.id == CheckIn.plan_id)
        .options(contains_eager(CheckIn.plan))  # its reminders_stopped, read below: no query per check-in
        .where(TreatmentPlan.status == "active", TreatmentPlan.email.is_not(None), CheckIn.submitted.is_(False),
               # A day's margin: 09:00 in the clinic's zone may still be yesterday in UTC.
               CheckIn.opens_on <= (now + timedelta(days=1)).date(), CheckIn.expires_at > now)
    ).all()
    queued = 0
    for checkin in waiting:
        for kind, slot, due in checkin_slots(checkin, settings):
            if due > now or (kind == "checkin_reminder" and checkin.plan.reminders_stopped):
                continue
            if enqueue(session, kind, slot, checkin_id=checkin.id, domain=settings.message_domain,
                       not_before=settings.after_quiet_hours(max(now, due))) is not None:
                queued += 1
    return queued


def _queue_invitation_reminders(session: Session, settings: MailSettings, now: datetime) -> int:
    waiting = session.scalars(
        select(Invitation)
        .outerjoin(QuestionnaireResponse, QuestionnaireResponse.invitation_id == Invitation.id)
        .where(Invitation.email.is_not(None), Invitation.status == "active", Invitation.expires_at > now,
               Invitation.reminders_stopped.is_(False),
               or_(QuestionnaireResponse.id.is_(None), QuestionnaireResponse.submitted.is_(False)))
    ).all()
    queued = 0
    for invitation in waiting:
        for slot, due in due_slots(invitation, settings):
            if due > now:
                continue
            not_before = settings.after_quiet_hours(max(now, _last_message(session, invitation.id) + MIN_GAP))
            if enqueue(session, "reminder", slot, invitation.id, domain=settings.message_domain,
                       not_before=not_before) is not None:
                queued += 1
                break  # one reminder at a time; the next slot waits for the next run
    return queued


def _last_message(session: Session, invitation_id: int) -> datetime:
    last = session.scalar(select(func.max(func.coalesce(OutboxMessage.sent_at, OutboxMessage.next_attempt_at)))
                          .where(OutboxMessage.invitation_id == invitation_id,
                                 OutboxMessage.status.in_(("queued", "sending", "sent", "unconfirmed"))))
    return last if last is not None else datetime.min.replace(tzinfo=UTC)
