"""Plans and sent check-ins written straight to the database, as the doctor's plan pages and
the patient's check-in journey will store them: a plan's terms as `Plan.to_json()`, a sent
check-in's answers with its evaluation (`evaluate_checkin(...).to_json()`) and the columns
the queue sorts on (urgent, most serious severity)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask import Flask

from screening.followup.checkins import create_checkin, plan_terms
from screening.models import PlanChange, TreatmentPlan
from screening.questionnaire import CHECKIN_QUESTIONNAIRE
from screening.rules.checkin import evaluate_checkin
from screening.rules.plan import Plan, planned_dose
from screening.rules.severity import most_serious_rank

TODAY = date.today()
START = TODAY - timedelta(days=30)

# A complete check-in with nothing to flag; each test changes only what it is about.
QUIET: dict[str, Any] = {
    "ci_taking": "as_planned", "ci_side_effects": ["none"], "ci_pgic": "much_improved",
    "ci_opioid_since": "no", "ci_new_medicines": "no", "ci_surgery_planned": "no", "ci_pregnant": "no",
    "ci_liver_symptoms": ["none"], "phq9_self_harm": 0,
}


def make_plan(app: Flask, response_id: int, start: date = START, **terms: Any) -> int:
    plan = Plan(start_date=start, **terms)
    with app.extensions["db"].write() as session:
        row = TreatmentPlan(response_id=response_id, terms=plan.to_json(), status="active", version=1)
        session.add(row)
        session.flush()
        session.add(PlanChange(plan_id=row.id, action="started", terms=plan.to_json(),
                               at=datetime.combine(start - timedelta(days=3), time(9), tzinfo=UTC)))
        return row.id


def add_checkin(app: Flask, plan_id: int, due: date) -> int:
    """A check-in not answered yet."""
    with app.extensions["db"].write() as session:
        checkin, _token = create_checkin(session, session.get(TreatmentPlan, plan_id), due, None)
        return checkin.id


def send_checkin(app: Flask, plan_id: int, day: int, changes: dict[str, Any] | None = None,
                 sent_on: date | None = None) -> int:
    """A check-in due on `day` after the plan's start, answered (QUIET, taking the planned
    dose, with `changes`; None removes an answer) and sent on `sent_on` (its due date by default)."""
    with app.extensions["db"].write() as session:
        plan = session.get(TreatmentPlan, plan_id)
        terms = plan_terms(plan)
        due = terms.start_date + timedelta(days=day)
        as_of = sent_on or due
        dose = planned_dose(terms, as_of)
        taking = {"ci_dose_mg": float(dose)} if dose is not None else {}
        answers = {k: v for k, v in {**QUIET, **taking, **(changes or {})}.items() if v is not None}
        checkin, _token = create_checkin(session, plan, due, None)
        evaluation = evaluate_checkin(answers, as_of, terms, plan.response.answers)
        checkin.answers = answers
        checkin.questionnaire_version = CHECKIN_QUESTIONNAIRE.version
        checkin.submitted = True
        checkin.submitted_at = datetime.combine(as_of, time(10), tzinfo=UTC)
        checkin.evaluation = evaluation.to_json()
        checkin.ruleset_version = evaluation.ruleset_version
        checkin.urgent = evaluation.urgent
        checkin.severity_rank = most_serious_rank(flag.severity for flag in evaluation.flags)
        return checkin.id
