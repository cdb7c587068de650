"""A patient's questionnaire response: start or resume it, save a page, submit it.

Each function runs inside the caller's write transaction. Saving merges the page's
answers, then drops every answer whose question is now hidden, so changing an earlier
answer can never leave a stale branch behind.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from .models import Invitation, QuestionnaireResponse, record_audit, utcnow
from .questionnaire.model import Questionnaire
from .questionnaire.navigation import next_page

CHECK_PAGE = "check"


def start_or_resume(session: Session, invitation: Invitation, questionnaire: Questionnaire) -> QuestionnaireResponse:
    response = session.scalar(
        select(QuestionnaireResponse).where(QuestionnaireResponse.invitation_id == invitation.id)
    )
    if response is None:
        response = QuestionnaireResponse(
            invitation_id=invitation.id,
            questionnaire_version=questionnaire.version,
            answers={},
            current_page=questionnaire.pages[0].id,
        )
        session.add(response)
        session.flush()
        record_audit(session, f"patient:{response.id}", "response.started", target=f"response:{response.id}")
    return response


def merge_page_answers(
    questionnaire: Questionnaire, answers: Mapping[str, Any], page_answers: Mapping[str, Any]
) -> dict[str, Any]:
    """Saved answers updated with one page; blanks removed; hidden questions pruned."""
    merged = {**answers, **page_answers}
    merged = {qid: value for qid, value in merged.items() if value is not None}
    kept, _dropped = questionnaire.prune(merged)
    return kept


def save_page(
    session: Session, response: QuestionnaireResponse, questionnaire: Questionnaire,
    page_id: str, page_answers: Mapping[str, Any],
) -> str:
    """Store one page's answers; returns the ID of the page to show next."""
    response.answers = merge_page_answers(questionnaire, response.answers, page_answers)
    following = next_page(questionnaire, page_id, response.answers)
    response.current_page = following.id if following else CHECK_PAGE
    response.revision += 1
    response.updated_at = utcnow()
    return response.current_page


def mark_submitted(session: Session, response_id: int, now: datetime | None = None) -> bool:
    """Lock the response. True only for the request that actually submitted it.

    A conditional UPDATE makes a double click or a retry harmless: the second one
    matches no row and changes nothing.
    """
    result = session.execute(
        update(QuestionnaireResponse)
        .where(QuestionnaireResponse.id == response_id, QuestionnaireResponse.submitted.is_(False))
        .values(submitted=True, submitted_at=now or utcnow(), current_page=CHECK_PAGE)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)
