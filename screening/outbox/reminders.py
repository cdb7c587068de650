"""A patient's "stop reminders" link: find its invitation, and stop that invitation's
reminders only (the form itself, and any other invitation, are untouched)."""

from __future__ import annotations

import hmac

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Invitation, OutboxMessage, TreatmentPlan
from .compose import plan_stop_token, stop_token
from .queue import CHECKIN_KINDS


def invitation_for_stop_link(session: Session, invitation_id: int, token: str, key: bytes) -> Invitation | None:
    """The invitation this stop link belongs to; None for a wrong, old or made-up link."""
    invitation = session.get(Invitation, invitation_id)
    if invitation is None or len(token) != 64:
        return None
    return invitation if hmac.compare_digest(stop_token(invitation, key), token) else None


def stop_reminders(session: Session, invitation: Invitation) -> int:
    """No more reminders for this invitation; returns how many queued ones were cancelled."""
    invitation.reminders_stopped = True
    waiting = session.scalars(select(OutboxMessage).where(
        OutboxMessage.invitation_id == invitation.id, OutboxMessage.kind == "reminder",
        OutboxMessage.status == "queued")).all()
    for message in waiting:
        message.status, message.last_error = "cancelled", "the patient asked for no more reminders"
    return len(waiting)


def plan_for_stop_link(session: Session, plan_id: int, token: str, key: bytes) -> TreatmentPlan | None:
    """The plan a check-in email's stop link belongs to; None for a wrong or made-up link."""
    plan = session.get(TreatmentPlan, plan_id)
    if plan is None or len(token) != 64:
        return None
    return plan if hmac.compare_digest(plan_stop_token(plan, key), token) else None


def stop_checkin_reminders(session: Session, plan: TreatmentPlan) -> int:
    """No more check-in reminders for this plan (the check-in links themselves still come)."""
    plan.reminders_stopped = True
    checkin_ids = [checkin.id for checkin in plan.checkins]
    waiting = session.scalars(select(OutboxMessage).where(
        OutboxMessage.checkin_id.in_(checkin_ids), OutboxMessage.kind == CHECKIN_KINDS[1],
        OutboxMessage.status == "queued")).all()
    for message in waiting:
        message.status, message.last_error = "cancelled", "the patient asked for no more reminders"
    return len(waiting)
