"""Submitting a questionnaire: the patient's own submit, and storing a complete one
directly (demo data, imports and benchmarks). Both evaluate and project into the doctor's
queue the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from ..evaluations import project_into_queue, store_evaluation
from ..invitations import create_invitation
from ..models import QuestionnaireResponse, record_audit, utcnow
from ..outbox.queue import close_invitation
from ..questionnaire.model import Questionnaire
from ..questionnaire.navigation import first_incomplete_page
from .responses import CHECK_PAGE, mark_submitted

CONSENT_QUESTION = "consent_share"  # must be "yes" to submit; "no" keeps the answers here


def ready_to_submit(questionnaire: Questionnaire, answers: Mapping[str, Any]) -> bool:
    """Every shown question answered, and the patient agreed to share their answers."""
    return first_incomplete_page(questionnaire, answers) is None and answers.get(CONSENT_QUESTION) == "yes"


def submit_response(session: Session, response_id: int, *, remote_addr: str | None) -> bool:
    """Lock, evaluate and queue the response; True only for the request that submitted it.

    Runs in the caller's write transaction, on rows the caller has locked and checked with
    `ready_to_submit`, so what was checked is what gets evaluated.
    """
    if not mark_submitted(session, response_id):
        return False  # a double click or a retry: already submitted, nothing to do
    response = session.get_one(QuestionnaireResponse, response_id)
    project_into_queue(response, store_evaluation(session, response, kind="submission"))
    close_invitation(session, response.invitation, "the form was sent")  # no reminders, no address kept
    record_audit(session, f"patient:{response.id}", "response.submitted", target=f"response:{response.id}",
                 remote_addr=remote_addr)
    return True


def create_submitted(
    session: Session, patient_ref: str, answers: Mapping[str, Any], *, appointment: date | None,
    questionnaire_version: str, submitted_at: datetime | None = None,
) -> QuestionnaireResponse:
    invitation, _token = create_invitation(session, patient_ref, appointment)
    moment = submitted_at or utcnow()
    response = QuestionnaireResponse(
        invitation_id=invitation.id, questionnaire_version=questionnaire_version, answers=dict(answers),
        current_page=CHECK_PAGE, submitted=True, submitted_at=moment, updated_at=moment,
    )
    session.add(response)
    session.flush()
    session.refresh(response)
    project_into_queue(response, store_evaluation(session, response, kind="submission"))
    return response
