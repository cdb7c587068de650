"""Store a complete, submitted questionnaire directly: demo data, imports and benchmarks.

Goes through the same evaluation and queue projection as a patient's own submit.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from ..evaluations import project_into_queue, store_evaluation
from ..invitations import create_invitation
from ..models import QuestionnaireResponse, utcnow
from .responses import CHECK_PAGE


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
