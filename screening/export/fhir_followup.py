"""After the start, as FHIR R4 (followup.md section 4): a treatment plan as a
``MedicationRequest`` with one dosage per step of the schedule, each check-in as a
``QuestionnaireResponse`` of the check-in ``Questionnaire``, and its 0–10 symptom scores as
``Observation``s — together in one ``collection`` Bundle per plan.

Pure, like the rest of the package: the caller loads the rows. Entry IDs are UUIDs derived
from the plan's ID and each resource's role, so two exports of one state match.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import NAMESPACE_URL, uuid5

from ..questionnaire.model import Questionnaire
from ..rules.plan import DoseStep, Plan, dose_schedule
from ..rules.scores import SYMPTOM_ITEMS
from .fhir import CHECKIN, PATIENT_REF_SYSTEM, URN_PREFIX, fhir_datetime, questionnaire_response_resource
from .fhir_bundle import SYMPTOM_SYSTEM

PLAN_SYSTEM = URN_PREFIX + "plan"  # MedicationRequest.identifier: the plan's ID
CHECKIN_SYSTEM = URN_PREFIX + "checkin"  # QuestionnaireResponse.identifier: the check-in's ID
UCUM = "http://unitsofmeasure.org"
MEDICATION_TEXT = "Naltrexone, low dose (compounded), by mouth once a day"
# Our plan's state as MedicationRequest.status: an ended plan is completed or stopped.
STATUS_BY_END = {None: "active", "completed": "completed"}


def _uuid(plan_id: int, role: str) -> str:
    return f"urn:uuid:{uuid5(NAMESPACE_URL, f'{URN_PREFIX}plan/{plan_id}/{role}')}"


def _subject(patient_ref: str) -> dict[str, Any]:
    return {"identifier": {"system": PATIENT_REF_SYSTEM, "value": patient_ref}}


def _mg(dose: Decimal) -> dict[str, Any]:
    return {"value": float(dose), "unit": "mg", "system": UCUM, "code": "mg"}


def _dosage(sequence: int, step: DoseStep) -> dict[str, Any]:
    period: dict[str, str] = {"start": step.start.isoformat()}
    if step.end is not None:
        period["end"] = step.end.isoformat()
    until = f" to {step.end.isoformat()}" if step.end else " onwards"
    return {
        "sequence": sequence,
        "text": f"{step.dose_mg.normalize():f} mg once a day from {step.start.isoformat()}{until}",
        "timing": {"repeat": {"boundsPeriod": period, "frequency": 1, "period": 1, "periodUnit": "d"}},
        "route": {"text": "by mouth"},
        "doseAndRate": [{"doseQuantity": _mg(step.dose_mg)}],
    }


def plan_medication_request(
    plan: Plan, *, plan_id: int, patient_ref: str, status: str, end_reason: str | None, authored: datetime,
) -> dict[str, Any]:
    """The plan as a ``MedicationRequest`` (intent ``plan``): one dosage per dose step, each
    bounded by its dates (`timing.repeat.boundsPeriod`), the last open-ended."""
    request: dict[str, Any] = {
        "resourceType": "MedicationRequest",
        "identifier": [{"system": PLAN_SYSTEM, "value": str(plan_id)}],
        "status": STATUS_BY_END.get(end_reason, "stopped") if status == "ended" else "active",
        "intent": "plan",
        "medicationCodeableConcept": {"text": MEDICATION_TEXT},
        "subject": _subject(patient_ref),
        "authoredOn": fhir_datetime(authored),
        "dosageInstruction": [_dosage(n, step) for n, step in enumerate(dose_schedule(plan), start=1)],
    }
    if end_reason is not None:
        request["statusReason"] = {"text": end_reason.replace("_", " ")}
    return request


def checkin_response(
    questionnaire: Questionnaire, checkin_id: int, answers: Mapping[str, Any], *, patient_ref: str,
    submitted_at: datetime | None, questionnaire_version: str, context: Mapping[str, bool],
) -> dict[str, Any]:
    """One check-in as a ``QuestionnaireResponse`` of the check-in Questionnaire."""
    resource = questionnaire_response_resource(
        questionnaire, answers, response_id=f"checkin-{checkin_id}", patient_ref=patient_ref,
        status="completed" if submitted_at else "in-progress", authored=submitted_at,
        questionnaire_version=questionnaire_version, identity=CHECKIN, context=context,
    )
    resource["identifier"] = {"system": CHECKIN_SYSTEM, "value": str(checkin_id)}
    return resource


def symptom_observations(
    answers: Mapping[str, Any], *, patient_ref: str, effective: datetime, derived_from: str,
) -> list[dict[str, Any]]:
    """Each answered 0–10 symptom item (local codes: no LOINC code is claimed for them)."""
    return [
        {
            "resourceType": "Observation",
            "status": "final",
            "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category",
                                      "code": "survey"}]}],
            "code": {"coding": [{"system": SYMPTOM_SYSTEM, "code": qid, "display": label}], "text": label},
            "subject": _subject(patient_ref),
            "effectiveDateTime": fhir_datetime(effective),
            "valueInteger": answers[qid],
            "derivedFrom": [{"reference": derived_from}],
        }
        for qid, label in SYMPTOM_ITEMS if isinstance(answers.get(qid), int)
    ]


def followup_bundle(
    questionnaire: Questionnaire, plan: Plan, *, plan_id: int, patient_ref: str, status: str,
    end_reason: str | None, created_at: datetime, checkins: Sequence[Mapping[str, Any]], timestamp: datetime,
) -> dict[str, Any]:
    """The plan and its submitted check-ins as one Bundle. Each check-in is a mapping with
    `id`, `answers`, `submitted_at`, `questionnaire_version` and `context`."""
    entries = [{"fullUrl": _uuid(plan_id, "plan"), "resource": plan_medication_request(
        plan, plan_id=plan_id, patient_ref=patient_ref, status=status, end_reason=end_reason,
        authored=created_at)}]
    for checkin in checkins:
        url = _uuid(plan_id, f"checkin/{checkin['id']}")
        entries.append({"fullUrl": url, "resource": checkin_response(
            questionnaire, checkin["id"], checkin["answers"], patient_ref=patient_ref,
            submitted_at=checkin["submitted_at"], questionnaire_version=checkin["questionnaire_version"],
            context=checkin["context"])})
        if checkin["submitted_at"] is not None:
            for n, observation in enumerate(symptom_observations(
                    checkin["answers"], patient_ref=patient_ref, effective=checkin["submitted_at"],
                    derived_from=url)):
                entries.append({"fullUrl": _uuid(plan_id, f"checkin/{checkin['id']}/symptom/{n}"),
                                "resource": observation})
    return {
        "resourceType": "Bundle",
        "identifier": {"system": PLAN_SYSTEM, "value": str(plan_id)},
        "type": "collection",
        "timestamp": fhir_datetime(timestamp),
        "entry": entries,
    }

