"""The treatment plan's arithmetic (followup.md section 1): the planned dose on a day (the
cases beside plan.py), the dose schedule, check-in dates, and the plan's ranges."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from screening.rules import plan as plan_module
from screening.rules.plan import (
    DEFAULT_CHECKIN_DAYS,
    DoseStep,
    Plan,
    PlanError,
    checkin_due_dates,
    dose_schedule,
    plan_facts,
    plan_from_json,
    planned_dose,
    start_date_problem,
)
from tests.followup.contract_followup import plan_fields

CASES_PATH = Path(plan_module.__file__ or "").with_suffix(".cases.yaml")
CASES = yaml.safe_load(CASES_PATH.read_text(encoding="utf-8"))["cases"]
START = date(2026, 12, 1)


def plan(**fields: Any) -> Plan:
    return plan_from_json({"start_date": START.isoformat(), **fields})


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_planned_dose(case: dict[str, Any]) -> None:
    dose = planned_dose(plan(**case.get("plan", {})), date.fromisoformat(case["date"]))
    expected = case["dose"]
    assert dose == (None if expected is None else Decimal(str(expected)))
    assert dose is None or dose == dose.quantize(Decimal("0.1"))


def test_the_cases_have_unique_names() -> None:
    assert len({case["name"] for case in CASES}) == len(CASES)


def test_doses_are_exact_decimals() -> None:
    dose = planned_dose(plan(start_dose_mg=0.1, step_mg=0.2), START + timedelta(days=7))
    assert isinstance(dose, Decimal) and str(dose) == "0.3"


# --- the schedule agrees with the planned dose on every day -----------------------------------

PLANS = [
    {}, {"step_mg": 1.5, "target_dose_mg": 4}, {"step_mg": 0}, {"start_dose_mg": 0.25, "step_mg": 0.15},
    {"start_dose_mg": 0.5, "step_mg": 0.03, "step_days": 3, "target_dose_mg": 1},
    {"start_dose_mg": 0.1, "step_mg": 0.01, "step_days": 28, "target_dose_mg": 6},
    {"start_dose_mg": 1, "target_dose_mg": 1}, {"start_dose_mg": 4.5, "step_mg": 3, "target_dose_mg": 6},
]


def step_on(schedule: tuple[DoseStep, ...], day: date) -> DoseStep:
    (step,) = [s for s in schedule if s.start <= day and (s.end is None or day <= s.end)]
    return step


@pytest.mark.parametrize("fields", PLANS)
def test_the_schedule_gives_the_planned_dose_every_day(fields: dict[str, Any]) -> None:
    the_plan = plan(**fields)
    schedule = dose_schedule(the_plan)
    assert schedule[0].start == START and schedule[-1].end is None
    for earlier, later in zip(schedule, schedule[1:], strict=False):
        assert earlier.end == later.start - timedelta(days=1) and earlier.dose_mg < later.dose_mg
    last_change = schedule[-1].start
    for day in range((last_change - START).days + 60):
        on = START + timedelta(days=day)
        assert step_on(schedule, on).dose_mg == planned_dose(the_plan, on)


def test_the_default_schedule() -> None:
    schedule = dose_schedule(plan())
    assert [(s.start.isoformat(), s.end and s.end.isoformat(), str(s.dose_mg)) for s in schedule[:2]] == [
        ("2026-12-01", "2026-12-07", "0.5"), ("2026-12-08", "2026-12-14", "1.0")]
    assert [str(s.dose_mg) for s in schedule] == ["0.5", "1.0", "1.5", "2.0", "2.5", "3.0", "3.5", "4.0", "4.5"]
    assert schedule[-1].to_json() == {"from": "2027-01-26", "to": None, "dose_mg": 4.5}


def test_a_fixed_dose_is_one_open_step() -> None:
    assert dose_schedule(plan(step_mg=0, start_dose_mg=2)) == (DoseStep(START, None, Decimal("2.0")),)


def test_the_schedule_is_short_however_small_the_step() -> None:
    assert len(dose_schedule(plan(start_dose_mg=0.1, step_mg=0.01, target_dose_mg=6))) == 60


# --- check-in dates ---------------------------------------------------------------------------

def test_check_ins_fall_due_on_the_default_days() -> None:
    assert DEFAULT_CHECKIN_DAYS == (7, 14, 28, 56, 84)
    assert checkin_due_dates(plan()) == tuple(START + timedelta(days=d) for d in (7, 14, 28, 56, 84))
    assert checkin_due_dates(plan(checkin_days=[30, 3])) == (date(2026, 12, 4), date(2026, 12, 31))


# --- the plan's ranges (followup.md section 1) ------------------------------------------------

def test_the_defaults_are_the_contracts() -> None:
    fields = plan_fields()
    default = Plan(START)
    for name in ("start_dose_mg", "step_mg", "step_days", "target_dose_mg"):
        written = fields[name].range_default.split("default ")[1].split(",")[0]
        assert getattr(default, name) == Decimal(written), name
    written_days = fields["checkin_days"].range_default.split("default ")[1]
    assert default.checkin_days == tuple(int(d) for d in written_days.split(", "))


def ranges() -> list[tuple[str, str, str]]:
    """(field, lowest, highest) as followup.md writes each range "low .. high"."""
    found = []
    for name in ("start_dose_mg", "step_mg", "step_days", "target_dose_mg"):
        low, high = plan_fields()[name].range_default.split(",")[0].split(" .. ")
        found.append((name, low, high))
    return found


@pytest.mark.parametrize(("name", "low", "high"), ranges())
def test_each_range_is_the_contracts(name: str, low: str, high: str) -> None:
    start = {"start_dose_mg": 0.1} if name == "target_dose_mg" else {}
    for value in (low, high):
        plan(**{**start, name: Decimal(value) if "." in value or name != "step_days" else int(value)})
    step = Decimal("0.01") if name != "step_days" else 1
    for value in (Decimal(low) - step, Decimal(high) + step):
        written = int(value) if name == "step_days" else value
        with pytest.raises(PlanError) as refused:
            plan(**{**start, name: written})
        assert name in refused.value.problems


@pytest.mark.parametrize(("fields", "field", "words"), [
    ({"start_dose_mg": 5}, "start_dose_mg", "must be from 0.1 mg to 4.5 mg (not 5 mg)"),
    ({"start_dose_mg": 2, "target_dose_mg": 1}, "target_dose_mg", "must be at least the start dose, 2 mg (not 1 mg)"),
    ({"step_days": 2}, "step_days", "must be from 3 to 28 days (not 2)"),
    ({"step_days": 7.5}, "step_days", "must be a whole number of days"),
    ({"step_mg": 0.125}, "step_mg", "at most 2 decimal places"),
    ({"step_mg": "lots"}, "step_mg", "must be a number of mg"),
    ({"step_mg": True}, "step_mg", "must be a number of mg"),
    ({"checkin_days": [0, 7]}, "checkin_days", "each must be from 1 to 365 days after the start"),
    ({"checkin_days": [7, 7]}, "checkin_days", "a day is listed twice"),
    ({"checkin_days": "weekly"}, "checkin_days", "must be a list"),
    ({"start_date": "1 December 2026"}, "start_date", "YYYY-MM-DD"),
    ({"stepdays": 7}, "plan", "unknown fields ['stepdays']"),
])
def test_a_plan_out_of_range_is_refused_with_words(fields: dict[str, Any], field: str, words: str) -> None:
    with pytest.raises(PlanError) as refused:
        plan(**fields)
    assert words in refused.value.problems[field]
    assert f"{field}: " in str(refused.value)


def test_every_problem_is_named_at_once() -> None:
    with pytest.raises(PlanError) as refused:
        plan(start_dose_mg=9, step_days=1, checkin_days=[400])
    assert set(refused.value.problems) == {"start_dose_mg", "step_days", "checkin_days"}


def test_an_empty_check_in_list_is_a_plan_without_scheduled_check_ins() -> None:
    assert checkin_due_dates(plan(checkin_days=[])) == ()


def test_a_new_plan_starts_within_90_days() -> None:
    today = date(2026, 11, 20)
    assert start_date_problem(today, today) is None
    assert start_date_problem(today + timedelta(days=90), today) is None
    assert "from today" in (start_date_problem(today - timedelta(days=1), today) or "")
    assert "90 days ahead" in (start_date_problem(today + timedelta(days=91), today) or "")


def test_the_plan_round_trips_through_json() -> None:
    the_plan = plan(start_dose_mg=0.25, step_mg=0.75, step_days=14, target_dose_mg=3, checkin_days=[14, 28])
    assert plan_from_json(the_plan.to_json()) == the_plan


def test_the_plan_facts_the_rules_read() -> None:
    assert plan_facts(plan(), date(2027, 1, 15)) == {
        "plan.start_date": "2026-12-01", "plan.days_on": 45, "plan.planned_dose_mg": Decimal("3.5")}
    assert plan_facts(plan(), date(2026, 11, 30))["plan.planned_dose_mg"] is None
