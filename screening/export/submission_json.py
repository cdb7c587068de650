"""Exports of one stored submission: our JSON (answers, flags, versions) and FHIR."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from ..evaluations import header_numbers
from ..followup.checkins import plan_terms
from ..models import QuestionnaireResponse, StoredEvaluation, TreatmentPlan
from ..questionnaire.model import Questionnaire
from ..rules.plan import dose_schedule
from .fhir import questionnaire_response_resource

EXPORT_FORMAT = "ldn-screening.submission/1"


def submission_document(
    response: QuestionnaireResponse, evaluation: StoredEvaluation, today: date, plans: Sequence[TreatmentPlan] = (),
) -> dict[str, Any]:
    """Everything the summary shows, with codes; `numbers` are counted to `today`; and the
    LDN plans that followed it, with their history and check-ins (followup.md)."""
    return {
        "format": EXPORT_FORMAT,
        "submission_id": response.id,
        "patient_ref": response.invitation.patient_ref,
        "appointment_date": _iso(response.invitation.appointment_date),
        "submitted_at": _iso(response.submitted_at),
        "questionnaire_version": response.questionnaire_version,
        "evaluation": {
            "id": evaluation.id,
            "kind": evaluation.kind,
            "ruleset_version": evaluation.ruleset_version,
            "as_of": evaluation.as_of.isoformat(),
            "urgent": evaluation.urgent,
            "earliest_start": _iso(evaluation.earliest_start),
            "opioid_block": evaluation.opioid_block,
            "flags": evaluation.flags,
            "medicines": evaluation.medicines,
        },
        "numbers": header_numbers(response, evaluation, today).to_json(),
        "answers": response.answers,
        "plans": [plan_document(plan) for plan in plans],
    }


def plan_document(plan: TreatmentPlan) -> dict[str, Any]:
    """One plan as stored: its terms and dose steps, who changed what and when, each check-in
    with its answers and its evaluation as computed at submit (codes, not words). No email."""
    return {
        "id": plan.id,
        "status": plan.status,
        "end_reason": plan.end_reason,
        "ended_at": _iso(plan.ended_at),
        "terms": plan.terms,
        "dose_schedule": [step.to_json() for step in dose_schedule(plan_terms(plan))],
        "history": [{"action": change.action, "at": _iso(change.at), "doctor_id": change.doctor_id,
                     "terms": change.terms, "reason": change.reason} for change in plan.changes],
        "checkins": [{"id": checkin.id, "due_date": _iso(checkin.due_date), "submitted": checkin.submitted,
                      "submitted_at": _iso(checkin.submitted_at),
                      "questionnaire_version": checkin.questionnaire_version, "answers": checkin.answers,
                      "evaluation": checkin.evaluation, "review_status": checkin.review_status}
                     for checkin in plan.checkins],
    }


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def submission_fhir(questionnaire: Questionnaire, response: QuestionnaireResponse) -> dict[str, Any]:
    """The submission as a FHIR R4 QuestionnaireResponse."""
    return questionnaire_response_resource(
        questionnaire, response.answers, response_id=response.id,
        patient_ref=response.invitation.patient_ref, authored=response.submitted_at,
        questionnaire_version=response.questionnaire_version,
    )
