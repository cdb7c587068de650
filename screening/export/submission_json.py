"""Exports of one stored submission: our JSON (answers, flags, versions) and FHIR."""

from __future__ import annotations

from datetime import date
from typing import Any

from ..evaluations import header_numbers
from ..models import QuestionnaireResponse, StoredEvaluation
from ..questionnaire.model import Questionnaire
from .fhir import questionnaire_response_resource

EXPORT_FORMAT = "ldn-screening.submission/1"


def submission_document(response: QuestionnaireResponse, evaluation: StoredEvaluation, today: date) -> dict[str, Any]:
    """Everything the summary shows, with codes; `numbers` are counted to `today`."""
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
