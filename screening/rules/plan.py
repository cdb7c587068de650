"""The treatment plan's arithmetic (followup.md section 1): doses by date and check-in dates.

A :class:`Plan` is what a doctor records when LDN starts: a start date, a first dose, a
step added every `step_days` days up to a target, and the days after the start when a
check-in is due. Doses are :class:`~decimal.Decimal` so that 0.1 mg boundaries are exact
(0.1 + 0.2 is 0.3 here, not 0.30000000000000004).

- :func:`planned_dose`: the dose on a day, ``min(target, start + step × floor(n / step_days))``
  rounded to 0.1 mg (half up), where day 0 is the start date; none before it.
- :func:`dose_schedule`: the same as steps (from, to, dose) for the doctor's table, the
  chart's step line and a FHIR MedicationRequest's dosages.
- :func:`checkin_due_dates`: the dates check-ins fall due.

Pure: no clock. "Today" (a new plan starts today .. today + 90 days) is an argument.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

# followup.md section 1: each field's range (inclusive) and default.
START_DOSE_MG = (Decimal("0.1"), Decimal("4.5"))
STEP_MG = (Decimal("0"), Decimal("3"))
STEP_DAYS = (3, 28)
TARGET_DOSE_MG = (Decimal("0.1"), Decimal("6.0"))
CHECKIN_DAY = (1, 365)
START_WITHIN_DAYS = 90  # a new plan starts today .. today + 90 days

DEFAULT_START_DOSE_MG = Decimal("0.5")
DEFAULT_STEP_MG = Decimal("0.5")
DEFAULT_STEP_DAYS = 7
DEFAULT_TARGET_DOSE_MG = Decimal("4.5")
DEFAULT_CHECKIN_DAYS = (7, 14, 28, 56, 84)

DOSE_PRECISION = Decimal("0.1")  # planned doses are rounded to 0.1 mg
# What a doctor may type: mg to at most 2 decimal places (0.25 mg). Beyond that a step is
# not a dose anyone measures, and a step of 0.000001 mg would plan over millennia.
MAX_DECIMAL_PLACES = 2
_HALF_PRECISION = DOSE_PRECISION / 2

# How a plan ends (followup.md section 1), for the layers that record it.
END_REASONS = ("completed", "stopped_side_effects", "stopped_no_benefit", "stopped_other")

PLAN_FIELDS = ("start_date", "start_dose_mg", "step_mg", "step_days", "target_dose_mg", "checkin_days")


class PlanError(ValueError):
    """A plan outside followup.md's ranges. `problems` maps each field to what is wrong,
    in words a doctor can act on (a form shows each beside its field)."""

    def __init__(self, problems: Mapping[str, str]) -> None:
        self.problems = dict(problems)
        super().__init__("; ".join(f"{name}: {problem}" for name, problem in self.problems.items()))


def _mg(value: Decimal) -> str:
    return f"{value.normalize():f} mg"


@dataclass(frozen=True)
class Plan:
    """A treatment plan, always within followup.md's ranges (the constructor refuses
    others with :class:`PlanError`). Doses are mg; `checkin_days` are days after the start."""

    start_date: date
    start_dose_mg: Decimal = DEFAULT_START_DOSE_MG
    step_mg: Decimal = DEFAULT_STEP_MG
    step_days: int = DEFAULT_STEP_DAYS
    target_dose_mg: Decimal = DEFAULT_TARGET_DOSE_MG
    checkin_days: tuple[int, ...] = field(default=DEFAULT_CHECKIN_DAYS)

    def __post_init__(self) -> None:
        problems = _problems(self)
        if problems:
            raise PlanError(problems)

    @property
    def fixed_dose(self) -> bool:
        """A step of 0: the start dose throughout."""
        return self.step_mg == 0

    def to_json(self) -> dict[str, Any]:
        """The plan as followup.md's documents write it (doses as JSON numbers)."""
        return {
            "start_date": self.start_date.isoformat(),
            "start_dose_mg": float(self.start_dose_mg),
            "step_mg": float(self.step_mg),
            "step_days": self.step_days,
            "target_dose_mg": float(self.target_dose_mg),
            "checkin_days": list(self.checkin_days),
        }


