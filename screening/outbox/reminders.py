"""A patient's "stop reminders" link: find its invitation, and stop that invitation's
reminders only (the form itself, and any other invitation, are untouched)."""

from __future__ import annotations

import hmac

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Invitation, OutboxMessage
from .compose import stop_token


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
