"""Loading one submitted questionnaire for the doctor, with the evaluation made at submit.

The statements are built once. The summary, its PDF and exports, decisions and the
re-evaluation view all read "the stored evaluation" through the same query: the
`submission` evaluation with the lowest ID, exactly as computed then.
"""

from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, joinedload

from ..models import QuestionnaireResponse, StoredEvaluation

_SUBMISSION = (
    select(QuestionnaireResponse)
    .options(joinedload(QuestionnaireResponse.invitation))
    .where(QuestionnaireResponse.id == bindparam("response_id"), QuestionnaireResponse.submitted.is_(True))
)
# The same with the stored evaluation, still one query: on PostgreSQL each page view
# pays per round trip.
_SUBMISSION_AND_STORED_EVALUATION = (
    _SUBMISSION.add_columns(StoredEvaluation)
    .join(StoredEvaluation, (StoredEvaluation.response_id == QuestionnaireResponse.id)
          & (StoredEvaluation.kind == "submission"))
    .order_by(StoredEvaluation.id)
    .limit(1)
)


def load_submission(session: Session, response_id: int) -> QuestionnaireResponse | None:
    return session.scalar(_SUBMISSION, {"response_id": response_id})


def load_with_stored_evaluation(
    session: Session, response_id: int,
) -> tuple[QuestionnaireResponse, StoredEvaluation] | None:
    found = session.execute(_SUBMISSION_AND_STORED_EVALUATION, {"response_id": response_id}).one_or_none()
    if found is None:
        return None
    response, evaluation = found
    return response, evaluation


def load_reevaluation(session: Session, response_id: int, evaluation_id: int) -> StoredEvaluation | None:
    """A re-evaluation, only under its own submission."""
    fresh = session.get(StoredEvaluation, evaluation_id)
    if fresh is None or fresh.response_id != response_id or fresh.kind != "reevaluation":
        return None
    return fresh