def _problems(plan: Plan) -> dict[str, str]:
    problems: dict[str, str] = {}
    if not isinstance(plan.start_date, date):
        problems["start_date"] = "must be a date"
    for name, (low, high) in (("start_dose_mg", START_DOSE_MG), ("step_mg", STEP_MG),
                              ("target_dose_mg", TARGET_DOSE_MG)):
        value = getattr(plan, name)
        if not isinstance(value, Decimal) or not value.is_finite():
            problems[name] = "must be a number of mg"
        elif _decimal_places(value) > MAX_DECIMAL_PLACES:
            problems[name] = f"must have at most {MAX_DECIMAL_PLACES} decimal places (not {value})"
        elif not low <= value <= high:
            problems[name] = f"must be from {_mg(low)} to {_mg(high)} (not {_mg(value)})"
    step_days = plan.step_days
    if isinstance(step_days, bool) or not isinstance(step_days, int):
        problems["step_days"] = "must be a whole number of days"
    elif not STEP_DAYS[0] <= step_days <= STEP_DAYS[1]:
        problems["step_days"] = f"must be from {STEP_DAYS[0]} to {STEP_DAYS[1]} days (not {step_days})"
    if "start_dose_mg" not in problems and "target_dose_mg" not in problems \
            and plan.target_dose_mg < plan.start_dose_mg:
        problems["target_dose_mg"] = (
            f"must be at least the start dose, {_mg(plan.start_dose_mg)} (not {_mg(plan.target_dose_mg)})")
    days = plan.checkin_days
    if not isinstance(days, tuple) or any(isinstance(d, bool) or not isinstance(d, int) for d in days):
        problems["checkin_days"] = "must be a list of whole numbers of days"
    elif any(not CHECKIN_DAY[0] <= d <= CHECKIN_DAY[1] for d in days):
        problems["checkin_days"] = f"each must be from {CHECKIN_DAY[0]} to {CHECKIN_DAY[1]} days after the start"
    elif len(set(days)) != len(days):
        problems["checkin_days"] = "a day is listed twice"
    return problems


def _decimal_places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def start_date_problem(start_date: date, today: date) -> str | None:
    """Why a new plan cannot start on `start_date` (followup.md: today .. today + 90 days),
    or None. Not part of Plan itself: a plan started last month is still a plan."""
    last = today + timedelta(days=START_WITHIN_DAYS)
    if not today <= start_date <= last:
        return f"must be from today ({today.isoformat()}) to {START_WITHIN_DAYS} days ahead ({last.isoformat()})"
    return None


def day_number(plan: Plan, on: date) -> int:
    """Days after the start: 0 on the start date, negative before it."""
    return (on - plan.start_date).days


def _dose_at_step(plan: Plan, step: int) -> Decimal:
    """The dose after `step` steps: min(target, start + step_mg × step), to 0.1 mg (half up)."""
    exact = min(plan.target_dose_mg, plan.start_dose_mg + plan.step_mg * step)
    return exact.quantize(DOSE_PRECISION, rounding=ROUND_HALF_UP)


