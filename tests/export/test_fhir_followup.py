"""The follow-up as FHIR R4: the plan as a MedicationRequest with a dosage per step, each
check-in as a QuestionnaireResponse of the check-in Questionnaire, symptom Observations,
one Bundle — every resource validated with fhir.resources (R4B models, as the other
export tests)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from fhir.resources.R4B.bundle import Bundle as FhirBundle
from fhir.resources.R4B.medicationrequest import MedicationRequest as FhirMedicationRequest
from fhir.resources.R4B.questionnaire import Questionnaire as FhirQuestionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse as FhirResponse

from screening.export.fhir import CHECKIN, CHECKIN_QUESTIONNAIRE_URL, questionnaire_resource
from screening.export.fhir_followup import checkin_response, followup_bundle, plan_medication_request
from screening.questionnaire import CHECKIN_QUESTIONNAIRE
from screening.rules import checkin_context
from screening.rules.plan import Plan

EXAMPLES = Path(__file__).resolve().parents[1] / "followup" / "examples"
STARTED = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
PLAN = Plan(start_date=date(2026, 12, 1))  # 0.5 mg, +0.5 mg a week, up to 4.5 mg


def _example(name: str) -> dict:
    return json.loads((EXAMPLES / name).read_text())


def _request(plan: Plan = PLAN, status: str = "active", end_reason: str | None = None) -> dict:
    return plan_medication_request(plan, plan_id=7, patient_ref="P-7", status=status, end_reason=end_reason,
                                   authored=STARTED)


def test_the_check_in_questionnaire_is_its_own_and_valid() -> None:
    resource = questionnaire_resource(CHECKIN_QUESTIONNAIRE, CHECKIN)
    FhirQuestionnaire.model_validate(resource)
    assert resource["url"] == CHECKIN_QUESTIONNAIRE_URL and resource["version"] == CHECKIN_QUESTIONNAIRE.version
    link_ids = json.dumps(resource)
    assert '"ci_taking"' in link_ids and '"ci_pgic"' in link_ids and '"pain_average"' in link_ids


def test_the_plan_is_a_medication_request_with_one_dosage_per_step() -> None:
    request = _request()
    FhirMedicationRequest.model_validate(request)
    dosages = request["dosageInstruction"]
    assert len(dosages) == 9  # 0.5, 1.0 … 4.5 mg
    first, last = dosages[0], dosages[-1]
    assert first["timing"]["repeat"]["boundsPeriod"] == {"start": "2026-12-01", "end": "2026-12-07"}
    assert first["doseAndRate"][0]["doseQuantity"] == {
        "value": 0.5, "unit": "mg", "system": "http://unitsofmeasure.org", "code": "mg"}
    assert last["timing"]["repeat"]["boundsPeriod"] == {"start": "2027-01-26"}  # the target, open-ended
    assert last["doseAndRate"][0]["doseQuantity"]["value"] == 4.5
    assert request["intent"] == "plan" and request["status"] == "active"


@pytest.mark.parametrize(("status", "reason", "expected"), [
    ("active", None, "active"), ("ended", "completed", "completed"),
    ("ended", "stopped_side_effects", "stopped"), ("ended", "stopped_no_benefit", "stopped"),
])
def test_the_plans_state_is_the_requests_status(status: str, reason: str | None, expected: str) -> None:
    request = _request(status=status, end_reason=reason)
    FhirMedicationRequest.model_validate(request)
    assert request["status"] == expected


def test_a_fixed_dose_plan_has_one_open_ended_dosage() -> None:
    fixed = Plan(start_date=date(2026, 12, 1), start_dose_mg=Decimal("1.5"), step_mg=Decimal("0"))
    (dosage,) = _request(fixed)["dosageInstruction"]
    assert dosage["timing"]["repeat"]["boundsPeriod"] == {"start": "2026-12-01"}


@pytest.mark.parametrize("example", sorted(EXAMPLES.glob("*.json")), ids=lambda p: p.stem)
def test_each_worked_check_in_is_a_valid_response_of_the_check_in_questionnaire(example: Path) -> None:
    document = json.loads(example.read_text())
    context = checkin_context(document.get("screening", {}).get("answers", {}))
    resource = checkin_response(CHECKIN_QUESTIONNAIRE, 3, document["answers"], patient_ref="P-7",
                                submitted_at=STARTED, questionnaire_version=CHECKIN_QUESTIONNAIRE.version,
                                context=context)
    FhirResponse.model_validate(resource)
    assert resource["questionnaire"] == f"{CHECKIN_QUESTIONNAIRE_URL}|{CHECKIN_QUESTIONNAIRE.version}"
    assert resource["identifier"]["value"] == "3" and resource["status"] == "completed"


def test_the_bundle_holds_the_plan_each_check_in_and_its_symptoms() -> None:
    document = _example(sorted(p.name for p in EXAMPLES.glob("*.json"))[0])
    checkin = {"id": 3, "answers": document["answers"], "submitted_at": STARTED,
               "questionnaire_version": CHECKIN_QUESTIONNAIRE.version,
               "context": checkin_context(document.get("screening", {}).get("answers", {}))}
    bundle = followup_bundle(CHECKIN_QUESTIONNAIRE, PLAN, plan_id=7, patient_ref="P-7", status="active",
                             end_reason=None, created_at=STARTED, checkins=[checkin], timestamp=STARTED)
    FhirBundle.model_validate(bundle)
    kinds = [entry["resource"]["resourceType"] for entry in bundle["entry"]]
    symptoms = sum(isinstance(document["answers"].get(q), int) for q in (
        "pain_average", "pain_interference", "fatigue", "brain_fog", "sleep_problems", "low_mood", "anxiety"))
    assert kinds == ["MedicationRequest", "QuestionnaireResponse"] + ["Observation"] * symptoms
    response_url = bundle["entry"][1]["fullUrl"]
    assert all(e["resource"]["derivedFrom"] == [{"reference": response_url}] for e in bundle["entry"][2:])
    again = followup_bundle(CHECKIN_QUESTIONNAIRE, PLAN, plan_id=7, patient_ref="P-7", status="active",
                            end_reason=None, created_at=STARTED, checkins=[checkin], timestamp=STARTED)
    assert again == bundle  # identical state, identical Bundle
