"""Patient invitation links: unguessable tokens, stored only as a hash.

A token carries 256 random bits; the database keeps its SHA-256, so neither a database
leak nor a log of queries reveals a working link. (A slow hash adds nothing for tokens
this long and would slow every lookup.)
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import Invitation, utcnow

TOKEN_BYTES = 32


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def default_expiry(appointment: date | None, days_valid: int, now: datetime) -> datetime:
    """The end of the day after the appointment, or `days_valid` days from now."""
    if appointment is not None:
        return datetime.combine(appointment + timedelta(days=2), time.min, tzinfo=UTC)
    return now + timedelta(days=days_valid)


def create_invitation(
    session: Session, patient_ref: str, appointment: date | None,
    expires_at: datetime | None = None, days_valid: int = 30,
) -> tuple[Invitation, str]:
    """A new invitation and its token (the only time the token exists in clear)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    now = utcnow()
    invitation = Invitation(
        token_hash=hash_token(token),
        patient_ref=patient_ref,
        appointment_date=appointment,
        expires_at=expires_at or default_expiry(appointment, days_valid, now),
        status="active",
        created_at=now,
    )
    session.add(invitation)
    session.flush()
    return invitation, token


def usable_invitation(session: Session, token: str, now: datetime | None = None) -> Invitation | None:
    """The invitation for this token if it is active and unexpired; else None.

    Every failure looks the same to the caller, so a link's state never leaks.
    """
    if not token or len(token) > 128:
        return None
    invitation = session.scalar(select(Invitation).where(Invitation.token_hash == hash_token(token)))
    if invitation is None or invitation.status != "active":
        return None
    if invitation.expires_at <= (now or utcnow()):
        return None
    return invitation


class HasValidity(Protocol):
    """An invitation, or a row carrying its status and expiry."""

    @property
    def status(self) -> str: ...
    @property
    def expires_at(self) -> datetime: ...


def is_usable(invitation: HasValidity, now: datetime | None = None) -> bool:
    return invitation.status == "active" and invitation.expires_at > (now or utcnow())


def reissue(invitation: Invitation, expires_at: datetime | None = None, days_valid: int = 30) -> str:
    """A new token for the same invitation: the old link stops working, progress is kept."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    invitation.token_hash = hash_token(token)
    invitation.status = "active"
    invitation.expires_at = expires_at or default_expiry(invitation.appointment_date, days_valid, utcnow())
    return token


def invitation_status(invitation: Invitation, now: datetime | None = None) -> str:
    """What a doctor needs to know: not started, in progress, submitted, expired or revoked."""
    response = invitation.response
    if response is not None and response.submitted:
        return "submitted"
    if invitation.status == "revoked":
        return "revoked"
    if not is_usable(invitation, now):
        return "expired"
    return "in progress" if response is not None else "not started"