def planned_dose(plan: Plan, on: date) -> Decimal | None:
    """The planned dose in mg on `on` (followup.md section 1); None before the start date."""
    n = day_number(plan, on)
    if n < 0:
        return None
    return _dose_at_step(plan, n // plan.step_days)


@dataclass(frozen=True)
class DoseStep:
    """One dose held from `start` to `end` (both inclusive); the last step has no end."""

    start: date
    end: date | None
    dose_mg: Decimal

    def to_json(self) -> dict[str, Any]:
        return {"from": self.start.isoformat(), "to": self.end.isoformat() if self.end else None,
                "dose_mg": float(self.dose_mg)}


def _change_steps(plan: Plan) -> list[int]:
    """The step numbers at which the rounded dose may change: 0, and for each 0.1 mg level
    between the first and the last dose, the first step reaching it (at most ~60 of them,
    however small the step)."""
    steps = [0]
    if plan.fixed_dose:
        return steps
    level = _dose_at_step(plan, 0) + DOSE_PRECISION
    last = _dose_at_step(plan, 10**9)  # the target, as rounded
    while level <= last:
        # The dose rounds to `level` or more once start + step × k >= level - 0.05.
        needed = (level - _HALF_PRECISION - plan.start_dose_mg) / plan.step_mg
        steps.append(max(0, int(needed.to_integral_value(rounding=ROUND_CEILING))))
        level += DOSE_PRECISION
    return steps


def dose_schedule(plan: Plan) -> tuple[DoseStep, ...]:
    """The plan as steps of one dose each, in date order; the last (the target, or the
    fixed dose) is open-ended. Steps whose rounded doses are equal are one step."""
    starts: list[tuple[int, Decimal]] = []
    for step in sorted(set(_change_steps(plan))):
        dose = _dose_at_step(plan, step)
        if not starts or starts[-1][1] != dose:
            starts.append((step, dose))
    schedule = []
    for index, (step, dose) in enumerate(starts):
        start = plan.start_date + timedelta(days=step * plan.step_days)
        following = starts[index + 1][0] if index + 1 < len(starts) else None
        end = None if following is None else plan.start_date + timedelta(days=following * plan.step_days - 1)
        schedule.append(DoseStep(start, end, dose))
    return tuple(schedule)


def checkin_due_dates(plan: Plan) -> tuple[date, ...]:
    """The dates check-ins fall due, earliest first."""
    return tuple(plan.start_date + timedelta(days=day) for day in sorted(plan.checkin_days))


# --- reading a plan written as JSON (evaluate-checkin documents, stored plans) -----------

def _read_mg(raw: Mapping[str, Any], name: str, default: Decimal, problems: dict[str, str]) -> Decimal:
    value = raw.get(name, default)
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        problems[name] = "must be a number of mg"
        return default
    try:
        read = Decimal(str(value))  # as written: 0.1 is exactly 0.1
    except InvalidOperation:
        problems[name] = "must be a number of mg"
        return default
    if not read.is_finite():
        problems[name] = "must be a number of mg"
        return default
    return read


def plan_from_json(raw: Any) -> Plan:
    """A plan from followup.md's JSON (`{"start_date": "2026-12-01", "start_dose_mg": 0.5,
    ...}`); absent fields take their defaults. PlanError names every field that is wrong."""
    if not isinstance(raw, Mapping):
        raise PlanError({"plan": "must be an object with start_date and the dose fields"})
    problems: dict[str, str] = {}
    unknown = sorted(set(raw) - set(PLAN_FIELDS))
    if unknown:
        problems["plan"] = f"unknown fields {unknown} (expected some of {list(PLAN_FIELDS)})"
    start = raw.get("start_date")
    start_date = date.min
    try:
        if not isinstance(start, str) or len(start) != 10:
            raise ValueError
        start_date = date.fromisoformat(start)
    except ValueError:
        problems["start_date"] = f"must be a date written YYYY-MM-DD, not {start!r}"
    doses = {name: _read_mg(raw, name, default, problems) for name, default in (
        ("start_dose_mg", DEFAULT_START_DOSE_MG), ("step_mg", DEFAULT_STEP_MG),
        ("target_dose_mg", DEFAULT_TARGET_DOSE_MG))}
    step_days = raw.get("step_days", DEFAULT_STEP_DAYS)
    days = raw.get("checkin_days", list(DEFAULT_CHECKIN_DAYS))
    if not isinstance(days, list | tuple):
        problems["checkin_days"] = "must be a list of whole numbers of days"
        days = DEFAULT_CHECKIN_DAYS
    if problems:
        raise PlanError(problems)
    return Plan(start_date=start_date, step_days=step_days, checkin_days=tuple(days), **doses)


# The plan as the check-in rules read it (declared inputs, like question IDs).
PLAN_FACTS = ("plan.start_date", "plan.days_on", "plan.planned_dose_mg")


def plan_facts(plan: Plan, as_of: date) -> dict[str, Any]:
    """The plan's facts on `as_of`: its start, days on LDN (as_of − start) and the dose
    planned that day (None before the start)."""
    return {
        "plan.start_date": plan.start_date.isoformat(),
        "plan.days_on": day_number(plan, as_of),
        "plan.planned_dose_mg": planned_dose(plan, as_of),
    }
