"""Patient invitation links: unguessable tokens, stored only as a hash.

A token carries 256 random bits; the database keeps its SHA-256, so neither a database
leak nor a log of queries reveals a working link. (A slow hash adds nothing for tokens
this long and would slow every lookup.)

A token is either random or, when the app's link key is given, derived from a random
per-link salt kept with the invitation: HMAC-SHA256(link key, salt). The database alone
(salt and hash) still reveals no link, and the app can put the same link in a reminder.

A link has an `issue`: re-issuing or revoking it bumps the issue, which ends every patient
session opened under an earlier one (screening.patient.context). What a clinic may type
for a new invitation (the patient reference, the dates) is checked here once, for the
web form and the `invite` command alike.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import Invitation, utcnow

TOKEN_BYTES = 32
# The clinic's own reference: ASCII letters, digits and a few separators, so no control,
# bidi or look-alike character ever reaches a page, an export or a terminal.
PATIENT_REF_PATTERN = r"\A[A-Za-z0-9][A-Za-z0-9._\-/ ]{0,63}\Z"
PATIENT_REF_MESSAGE = "Use up to 64 letters, numbers, spaces, dots, dashes or slashes"
# Appointments and chosen expiry dates lie between today and two years from today.
MAX_DAYS_AHEAD = 730
TOO_FAR_MESSAGE = "Choose a date within 2 years from today"


def is_valid_patient_ref(patient_ref: str) -> bool:
    return re.match(PATIENT_REF_PATTERN, patient_ref) is not None


def appointment_problem(appointment: date, today: date) -> str | None:
    """Why this appointment date cannot be used for a new invitation, or None."""
    if appointment < today:
        return "The appointment date is in the past"
    if appointment > today + timedelta(days=MAX_DAYS_AHEAD):
        return TOO_FAR_MESSAGE
    return None


def expiry_problem(expires_on: date, today: date) -> str | None:
    """Why this chosen "valid until" day cannot be used, or None."""
    if expires_on < today:
        return "The link cannot expire in the past"
    if expires_on > today + timedelta(days=MAX_DAYS_AHEAD):
        return TOO_FAR_MESSAGE
    return None


def invitation_url(base: str, token: str) -> str:
    """The patient's link: the site's address, then the token (the one place it is built)."""
    return f"{base.rstrip('/')}/i/{token}"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def default_expiry(appointment: date | None, days_valid: int, now: datetime) -> datetime:
    """The end of the day after the appointment, or `days_valid` days from now."""
    if appointment is not None:
        return datetime.combine(appointment + timedelta(days=2), time.min, tzinfo=UTC)
    return now + timedelta(days=days_valid)


LINK_KEY_PURPOSE = b"ldn-screening/patient-link/v1"


def link_key(secret_key: str | bytes) -> bytes:
    """The key links are derived with: the app's secret, for this one purpose only."""
    secret = secret_key.encode("utf-8") if isinstance(secret_key, str) else secret_key
    return hmac.new(secret, LINK_KEY_PURPOSE, hashlib.sha256).digest()


def _derived_token(key: bytes, salt: str) -> str:
    digest = hmac.new(key, salt.encode("ascii"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def issue_token(key: bytes | None) -> tuple[str, str | None, str]:
    """A fresh link token: (token, salt or None when random, the hash to store). Invitations
    and check-ins use the same kind of link."""
    if key is None:
        token = secrets.token_urlsafe(TOKEN_BYTES)
        return token, None, hash_token(token)
    salt = secrets.token_urlsafe(TOKEN_BYTES)
    token = _derived_token(key, salt)
    return token, salt, hash_token(token)


def rebuild_token(salt: str | None, token_hash: str, key: bytes) -> str | None:
    """A derived token again, for a message that must carry it; None when it was random or
    derived with another key (the app's secret has changed)."""
    if salt is None:
        return None
    token = _derived_token(key, salt)
    return token if hmac.compare_digest(hash_token(token), token_hash) else None


def _new_token(invitation: Invitation, key: bytes | None) -> str:
    """A fresh token for this invitation; its hash (and salt, when derived) stored on it."""
    token, invitation.link_salt, invitation.token_hash = issue_token(key)
    return token


def current_token(invitation: Invitation, key: bytes) -> str | None:
    """The invitation's current link token again, for a message that must carry it; None when
    it was not derived with this key (a random token, or the app's secret has changed)."""
    return rebuild_token(invitation.link_salt, invitation.token_hash, key)


def create_invitation(
    session: Session, patient_ref: str, appointment: date | None,
    expires_at: datetime | None = None, days_valid: int = 30, *, key: bytes | None = None,
    email: str | None = None,
) -> tuple[Invitation, str]:
    """A new invitation and its token (the only time a random token exists in clear)."""
    now = utcnow()
    invitation = Invitation(
        email=email,
        patient_ref=patient_ref,
        appointment_date=appointment,
        expires_at=expires_at or default_expiry(appointment, days_valid, now),
        status="active",
        created_at=now,
    )
    token = _new_token(invitation, key)
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


def reissue(
    invitation: Invitation, expires_at: datetime | None = None, days_valid: int = 30, *, key: bytes | None = None,
) -> str:
    """A new token for the same invitation: the old link and every session opened from it
    stop working, progress is kept."""
    token = _new_token(invitation, key)
    invitation.status = "active"
    invitation.expires_at = expires_at or default_expiry(invitation.appointment_date, days_valid, utcnow())
    _next_issue(invitation)
    return token


def revoke(invitation: Invitation) -> None:
    """The link stops working, and so does every session opened from it, for good: a later
    re-issue starts a new issue that no earlier session carries."""
    invitation.status = "revoked"
    _next_issue(invitation)


def _next_issue(invitation: Invitation) -> None:
    # In SQL, not read-modify-write: two doctors acting at once still give two new issues.
    invitation.issue = Invitation.issue + 1


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
