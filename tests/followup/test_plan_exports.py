"""A plan leaves the app with its history and check-ins: in the submission's JSON export, and
as a FHIR Bundle from the plan page (validated with fhir.resources)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from fhir.resources.R4B.bundle import Bundle as FhirBundle

from screening.followup.checkins import sync_checkins
from screening.models import PlanChange, QuestionnaireResponse, TreatmentPlan
from screening.questionnaire import CHECKIN_QUESTIONNAIRE
from screening.rules import evaluate_checkin
from screening.rules.plan import Plan

EXAMPLE = Path(__file__).parent / "examples" / "section-6-poor-sleep.json"
SLEEP_ANSWERS = json.loads(EXAMPLE.read_text())["answers"]  # poor sleep, mild (FU-09)

START = date.today() - timedelta(days=10)


@pytest.fixture
def plan_id(app, submit) -> int:  # type: ignore[no-untyped-def]
    response_id = submit("P-EXPORT")
    terms = Plan(start_date=START)
    with app.extensions["db"].write() as session:
        plan = TreatmentPlan(response_id=response_id, terms=terms.to_json(), status="active", version=1,
                             email="pat@example.org")
        session.add(plan)
        session.flush()
        session.add(PlanChange(plan_id=plan.id, action="started", terms=plan.terms))
        first = sync_checkins(session, plan, None, today=START)[0]
        screening = session.get_one(QuestionnaireResponse, response_id).answers
        evaluation = evaluate_checkin(SLEEP_ANSWERS, first.due_date, terms, screening)
        first.answers, first.submitted, first.evaluation = SLEEP_ANSWERS, True, evaluation.to_json()
        first.submitted_at = first.created_at
        first.questionnaire_version = CHECKIN_QUESTIONNAIRE.version
        return plan.id


def test_the_json_export_carries_the_plan_its_history_and_check_ins_without_the_address(
    app, doctor, plan_id,
) -> None:
    with app.extensions["db"].read() as session:
        response_id = session.get_one(TreatmentPlan, plan_id).response_id
    document = json.loads(doctor.get(f"/doctor/submissions/{response_id}/export.json").data)
    (plan,) = document["plans"]
    assert plan["terms"]["start_date"] == START.isoformat() and plan["status"] == "active"
    assert plan["dose_schedule"][0] == {"from": START.isoformat(), "to": (START + timedelta(days=6)).isoformat(),
                                        "dose_mg": 0.5}
    assert [entry["action"] for entry in plan["history"]] == ["started"]
    assert len(plan["checkins"]) == 5
    sent = [c for c in plan["checkins"] if c["submitted"]]
    # The example's 3.5 mg is not the 1 mg planned on day 7: FU-11 too, as stored at submit.
    assert [f["rule_id"] for f in sent[0]["evaluation"]["flags"]] == ["FU-09", "FU-11"]
    assert "pat@example.org" not in json.dumps(document)


def test_the_plan_page_downloads_a_valid_fhir_bundle(app, doctor, plan_id) -> None:
    page = doctor.get(f"/doctor/plans/{plan_id}").get_data(as_text=True)
    link = f"/doctor/plans/{plan_id}/bundle.fhir.json"
    assert f'href="{link}"' in page
    download = doctor.get(link)
    assert download.headers["Content-Disposition"] == f'attachment; filename="ldn-plan-{plan_id}.bundle.fhir.json"'
    bundle = FhirBundle.model_validate(json.loads(download.data))
    kinds = [entry.resource.get_resource_type() for entry in bundle.entry]
    assert kinds[:2] == ["MedicationRequest", "QuestionnaireResponse"] and set(kinds[2:]) <= {"Observation"}


def test_an_unknown_plan_is_not_found(doctor) -> None:
    assert doctor.get("/doctor/plans/999999/bundle.fhir.json").status_code == 404

