"""Loading what an export needs, for views and commands: they call one function here.

The queries are the doctor workspace's own (the stored evaluation as the summary reads it,
the current decisions), so an export shows exactly what the summary shows.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from ..questionnaire.model import Questionnaire
from .fhir_bundle import submission_bundle


def fhir_bundle_for(
    session: Session, questionnaire: Questionnaire, response_id: int, *, now: datetime | None = None,
) -> dict[str, Any] | None:
    """The submitted questionnaire `response_id` as a FHIR Bundle (flags, decisions, scores),
    made at `now` (default: this moment); None when there is no such submission."""
    # Imported here: screening.doctor's views import this package (see fhir_bundle._reason_label).
    from ..doctor.decisions import current_decisions
    from ..doctor.submissions import load_with_stored_evaluation

    found = load_with_stored_evaluation(session, response_id)
    if found is None:
        return None
    response, evaluation = found
    moment = now or datetime.now(UTC)
    return submission_bundle(questionnaire, response, evaluation, current_decisions(session, evaluation.id),
                             moment.date(), timestamp=moment)
