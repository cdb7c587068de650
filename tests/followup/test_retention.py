"""A patient's plan, its history, check-ins and their emails go with the patient's data:
erasure and the retention purge leave nothing behind and trip on no foreign key."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from screening.followup.checkins import sync_checkins
from screening.models import CheckIn, OutboxMessage, PlanChange, TreatmentPlan
from screening.operations.retention import erase_patient, purge
from screening.outbox.queue import enqueue
from screening.rules.plan import Plan


@pytest.fixture
def patient_on_a_plan(app, submit) -> str:  # type: ignore[no-untyped-def]
    response_id = submit("P-ERASE", appointment=date.today() + timedelta(days=7))
    with app.extensions["db"].write() as session:
        plan = TreatmentPlan(response_id=response_id, terms=Plan(start_date=date.today()).to_json(),
                             status="active", version=1, email="pat@example.org")
        session.add(plan)
        session.flush()
        session.add(PlanChange(plan_id=plan.id, action="started", terms=plan.terms))
        (first, *_rest) = sync_checkins(session, plan, b"k" * 32)
        enqueue(session, "checkin", "checkin", checkin_id=first.id, domain="clinic.example")
    return "P-ERASE"


def _left(app) -> dict[str, int]:  # type: ignore[no-untyped-def]
    with app.extensions["db"].read() as session:
        return {model.__name__: session.scalar(select(func.count()).select_from(model)) or 0
                for model in (TreatmentPlan, PlanChange, CheckIn, OutboxMessage)}


def test_erasing_a_patient_removes_their_plan_check_ins_and_emails(app, patient_on_a_plan) -> None:
    assert _left(app) == {"TreatmentPlan": 1, "PlanChange": 1, "CheckIn": 5, "OutboxMessage": 1}
    with app.extensions["db"].write() as session:
        assert erase_patient(session, patient_on_a_plan) == 1
    assert _left(app) == {"TreatmentPlan": 0, "PlanChange": 0, "CheckIn": 0, "OutboxMessage": 0}


def test_the_retention_purge_removes_them_with_the_submission(app, patient_on_a_plan) -> None:
    with app.extensions["db"].write() as session:
        counts = purge(session, unsubmitted_days=90, retention_days=1,
                       now=datetime.now(UTC) + timedelta(days=2))
    assert counts.past_retention == 1
    assert _left(app) == {"TreatmentPlan": 0, "PlanChange": 0, "CheckIn": 0, "OutboxMessage": 0}
