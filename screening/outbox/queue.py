"""Putting a message in the outbox: a row written in the caller's transaction, so the
message exists exactly when what caused it (an invitation, a re-issued link, a reminder
or a check-in falling due) is committed, and never otherwise."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..models import Invitation, OutboxMessage, utcnow
from .settings import MailSettings

KINDS = ("invitation", "reminder", "new_link", "checkin", "checkin_reminder")
CHECKIN_KINDS = ("checkin", "checkin_reminder")
OPEN = ("queued", "sending")  # not yet sent, failed or cancelled


def message_id(domain: str) -> str:
    """A Message-ID fixed when the message is queued: every attempt carries the same one."""
    return f"<{secrets.token_hex(16)}@{domain or 'ldn-screening.invalid'}>"


def enqueue(
    session: Session, kind: str, slot: str, invitation_id: int | None = None, *, domain: str,
    not_before: datetime | None = None, checkin_id: int | None = None,
) -> OutboxMessage | None:
    """Queue one message for this invitation (or check-in) and slot; None when that slot
    already has one (queued once, however many senders look at the same moment)."""
    if kind not in KINDS:
        raise ValueError(f"unknown message kind {kind!r}")
    if (invitation_id is None) == (checkin_id is None):
        raise ValueError("a message belongs to an invitation or to a check-in")
    owner = OutboxMessage.invitation_id == invitation_id if checkin_id is None \
        else OutboxMessage.checkin_id == checkin_id
    if session.scalar(select(OutboxMessage.id).where(owner, OutboxMessage.slot == slot)) is not None:
        return None
    message = OutboxMessage(kind=kind, slot=slot, invitation_id=invitation_id, checkin_id=checkin_id,
                            status="queued", attempts=0, next_attempt_at=not_before or utcnow(),
                            message_id=message_id(domain))
    try:
        with session.begin_nested():  # another sender queued the same slot a moment ago
            session.add(message)
    except IntegrityError:
        return None
    return message


def cancel_open(session: Session, invitation_id: int, reason: str) -> int:
    """Cancel what is still waiting for this invitation (it was submitted or revoked)."""
    waiting = session.scalars(select(OutboxMessage).where(
        OutboxMessage.invitation_id == invitation_id, OutboxMessage.status == "queued")).all()
    for message in waiting:
        message.status, message.last_error = "cancelled", reason
    return len(waiting)


def queue_invitation(session: Session, invitation: Invitation, settings: MailSettings) -> OutboxMessage | None:
    """The invitation email, when mail is on and the invitation has an address."""
    if not (settings.enabled and invitation.email):
        return None
    return enqueue(session, "invitation", "invitation", invitation.id, domain=settings.message_domain)


def queue_new_link(session: Session, invitation: Invitation, settings: MailSettings, *, resend: bool = False) -> \
        OutboxMessage | None:
    """The "your new link" email after a re-issue, or the invitation again when a doctor
    presses "Resend now" (each press is its own slot: a doctor may resend twice)."""
    if not (settings.enabled and invitation.email):
        return None
    kind = "invitation" if resend else "new_link"
    return enqueue(session, kind, f"{kind}:{secrets.token_hex(6)}", invitation.id, domain=settings.message_domain)


def close_invitation(session: Session, invitation: Invitation, reason: str) -> None:
    """The form was sent or the link revoked: nothing more to send, and no address to keep."""
    invitation.email = None
    cancel_open(session, invitation.id, reason)
