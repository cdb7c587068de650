"""Treatment plans, the service (screening.followup.plans): starting one is refused unless the
submission is reviewed and every critical flag decided, and while a plan is active; start,
change and end write the history; a change based on a stale version is refused (one doctor
wins, the other is told, nothing is overwritten); check-ins follow the check-in days and
are kept on a change; "send a check-in now"; `flask plans`."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select, update

from screening.doctor.decisions import DecisionInput, decide_flag
from screening.followup import plans as plans_service
from screening.followup.plans import (
    CriticalFlagsUndecided,
    NothingChanged,
    NotReviewed,
    PlanAlreadyActive,
    PlanConflict,
    PlanNotActive,
    PlanRefused,
    active_plans,
    change_plan,
    checkin_now,
    end_plan,
    load_plan,
    start_plan,
)
from screening.invitations import hash_token, rebuild_token
from screening.models import CheckIn, PlanChange, QuestionnaireResponse, StoredEvaluation, TreatmentPlan
from screening.rules.plan import DEFAULT_CHECKIN_DAYS, END_REASONS, Plan

TODAY = date.today()
KEY = b"k" * 32
PREGNANT_AND_JAUNDICED = {"pregnant": "yes", "liver_symptoms_now": ["jaundice"]}  # PREG-01, LIV-05: critical
KIDNEY = {"kidney_disease": "dialysis"}  # REN-01: a warning, which never holds a plan back


def the_db(app: Any) -> Any:
    return app.extensions["db"]


def mark_reviewed(app: Any, response_id: int) -> None:
    with the_db(app).write() as session:
        session.execute(update(QuestionnaireResponse).where(QuestionnaireResponse.id == response_id)
                        .values(review_status="reviewed", review_version=QuestionnaireResponse.review_version + 1))


def decide(app: Any, response_id: int, rule_id: str, decision: str, doctor_id: int) -> None:
    with the_db(app).write() as session:
        evaluation_id = session.scalar(select(StoredEvaluation.id).where(StoredEvaluation.response_id == response_id))
        reason = "known_and_managed" if decision == "overridden" else None
        decide_flag(session, evaluation_id, doctor_id, DecisionInput(rule_id, decision, reason, None, 0))


def start(app: Any, response_id: int, doctor_id: int, plan: Plan | None = None, email: str | None = None) -> int:
    with the_db(app).write() as session:
        return start_plan(session, response_id, plan or Plan(start_date=TODAY), doctor_id=doctor_id, email=email,
                          key=KEY).id


def plan_row(app: Any, plan_id: int) -> TreatmentPlan:
    with the_db(app).read() as session:
        found = load_plan(session, plan_id)
        assert found is not None
        return found


@pytest.fixture
def doctor_id(make_doctor) -> int:  # type: ignore[no-untyped-def]
    return make_doctor()


@pytest.fixture
def reviewed(app, submit) -> int:  # type: ignore[no-untyped-def]
    """A clean submission, reviewed: a plan may start."""
    response_id = submit("PT-PLAN")
    mark_reviewed(app, response_id)
    return response_id


# --- refusals ------------------------------------------------------------------------------

def test_a_plan_is_refused_on_a_submission_not_reviewed(app, submit, doctor_id):
    response_id = submit("PT-NEW")
    with pytest.raises(NotReviewed, match="Mark the questionnaire as reviewed"):
        start(app, response_id, doctor_id)
    with the_db(app).read() as session:
        assert session.scalars(select(TreatmentPlan)).all() == []


def test_undecided_critical_flags_are_named_in_words(app, submit, doctor_id):
    response_id = submit("PT-CRIT", PREGNANT_AND_JAUNDICED)
    mark_reviewed(app, response_id)
    with pytest.raises(CriticalFlagsUndecided) as refused:
        start(app, response_id, doctor_id)
    assert [flag.rule_id for flag in refused.value.flags] == ["LIV-05", "PREG-01"]
    assert "LIV-05 Jaundice now" in refused.value.message and "PREG-01 Pregnant" in refused.value.message
    assert "these 2 critical flags" in refused.value.message


@pytest.mark.parametrize("decision", ["accepted", "overridden"])
def test_a_plan_starts_once_every_critical_flag_is_decided(app, submit, doctor_id, decision):
    response_id = submit("PT-CRIT", PREGNANT_AND_JAUNDICED)
    mark_reviewed(app, response_id)
    decide(app, response_id, "PREG-01", decision, doctor_id)
    with pytest.raises(CriticalFlagsUndecided) as refused:  # one left: only it is named
        start(app, response_id, doctor_id)
    assert "LIV-05 Jaundice now" in refused.value.message and "PREG-01" not in refused.value.message
    decide(app, response_id, "LIV-05", decision, doctor_id)
    assert start(app, response_id, doctor_id)


def test_warnings_do_not_hold_a_plan_back(app, submit, doctor_id):
    response_id = submit("PT-KIDNEY", KIDNEY)
    mark_reviewed(app, response_id)
    assert start(app, response_id, doctor_id)


def test_a_second_active_plan_is_refused_and_allowed_once_the_first_ended(app, reviewed, doctor_id):
    first = start(app, reviewed, doctor_id)
    with pytest.raises(PlanAlreadyActive) as refused:
        start(app, reviewed, doctor_id)
    assert refused.value.plan_id == first
    with the_db(app).write() as session:
        end_plan(session, first, "stopped_other", "Moved away", version=1, doctor_id=doctor_id)
    assert start(app, reviewed, doctor_id) != first


# --- starting ------------------------------------------------------------------------------

def test_start_writes_the_plan_its_history_and_a_check_in_per_check_in_day(app, reviewed, doctor_id):
    terms = Plan(start_date=TODAY + timedelta(days=3), start_dose_mg=Decimal("1"), checkin_days=(28, 7))
    plan_id = start(app, reviewed, doctor_id, terms, email="patient@example.org")
    plan = plan_row(app, plan_id)
    assert (plan.status, plan.version, plan.terms, plan.email, plan.created_by_id) == (
        "active", 1, terms.to_json(), "patient@example.org", doctor_id)
    [started] = plan.changes
    assert (started.action, started.terms, started.doctor_id, started.doctor.email) == (
        "started", terms.to_json(), doctor_id, "dr.who@clinic.example")
    assert [c.due_date for c in plan.checkins] == [TODAY + timedelta(days=10), TODAY + timedelta(days=31)]
    for checkin in plan.checkins:
        assert checkin.opens_on == checkin.due_date
        assert checkin.expires_at == datetime.combine(checkin.due_date + timedelta(days=14), time.max, tzinfo=UTC)
        token = rebuild_token(checkin.link_salt, checkin.token_hash, KEY)  # an email can carry it later
        assert token and hash_token(token) == checkin.token_hash


def test_the_default_plan_gets_the_default_check_ins(app, reviewed, doctor_id):
    plan = plan_row(app, start(app, reviewed, doctor_id))
    assert [c.due_date for c in plan.checkins] == [TODAY + timedelta(days=d) for d in DEFAULT_CHECKIN_DAYS]


# --- changing ------------------------------------------------------------------------------

def test_a_change_keeps_created_check_ins_and_adds_new_days(app, reviewed, doctor_id):
    plan_id = start(app, reviewed, doctor_id, Plan(start_date=TODAY, checkin_days=(7, 14)))
    before = {c.due_date: c.id for c in plan_row(app, plan_id).checkins}
    with the_db(app).write() as session:
        created = change_plan(session, plan_id, Plan(start_date=TODAY, step_mg=Decimal("1"), checkin_days=(14, 21)),
                              version=1, doctor_id=doctor_id, key=KEY)
        assert [c.due_date for c in created] == [TODAY + timedelta(days=21)]
    plan = plan_row(app, plan_id)
    after = {c.due_date: c.id for c in plan.checkins}
    assert {day: after[day] for day in before} == before  # day 7 is no longer planned, but is kept
    assert sorted(after) == [TODAY + timedelta(days=d) for d in (7, 14, 21)]
    assert (plan.version, plan.terms["step_mg"], plan.terms["checkin_days"]) == (2, 1.0, [14, 21])
    assert [(c.action, c.terms["step_mg"]) for c in plan.changes] == [("started", 0.5), ("changed", 1.0)]


def test_two_doctors_changing_at_once_one_wins_the_other_is_told(app, reviewed, doctor_id, make_doctor):
    other = make_doctor("second@clinic.example")
    plan_id = start(app, reviewed, doctor_id)
    # Both opened the plan at version 1; the first to save wins.
    with the_db(app).write() as session:
        change_plan(session, plan_id, Plan(start_date=TODAY, step_days=14), version=1, doctor_id=doctor_id, key=KEY)
    with pytest.raises(PlanConflict), the_db(app).write() as session:
        change_plan(session, plan_id, Plan(start_date=TODAY, step_days=10), version=1, doctor_id=other, key=KEY)
    with pytest.raises(PlanConflict), the_db(app).write() as session:
        end_plan(session, plan_id, "completed", None, version=1, doctor_id=other)
    plan = plan_row(app, plan_id)
    assert (plan.status, plan.version, plan.terms["step_days"]) == ("active", 2, 14)
    assert [(c.action, c.doctor_id) for c in plan.changes] == [("started", doctor_id), ("changed", doctor_id)]
    # From the version they now see, the other doctor's change goes through.
    with the_db(app).write() as session:
        change_plan(session, plan_id, Plan(start_date=TODAY, step_days=10), version=2, doctor_id=other, key=KEY)
    assert plan_row(app, plan_id).terms["step_days"] == 10


def test_the_update_itself_decides_not_the_read_before_it(app, reviewed, doctor_id, make_doctor, monkeypatch):
    """Both doctors read version 1; the late one's read happened before the first committed,
    so only the conditional UPDATE stands between them: it matches no row."""
    other = make_doctor("second@clinic.example")
    plan_id = start(app, reviewed, doctor_id)
    with the_db(app).write() as session:
        change_plan(session, plan_id, Plan(start_date=TODAY, step_days=14), version=1, doctor_id=doctor_id, key=KEY)
    monkeypatch.setattr(plans_service, "_current", lambda session, plan_id, _version: session.get(TreatmentPlan,
                                                                                                   plan_id))
    with pytest.raises(PlanConflict), the_db(app).write() as session:
        change_plan(session, plan_id, Plan(start_date=TODAY, step_days=10), version=1, doctor_id=other, key=KEY)
    with pytest.raises(PlanConflict), the_db(app).write() as session:
        end_plan(session, plan_id, "completed", None, version=1, doctor_id=other)
    plan = plan_row(app, plan_id)
    assert (plan.status, plan.version, plan.terms["step_days"], len(plan.changes)) == ("active", 2, 14, 2)


def test_a_change_that_changes_nothing_is_refused(app, reviewed, doctor_id):
    plan_id = start(app, reviewed, doctor_id)
    with pytest.raises(NothingChanged), the_db(app).write() as session:
        change_plan(session, plan_id, Plan(start_date=TODAY), version=1, doctor_id=doctor_id, key=KEY)
    assert len(plan_row(app, plan_id).changes) == 1


# --- ending --------------------------------------------------------------------------------

@pytest.mark.parametrize("reason", END_REASONS)
def test_end_with_a_reason(app, reviewed, doctor_id, reason):
    plan_id = start(app, reviewed, doctor_id, email="patient@example.org")
    with the_db(app).write() as session:
        end_plan(session, plan_id, reason, "Patient's choice", version=1, doctor_id=doctor_id)
    plan = plan_row(app, plan_id)
    assert (plan.status, plan.end_reason, plan.email, plan.version) == ("ended", reason, None, 2)
    assert plan.ended_at is not None
    assert [(c.action, c.reason) for c in plan.changes] == [("started", None), ("ended", "Patient's choice")]
    with pytest.raises(PlanConflict), the_db(app).write() as session:  # an ended plan changes no more
        change_plan(session, plan_id, Plan(start_date=TODAY, step_days=14), version=2, doctor_id=doctor_id, key=KEY)


def test_an_unknown_end_reason_is_refused(app, reviewed, doctor_id):
    plan_id = start(app, reviewed, doctor_id)
    with pytest.raises(ValueError, match="unknown end reason"), the_db(app).write() as session:
        end_plan(session, plan_id, "bored", None, version=1, doctor_id=doctor_id)


# --- send a check-in now -------------------------------------------------------------------

def test_checkin_now_creates_one_due_today_once(app, reviewed, doctor_id):
    plan_id = start(app, reviewed, doctor_id, Plan(start_date=TODAY, checkin_days=(7,)))
    with the_db(app).write() as session:
        checkin, token = checkin_now(session, plan_id, KEY, TODAY)
        assert token and hash_token(token) == checkin.token_hash and checkin.due_date == TODAY
    with the_db(app).write() as session:
        again, no_token = checkin_now(session, plan_id, KEY, TODAY)
    assert (again.id, no_token) == (checkin.id, None)
    assert [c.due_date for c in plan_row(app, plan_id).checkins] == [TODAY, TODAY + timedelta(days=7)]


def test_checkin_now_is_refused_before_the_start_and_after_the_end(app, reviewed, doctor_id):
    plan_id = start(app, reviewed, doctor_id, Plan(start_date=TODAY + timedelta(days=5)))
    with pytest.raises(PlanRefused, match="a check-in can be sent from that day"), the_db(app).write() as session:
        checkin_now(session, plan_id, KEY, TODAY)
    with the_db(app).write() as session:
        end_plan(session, plan_id, "completed", None, version=1, doctor_id=doctor_id)
    with pytest.raises(PlanNotActive), the_db(app).write() as session:
        checkin_now(session, plan_id, KEY, TODAY + timedelta(days=6))


# --- the list of active plans and `flask plans` ---------------------------------------------

@pytest.fixture
def three_plans(app, submit, doctor_id) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """PT-A started 10 days ago (by the database: a new plan cannot start in the past), PT-B
    starting in 3 days with a patient address, PT-C ended."""
    ids = {}
    for ref in ("PT-A", "PT-B", "PT-C"):
        response_id = submit(ref)
        mark_reviewed(app, response_id)
        start_day = TODAY + timedelta(days=3) if ref == "PT-B" else TODAY
        ids[ref] = start(app, response_id, doctor_id, Plan(start_date=start_day, checkin_days=(7, 14)),
                         email="someone@example.org" if ref == "PT-B" else None)
    back_dated = Plan(start_date=TODAY - timedelta(days=10), checkin_days=(7, 14)).to_json()
    with the_db(app).write() as session:
        session.execute(update(TreatmentPlan).where(TreatmentPlan.id == ids["PT-A"]).values(terms=back_dated))
        for checkin in session.scalars(select(CheckIn).where(CheckIn.plan_id == ids["PT-A"])):
            checkin.due_date = checkin.opens_on = checkin.due_date - timedelta(days=10)
        end_plan(session, ids["PT-C"], "completed", None, version=1, doctor_id=doctor_id)
    return ids


def test_active_plans_lists_dose_today_and_next_check_in(app, three_plans):
    with the_db(app).read() as session:
        rows = active_plans(session, TODAY)
    assert [(r.patient_ref, r.start_date, r.dose_today_mg, r.next_checkin) for r in rows] == [
        ("PT-A", TODAY - timedelta(days=10), Decimal("1.0"), TODAY - timedelta(days=3)),  # open since 3 days
        ("PT-B", TODAY + timedelta(days=3), None, TODAY + timedelta(days=10)),
    ]


def test_flask_plans_prints_one_line_per_active_plan_and_never_an_address(app, three_plans):
    result = app.test_cli_runner().invoke(args=["plans"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["plan", "patient", "start", "dose", "today", "next", "check-in", "due"]
    assert lines[1].split()[1:] == ["PT-A", (TODAY - timedelta(days=10)).isoformat(), "1", "mg",
                                    (TODAY - timedelta(days=3)).isoformat()]
    assert lines[2].split()[1:] == ["PT-B", (TODAY + timedelta(days=3)).isoformat(), "not", "started",
                                    (TODAY + timedelta(days=10)).isoformat()]
    assert lines[3] == f"2 active plans on {TODAY.isoformat()}."
    assert "PT-C" not in result.output and "@" not in result.output


def test_flask_plans_as_csv(app, three_plans):
    result = app.test_cli_runner().invoke(args=["plans", "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "plan,patient_ref,start_date,planned_dose_mg_today,next_checkin_due",
        f"{three_plans['PT-A']},PT-A,{(TODAY - timedelta(days=10)).isoformat()},1,"
        f"{(TODAY - timedelta(days=3)).isoformat()}",
        f"{three_plans['PT-B']},PT-B,{(TODAY + timedelta(days=3)).isoformat()},,"
        f"{(TODAY + timedelta(days=10)).isoformat()}",
    ]


def test_flask_plans_with_none(app):
    result = app.test_cli_runner().invoke(args=["plans"])
    assert (result.exit_code, result.output) == (0, "No active plans.\n")


def test_history_entries_name_who_and_when(app, reviewed, doctor_id):
    before = datetime.now(UTC)
    plan_id = start(app, reviewed, doctor_id)
    [entry] = plan_row(app, plan_id).changes
    assert isinstance(entry, PlanChange) and entry.doctor.email == "dr.who@clinic.example"
    assert before - timedelta(seconds=1) <= entry.at <= datetime.now(UTC)


@pytest.mark.postgresql_only
def test_two_doctors_starting_at_once_make_one_plan(app, reviewed, doctor_id, make_doctor):
    """The first start holds the submission's row until it commits; the second then sees its plan."""
    import threading

    other = make_doctor("second@clinic.example")
    first_wrote = threading.Event()
    outcome: dict[str, Any] = {}

    def first() -> None:
        with app.app_context(), the_db(app).write() as session:
            start_plan(session, reviewed, Plan(start_date=TODAY), doctor_id=doctor_id, email=None, key=KEY)
            first_wrote.set()
            threading.Event().wait(0.5)  # still uncommitted while the second doctor tries

    def second() -> None:
        first_wrote.wait(5)
        try:
            with app.app_context(), the_db(app).write() as session:
                start_plan(session, reviewed, Plan(start_date=TODAY), doctor_id=other, email=None, key=KEY)
        except PlanRefused as refused:
            outcome["refused"] = refused

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert isinstance(outcome.get("refused"), PlanAlreadyActive)
    with the_db(app).read() as session:
        assert len(session.scalars(select(TreatmentPlan)).all()) == 1
