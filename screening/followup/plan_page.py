"""A treatment plan as its page shows it, in words: the terms, the doses by date, the
check-ins and the history (who, when, what changed). Pure: the plan is loaded by
`plans.load_plan`, "today" and "now" are arguments."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from ..models import PlanChange, TreatmentPlan
from ..questionnaire.display import date_in_words
from ..rules.plan import PLAN_FIELDS, Plan, PlanError, dose_schedule, plan_from_json, planned_dose
from .checkins import checkin_status, plan_terms

# How a plan ends (rules.plan.END_REASONS), in words.
END_WORDS = {
    "completed": "Completed",
    "stopped_side_effects": "Stopped because of side effects",
    "stopped_no_benefit": "Stopped: no benefit",
    "stopped_other": "Stopped for another reason (explained in the note)",
}
# Each term of a plan, as a doctor reads it (rules.plan.PLAN_FIELDS).
TERM_LABELS = {
    "start_date": "Start date",
    "start_dose_mg": "Start dose",
    "step_mg": "Step",
    "step_days": "Days between steps",
    "target_dose_mg": "Target dose",
    "checkin_days": "Check-in days",
}


def end_words(reason: str | None) -> str:
    """"stopped_side_effects" → "stopped because of side effects" (to follow a colon)."""
    words = END_WORDS.get(reason or "", reason or "no reason recorded")
    return words[:1].lower() + words[1:]


def mg(value: Decimal) -> str:
    """0.5 → "0.5 mg", 4.50 → "4.5 mg"."""
    return f"{value.normalize():f} mg"


def day_list(days: Sequence[int]) -> str:
    return ", ".join(str(day) for day in sorted(days)) if days else "none"


def term_value(plan: Plan, name: str) -> str:
    """One term in words."""
    if name == "start_date":
        return date_in_words(plan.start_date)
    if name == "step_mg":
        return f"{mg(plan.step_mg)} (a fixed dose)" if plan.fixed_dose else mg(plan.step_mg)
    if name == "step_days":
        return f"{plan.step_days} days"
    if name == "checkin_days":
        return f"{day_list(plan.checkin_days)} (days after the start)" if plan.checkin_days else "none"
    value = getattr(plan, name)
    return mg(value) if isinstance(value, Decimal) else str(value)


def terms_in_words(plan: Plan) -> str:
    """The whole plan in one sentence (the history's "started" entry)."""
    if plan.fixed_dose:
        doses = f"{mg(plan.start_dose_mg)} daily"
    else:
        doses = (f"{mg(plan.start_dose_mg)}, raised by {mg(plan.step_mg)} every {plan.step_days} days "
                 f"up to {mg(plan.target_dose_mg)}")
    checkins = (f"check-ins on days {day_list(plan.checkin_days)} after the start" if plan.checkin_days
                else "no check-ins scheduled")
    return f"From {date_in_words(plan.start_date)}: {doses}; {checkins}."


def changes_in_words(before: Plan, after: Plan) -> str:
    """What a change changed: "Step: 0.5 mg → 1 mg; Check-in days: …"."""
    changed = [f"{TERM_LABELS[name]}: {term_value(before, name)} → {term_value(after, name)}"
               for name in PLAN_FIELDS if term_value(before, name) != term_value(after, name)]
    return "; ".join(changed) + "." if changed else "No change to the terms."


@dataclass(frozen=True)
class TermRow:
    label: str
    value: str


@dataclass(frozen=True)
class ScheduleRow:
    start: date
    end: date | None
    dose: str
    today: bool  # the step in force today

    @property
    def start_words(self) -> str:
        return date_in_words(self.start)

    @property
    def end_words(self) -> str:
        return date_in_words(self.end) if self.end else "onwards"


@dataclass(frozen=True)
class CheckinRow:
    checkin_id: int
    due_date: date
    status: str
    link: str | None  # only just after it was created: the token is not stored

    @property
    def due_words(self) -> str:
        return date_in_words(self.due_date)


@dataclass(frozen=True)
class HistoryRow:
    at: datetime
    who: str
    action: str  # started | changed | ended
    what: str

    @property
    def when(self) -> str:
        return f"{self.at.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


@dataclass(frozen=True)
class PlanView:
    plan_id: int
    response_id: int
    patient_ref: str
    active: bool
    status_text: str
    version: int
    terms: Plan
    term_rows: tuple[TermRow, ...]
    dose_today: str
    schedule: tuple[ScheduleRow, ...]
    checkins: tuple[CheckinRow, ...]
    history: tuple[HistoryRow, ...]
    new_links: int  # how many check-ins show their link (just created)


def _entry_terms(change: PlanChange, fallback: Plan) -> Plan:
    try:
        return plan_from_json(change.terms)
    except PlanError:  # a history entry is shown whatever it holds
        return fallback


def history_rows(plan: TreatmentPlan, current: Plan) -> tuple[HistoryRow, ...]:
    """Each start, change and end in words; a change against the terms before it."""
    rows = []
    before: Plan | None = None
    for change in plan.changes:
        after = _entry_terms(change, current)
        if change.action == "started":
            what = f"Started. {terms_in_words(after)}"
        elif change.action == "changed":
            what = f"Changed. {changes_in_words(before, after)}" if before else f"Changed. {terms_in_words(after)}"
        elif change.action == "ended":
            what = f"Ended: {end_words(plan.end_reason)}." + (f" Note: “{change.reason}”" if change.reason else "")
        else:
            what = change.action.capitalize()
        who = change.doctor.email if change.doctor else "An account since removed"
        rows.append(HistoryRow(change.at, who, change.action, what))
        before = after
    return tuple(rows)


def _dose_today(plan: TreatmentPlan, terms: Plan, today: date) -> str:
    if plan.status != "active":
        return "None: the plan has ended"
    dose = planned_dose(terms, today)
    return mg(dose) if dose is not None else f"None yet: the plan starts on {date_in_words(terms.start_date)}"


def build_plan_view(plan: TreatmentPlan, today: date, now: datetime,
                    new_links: Mapping[int, str] | None = None) -> PlanView:
    terms = plan_terms(plan)
    links = new_links or {}
    schedule = tuple(
        ScheduleRow(step.start, step.end, mg(step.dose_mg),
                    step.start <= today and (step.end is None or today <= step.end))
        for step in dose_schedule(terms)
    )
    checkins = tuple(CheckinRow(checkin.id, checkin.due_date, checkin_status(checkin, today, now),
                                links.get(checkin.id)) for checkin in plan.checkins)
    if plan.status == "active":
        status_text = "Active"
    else:
        ended = date_in_words(plan.ended_at.date()) if plan.ended_at else "an unknown date"
        status_text = f"Ended on {ended}: {end_words(plan.end_reason)}"
    return PlanView(
        plan_id=plan.id,
        response_id=plan.response_id,
        patient_ref=plan.response.patient_ref or "",
        active=plan.status == "active",
        status_text=status_text,
        version=plan.version,
        terms=terms,
        term_rows=tuple(TermRow(TERM_LABELS[name], term_value(terms, name)) for name in PLAN_FIELDS),
        dose_today=_dose_today(plan, terms, today),
        schedule=schedule,
        checkins=checkins,
        history=history_rows(plan, terms),
        new_links=sum(1 for row in checkins if row.link),
    )
