"""Small helpers the doctor views share: the database, the audit trail, the acting doctor."""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from flask_login import current_user
from sqlalchemy.orm import Session

from ..db import Database
from ..models import record_audit
from ..questionnaire.model import Questionnaire


def db() -> Database:
    return current_app.extensions["db"]  # type: ignore[no-any-return]


def questionnaire() -> Questionnaire:
    return current_app.extensions["questionnaire"]  # type: ignore[no-any-return]


def doctor_id() -> int:
    return int(current_user.id)


def audit(session: Session, action: str, target: str | None = None, **details: Any) -> None:
    record_audit(session, f"doctor:{current_user.id}", action, target=target,
                 remote_addr=request.remote_addr, **details)
