"""A patient's browser on a check-in, and the rows a check-in needs: a reviewed screening
submission, a treatment plan on it (created directly: the doctor's side is tested on its
own) and the check-in with its link token.

`CheckinClient` is the screening's PatientClient (tests/patient_client.py) on the check-in's
addresses, so both journeys are driven the same way: real forms, CSRF and redirects.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import select
from werkzeug.test import TestResponse

from screening.followup.checkins import create_checkin
from screening.models import CheckIn, TreatmentPlan
from screening.patient.submission import create_submitted
from screening.questionnaire import QUESTIONNAIRE
from screening.rules.plan import Plan
from tests.doctor_fixtures import CLEAN_ANSWERS
from tests.patient_client import REVISION_INPUT, PatientClient, form_fields

# A check-in of a patient 7 days into the default plan (planned dose 1 mg): every page a
# female patient off thyroid hormone sees, as a browser sends them. Poor sleep that
# bothers her a little is the contract's FU-09 and nothing else.
DAY = 7
CHECKIN_PAGES: dict[str, dict[str, Any]] = {
    "ci_taking": {"ci_taking": "as_planned"},
    "ci_taking_details": {"ci_dose_mg": "1"},
    "ci_side_effects": {"ci_side_effects": ["poor_sleep"]},
    "ci_side_effect_details": {"ci_side_effect_impact": "mild"},
    "ci_feel": {"pain_average": "5", "fatigue": "6", "ci_pgic": "minimally_improved"},
    "ci_safety": {"ci_opioid_since": "no", "ci_new_medicines": "no", "ci_surgery_planned": "no",
                  "ci_pregnant": "no", "ci_liver_symptoms": ["none"]},
    "ci_mood": {"phq9_self_harm": "0"},
    "ci_comments": {"ci_comments": "Sleeping a bit worse."},
}
# The screening the plan followed: CLEAN_ANSWERS (female, no thyroid hormone), with a baseline.
SCREENING_ANSWERS: dict[str, Any] = {**CLEAN_ANSWERS, "pain_average": 7, "fatigue": 6}
ON_THYROID_HORMONE: dict[str, Any] = {
    "thyroid_conditions": ["hashimotos"], "thyroid_medication": ["levothyroxine"], "hyperthyroid_symptoms": ["none"],
    "thyroid_dose_changed_6m": "no",
}


def until(page_id: str, pages: Mapping[str, Mapping[str, Any]] = CHECKIN_PAGES) -> dict[str, Mapping[str, Any]]:
    """The pages before `page_id`."""
    before: dict[str, Mapping[str, Any]] = {}
    for key, value in pages.items():
        if key == page_id:
            break
        before[key] = value
    return before


@dataclass(frozen=True)
class MadeCheckin:
    checkin_id: int
    plan_id: int
    response_id: int
    token: str
    due: date


def make_checkin(
    app: Flask, *, due: date | None = None, screening: Mapping[str, Any] | None = None, patient_ref: str = "P-CI",
    day: int = DAY,
) -> MadeCheckin:
    """A reviewed submission, an active plan started `day` days before `due` (today by
    default) and a check-in due on `due`."""
    due = due or date.today()
    answers = {k: v for k, v in {**SCREENING_ANSWERS, **(screening or {})}.items() if v is not None}
    with app.extensions["db"].write() as session:
        response = create_submitted(session, patient_ref, answers, appointment=None,
                                    questionnaire_version=QUESTIONNAIRE.version)
        response.review_status = "reviewed"
        plan = TreatmentPlan(response_id=response.id, terms=Plan(start_date=due - timedelta(days=day)).to_json(),
                             status="active")
        session.add(plan)
        session.flush()
        checkin, token = create_checkin(session, plan, due, None)
        return MadeCheckin(checkin.id, plan.id, response.id, token, due)


def stored(app: Flask, checkin_id: int) -> CheckIn:
    with app.extensions["db"].read() as session:
        checkin = session.scalars(select(CheckIn).where(CheckIn.id == checkin_id)).one()
        session.expunge(checkin)
        return checkin


def checkin_form_fields(answers: Mapping[str, Any]) -> dict[str, Any]:
    """Page answers → the form fields a browser would send (the medicine list under its own name)."""
    data = form_fields({qid: value for qid, value in answers.items() if qid != "ci_medications"})
    for index, entry in enumerate(answers.get("ci_medications", [])):
        data[f"ci_medications-{index}-name"] = entry.get("name", "")
        if entry.get("how_often"):
            data[f"ci_medications-{index}-how_often"] = entry["how_often"]
    return data


class CheckinClient(PatientClient):
    """The screening's test browser on a check-in's addresses."""

    def open_link(self) -> TestResponse:
        self._csrf = None  # opening a link starts a new session, with a new CSRF secret
        return self.client.get(f"/c/{self.token}")

    def page(self, page_id: str) -> TestResponse:
        return self.client.get(f"/checkin/page/{page_id}")

    def revision(self, page_id: str) -> str:
        html = self.client.get(f"/checkin/page/{page_id}", follow_redirects=True).get_data(as_text=True)
        match = REVISION_INPUT.search(html)
        return match.group(1) if match else "0"

    def post_page(self, page_id: str, answers: Mapping[str, Any], query: str = "", **extra: Any) -> TestResponse:
        data = {
            "csrf_token": self.csrf_token(f"/checkin/page/{page_id}"),
            "revision": self.revision(page_id),
            **checkin_form_fields(answers),
            **extra,
        }
        return self.client.post(f"/checkin/page/{page_id}{query}", data=data)

    def submit(self) -> TestResponse:
        return self.client.post("/checkin/submit", data={"csrf_token": self.csrf_token("/checkin/check")})

    def html(self, path: str) -> str:
        return self.client.get(path).get_data(as_text=True)
