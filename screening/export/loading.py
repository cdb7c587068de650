"""Loading what an export needs, for views and commands: they call one function here.

The queries are the doctor workspace's own (the stored evaluation as the summary reads it,
the current decisions), so an export shows exactly what the summary shows.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from ..followup.checkins import plan_terms
from ..models import QuestionnaireResponse, TreatmentPlan
from ..questionnaire.model import Questionnaire
from ..rules import checkin_context
from .fhir_bundle import submission_bundle
from .fhir_followup import followup_bundle


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


def plans_for_export(session: Session, response_id: int) -> list[TreatmentPlan]:
    """A submission's LDN plans with their history and check-ins, oldest first."""
    return list(session.scalars(
        select(TreatmentPlan).options(selectinload(TreatmentPlan.changes), selectinload(TreatmentPlan.checkins))
        .where(TreatmentPlan.response_id == response_id).order_by(TreatmentPlan.id)))


def followup_bundle_for(
    session: Session, questionnaire: Questionnaire, plan_id: int, *, now: datetime | None = None,
) -> dict[str, Any] | None:
    """One plan and its submitted check-ins as a FHIR Bundle; None when there is no such plan."""
    plan = session.scalar(
        select(TreatmentPlan).options(joinedload(TreatmentPlan.response).joinedload(QuestionnaireResponse.invitation),
                                      selectinload(TreatmentPlan.checkins))
        .where(TreatmentPlan.id == plan_id))
    if plan is None:
        return None
    context = checkin_context(plan.response.answers)
    checkins = [{"id": c.id, "answers": c.answers, "submitted_at": c.submitted_at,
                 "questionnaire_version": c.questionnaire_version or questionnaire.version, "context": context}
                for c in plan.checkins if c.submitted]
    return followup_bundle(questionnaire, plan_terms(plan), plan_id=plan.id,
                           patient_ref=plan.response.invitation.patient_ref, status=plan.status,
                           end_reason=plan.end_reason, created_at=plan.created_at, checkins=checkins,
                           timestamp=now or datetime.now(UTC))
