"""`make run`'s demo shows the follow-up at once: a patient on a plan, three check-ins sent
(one flagged), two to come; the flagged one in the queue."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from screening.models import CheckIn, TreatmentPlan
from screening.operations.demo import seed_demo
from screening.operations.demo_followup import CHECKIN_ANSWERS, DAYS_ON_LDN, PATIENT_ON_LDN
from screening.questionnaire import CHECKIN_QUESTIONNAIRE, validate_answers
from screening.rules import checkin_context


def _seed(app) -> None:  # type: ignore[no-untyped-def]
    with app.app_context(), app.extensions["db"].write() as session:
        seed_demo(session)


def test_the_demo_has_a_patient_on_a_plan_with_three_check_ins_one_flagged(app) -> None:
    _seed(app)
    with app.extensions["db"].read() as session:
        (plan,) = session.scalars(select(TreatmentPlan)).all()
        assert plan.response.invitation.patient_ref == PATIENT_ON_LDN and plan.status == "active"
        assert plan.response.review_status == "reviewed"
        checkins = session.scalars(select(CheckIn).order_by(CheckIn.due_date)).all()
        flags = [[f["rule_id"] for f in c.evaluation["flags"]] if c.evaluation else None for c in checkins]
    assert flags == [[], [], ["FU-10"], None, None]
    assert (date.today() - checkins[0].due_date).days == DAYS_ON_LDN - 7


def test_seeding_twice_adds_no_second_plan(app) -> None:
    _seed(app)
    _seed(app)
    with app.extensions["db"].read() as session:
        assert len(session.scalars(select(TreatmentPlan)).all()) == 1


def test_the_demo_answers_are_valid_check_ins(app) -> None:
    from screening.operations.demo import BASE_ANSWERS, DEMO_PATIENTS

    screening = {**BASE_ANSWERS, **dict(DEMO_PATIENTS)[PATIENT_ON_LDN]}
    for answers in CHECKIN_ANSWERS:
        validate_answers(CHECKIN_QUESTIONNAIRE, answers, date.today(), context=checkin_context(screening))


def test_the_flagged_check_in_waits_in_the_doctors_queue(app, doctor) -> None:
    _seed(app)
    queue = doctor.get("/doctor/").get_data(as_text=True)
    assert PATIENT_ON_LDN in queue and "Check-in" in queue
