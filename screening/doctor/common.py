"""Small helpers the doctor views share: the audit trail, the acting doctor, query parameters."""

from __future__ import annotations

from datetime import date
from typing import Any, TypeVar

from flask import abort, request
from flask_login import current_user
from sqlalchemy.orm import Session

from ..extensions import db
from ..models import record_audit

T = TypeVar("T")


def or_404(found: T | None) -> T:
    """What a service found, or a 404 page when it found nothing."""
    if found is None:
        abort(404)
    return found


def doctor_id() -> int:
    return int(current_user.id)


def audit(session: Session, action: str, target: str | None = None, **details: Any) -> None:
    record_audit(session, f"doctor:{current_user.id}", action, target=target,
                 remote_addr=request.remote_addr, **details)


def audit_access(action: str, target: str, **details: Any) -> None:
    """Records that a doctor saw or exported something, in its own short transaction.

    Views read and render in a read transaction and call this before returning what they
    built: nothing reaches the doctor unless its audit event is committed, and no write
    lock is held while a page renders (on SQLite it would block every patient's save).
    """
    with db().write() as session:
        audit(session, action, target=target, **details)


def date_arg(name: str) -> date | None:
    """A YYYY-MM-DD query parameter, or None when absent or not a date (filters ignore it)."""
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


def page_arg() -> int:
    """The ?page= number: a positive whole number, else 1."""
    value = request.args.get("page", "1")
    return min(int(value), 100_000) if value.isdigit() and int(value) > 0 else 1
