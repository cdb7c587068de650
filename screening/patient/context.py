"""Who the patient is for this request, from their session cookie.

The invitation token is swapped for a session at the link, so the token never sits in
the address bar, the history or a Referer header after the first request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from flask import current_app, session
from sqlalchemy.orm import Session, joinedload

from ..db import Database
from ..forms import PageForms
from ..invitations import is_usable
from ..models import QuestionnaireResponse
from ..questionnaire.model import Questionnaire

SESSION_KEY = "patient_response_id"


@dataclass(frozen=True)
class PatientContext:
    response: QuestionnaireResponse
    today: date
    as_of: date

    @property
    def answers(self) -> dict[str, Any]:
        return self.response.answers


def db() -> Database:
    return current_app.extensions["db"]  # type: ignore[no-any-return]


def questionnaire() -> Questionnaire:
    return current_app.extensions["questionnaire"]  # type: ignore[no-any-return]


def page_forms() -> PageForms:
    return current_app.extensions["page_forms"]  # type: ignore[no-any-return]


def today() -> date:
    return datetime.now(UTC).date()


def begin_patient_session(response_id: int) -> None:
    session.clear()  # a fresh session per link: no fixation, no mixing of two patients
    session[SESSION_KEY] = response_id


def load_patient(db_session: Session) -> PatientContext | None:
    """The patient's response, or None if there is no session or the link is no longer usable."""
    response_id = session.get(SESSION_KEY)
    if not isinstance(response_id, int):
        return None
    # One query for the response and its invitation (every patient request needs both).
    response = db_session.get(
        QuestionnaireResponse, response_id, options=[joinedload(QuestionnaireResponse.invitation)])
    if response is None or not is_usable(response.invitation):
        session.pop(SESSION_KEY, None)
        return None
    current = today()
    appointment = response.invitation.appointment_date
    as_of = appointment if appointment and appointment >= current else current
    return PatientContext(response=response, today=current, as_of=as_of)
