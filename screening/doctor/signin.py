"""Sign-in as a service: what a failure records, completing a sign-in, the owner's notice.

A failed attempt is audited with the address and whether the account exists (and which),
never with anything typed: a password typed into the email field must not end up in the
audit trail. At the next complete sign-in the account's owner is told how many attempts
failed on their account since their last sign-in, when and from where.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..auth import start_session
from ..models import AuditEvent, Doctor, record_audit

FAILED_ACTIONS = ("doctor.login_failed", "doctor.mfa_failed", "doctor.reauth_failed")
NOTICE_SHOWS = 5  # attempts listed by time and address; the count covers them all


def record_failure(session: Session, action: str, doctor: Doctor | None, address: str | None,
                   actor: str = "anonymous") -> None:
    """Audit a failed attempt: the address and the account if it exists, nothing typed."""
    record_audit(session, actor, action, target=f"doctor:{doctor.id}" if doctor else None, remote_addr=address,
                 account_exists=doctor is not None)


def needs_second_factor(doctor: Doctor) -> bool:
    return bool(doctor.totp_secret) or bool(current_app.config["REQUIRE_MFA"])


@dataclass(frozen=True)
class SignedIn:
    next_url: str
    failed: Sequence[AuditEvent]  # failed attempts on the account since the last sign-in


def complete_sign_in(session: Session, doctor: Doctor, second_factor: str | None, address: str | None) -> SignedIn:
    """Sign the doctor in (a fresh session) and audit it; report failures since last time."""
    since = doctor.last_login_at
    failed = failed_since(session, doctor.id, since)
    next_url = start_session(doctor, second_factor=second_factor is not None)
    record_audit(session, f"doctor:{doctor.id}", "doctor.login", target=f"doctor:{doctor.id}",
                 remote_addr=address, second_factor=second_factor or "none")
    return SignedIn(next_url=next_url, failed=failed)


def failed_since(session: Session, doctor_id: int, since: datetime | None) -> Sequence[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.action.in_(FAILED_ACTIONS), AuditEvent.target == f"doctor:{doctor_id}")
    if since is not None:
        query = query.where(AuditEvent.at > since)
    return session.scalars(query.order_by(AuditEvent.id.desc()).limit(1000)).all()


def failed_notice(failed: Sequence[AuditEvent]) -> str | None:
    """The banner for the queue page, or None when nothing failed."""
    if not failed:
        return None
    listed = "; ".join(f"{event.at:%Y-%m-%d %H:%M} UTC from {event.remote_addr or 'an unknown address'}"
                       for event in failed[:NOTICE_SHOWS])
    more = f" and {len(failed) - NOTICE_SHOWS} more" if len(failed) > NOTICE_SHOWS else ""
    count = len(failed)
    return (f"{count} failed sign-in attempt{'' if count == 1 else 's'} on your account since you last signed in: "
            f"{listed}{more}. If this was not you, change your password and tell the clinic's administrator.")
