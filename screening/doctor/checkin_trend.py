"""What the doctor sees of one plan's check-ins together (followup.md section 4): whether
the patient is answering, and whether each symptom is moving since LDN began, at the dose
that was planned on the day.

- The check-ins in order, each with its status and a line saying what it found, so the
  doctor sees at a glance which need reading and which were never answered.
- A trend per symptom: an SVG chart (trend_chart.py) with the planned dose as a step
  line, and a table of the same values beside it for those who do not read charts.

Kept apart from the one-check-in page (checkin_summary.py), whose words (doses, changes,
days, statuses) it reuses so that both pages say the same thing the same way. What was
stored when a check-in was submitted is shown as stored: the changes and the planned dose
are the ones the rules computed then. Pure: the plan is loaded by `checkin_list`; "today"
and "now" are arguments.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from markupsafe import Markup

from ..followup.checkins import checkin_status, plan_terms, terms_history
from ..models import CheckIn, QuestionnaireResponse, TreatmentPlan, utcnow
from ..questionnaire.display import date_in_words
from ..rules.plan import Plan, day_number, dose_schedule
from ..rules.scores import SYMPTOM_ITEMS
from ..rules.severity import NO_FLAGS, RANKED
from .checkin_summary import (
    REVIEW_WORDS,
    STATUS_WORDS,
    asked,
    change_words,
    day_words,
    mg,
    pgic_words,
    stored_change,
)
from .trend_chart import DoseSegment, TrendPoint, trend_chart


@dataclass(frozen=True)
class TrendRow:
    """One line of a symptom's table: the screening, then each check-in sent."""

    when: str  # the date in words
    day: str  # "Before LDN" or "Day 14"
    score: str
    change: str  # against the score before LDN
    dose: str  # the plan's dose that day


@dataclass(frozen=True)
class SymptomTrend:
    label: str
    question: str
    chart_id: str  # unique on the page (the SVG's title and description hang on it)
    chart: Markup
    rows: tuple[TrendRow, ...]


@dataclass(frozen=True)
class CheckinLine:
    """A check-in of the plan, in one line."""

    checkin_id: int
    due_date: date
    day: int
    status: str
    submitted: bool
    urgent: bool
    severity: str  # the most serious flag's severity, or "none" (also when not sent)
    summary: str
    review_status: str

    @property
    def due_words(self) -> str:
        return date_in_words(self.due_date)

    @property
    def review_words(self) -> str:
        return REVIEW_WORDS.get(self.review_status, self.review_status) if self.submitted else ""


@dataclass(frozen=True)
class TrendSection:
    plan_id: int
    response_id: int
    patient_ref: str
    start_date: date
    checkins: tuple[CheckinLine, ...]
    symptoms: tuple[SymptomTrend, ...]  # only symptoms scored at least once
    not_scored: tuple[str, ...]  # the others, by name

    @property
    def start_words(self) -> str:
        return date_in_words(self.start_date)

    @property
    def sent_count(self) -> int:
        return sum(1 for line in self.checkins if line.submitted)


@dataclass(frozen=True)
class _Sent:
    """A sent check-in as the trend reads it."""

    when: date
    day: int
    answers: Mapping[str, Any]
    changes: Mapping[str, Any]
    planned_dose_mg: Any


def dose_segments(plan: TreatmentPlan, current: Plan) -> tuple[DoseSegment, ...]:
    """The planned dose by day since the current start, following the plan's history (a
    change applies from the day it was made, as the check-ins' planned dose does) and
    stopping when the plan ended."""
    versions = terms_history(plan)
    ended = plan.ended_at.date() if plan.status == "ended" and plan.ended_at else None
    segments: list[DoseSegment] = []
    for index, (since, terms) in enumerate(versions):
        until = versions[index + 1][0] - timedelta(days=1) if index + 1 < len(versions) else None
        if ended is not None:
            until = min(until, ended) if until is not None else ended
        for step in dose_schedule(terms):
            start = max(step.start, since)
            end = step.end if until is None else (min(step.end, until) if step.end else until)
            if end is not None and end < start:
                continue
            segment = DoseSegment(day_number(current, start), None if end is None else day_number(current, end),
                                  step.dose_mg)
            if segments and segments[-1].dose_mg == segment.dose_mg and segments[-1].end_day == segment.start_day - 1:
                segment = DoseSegment(segments[-1].start_day, segment.end_day, segment.dose_mg)
                segments.pop()
            segments.append(segment)
    return tuple(s for s in segments if s.end_day is None or s.end_day >= 0)


def _sent(checkins: Sequence[CheckIn], terms: Plan) -> list[tuple[CheckIn, _Sent]]:
    sent = []
    for checkin in checkins:
        if not checkin.submitted:
            continue
        evaluation = checkin.evaluation or {}
        when = (date.fromisoformat(evaluation["as_of"]) if evaluation.get("as_of")
                else (checkin.submitted_at.date() if checkin.submitted_at else checkin.due_date))
        day = evaluation.get("days_on")
        sent.append((checkin, _Sent(when, day if isinstance(day, int) else day_number(terms, when),
                                    checkin.answers or {}, evaluation.get("changes") or {},
                                    evaluation.get("planned_dose_mg"))))
    return sorted(sent, key=lambda pair: (pair[1].when, pair[0].id))


def _line(checkin: CheckIn, sent: _Sent | None, terms: Plan, today: date, now: datetime) -> CheckinLine:
    status = checkin_status(checkin, today, now)
    if sent is None:
        if status == "not open yet":
            summary = f"Opens on {date_in_words(checkin.opens_on)}."
        elif status == "expired":
            summary = f"Not answered: the link stopped working on {date_in_words(checkin.expires_at.date())}."
        else:
            summary = f"Can be answered until {date_in_words(checkin.expires_at.date())}."
        return CheckinLine(checkin.id, checkin.due_date, day_number(terms, checkin.due_date),
                           STATUS_WORDS.get(status, status), False, False, NO_FLAGS, summary, checkin.review_status)
    flags = (checkin.evaluation or {}).get("flags") or []
    overall = pgic_words(sent.answers)
    said = f"Overall: {overall}." if overall else "Overall change not given."
    if flags:
        first = flags[0]
        more = f", and {len(flags) - 1} more" if len(flags) > 1 else ""
        found = f"{len(flags)} flag{'s' if len(flags) > 1 else ''}: {first['summary']}{more}."
    else:
        found = "No concerns."
    urgent = bool((checkin.evaluation or {}).get("urgent"))
    rank = checkin.severity_rank if 0 <= checkin.severity_rank < len(RANKED) else len(RANKED) - 1
    return CheckinLine(checkin.id, checkin.due_date, sent.day, STATUS_WORDS.get(status, status), True, urgent,
                       RANKED[rank], f"{'Urgent. ' if urgent else ''}{found} {said}", checkin.review_status)


def _trend_rows(item: str, baseline: int | None, screened: date | None,
                sent: Sequence[_Sent]) -> tuple[TrendRow, ...]:
    rows = [TrendRow(date_in_words(screened) if screened else "Not recorded", "Before LDN",
                     "Not given" if baseline is None else str(baseline), "The baseline", "None (before LDN)")]
    for one in sent:
        now = one.answers.get(item)
        change = stored_change(one.changes, item, baseline, now) if now is not None else None
        if now is None:
            moved = "–"
        elif change is None:
            moved = "No score before LDN"
        else:
            moved = change_words(*change)
        rows.append(TrendRow(date_in_words(one.when), day_words(one.day), "Not answered" if now is None else str(now),
                             moved, mg(one.planned_dose_mg)))
    return tuple(rows)


def trend_section(plan: TreatmentPlan, today: date | None = None, now: datetime | None = None) -> TrendSection:
    """The plan's check-ins and a trend per symptom. Reads `plan.response` (the baseline),
    `plan.checkins` and `plan.changes` (the planned dose as it was in force): load them
    together (checkin_list.load_plan_for_trend, or followup.plans.load_plan)."""
    today = today or date.today()
    moment = now or utcnow()
    terms = plan_terms(plan)
    response: QuestionnaireResponse = plan.response
    baseline_answers = response.answers or {}
    screened = response.submitted_at.date() if response.submitted_at else None
    sent_pairs = _sent(plan.checkins, terms)
    sent_by_id = {checkin.id: one for checkin, one in sent_pairs}
    sent = [one for _checkin, one in sent_pairs]
    doses = dose_segments(plan, terms)
    last_day = max([*terms.checkin_days, *(one.day for one in sent)], default=0)
    symptoms, not_scored = [], []
    for number, (item, label) in enumerate(SYMPTOM_ITEMS, start=1):
        baseline = baseline_answers.get(item)
        points = [TrendPoint(one.day, one.answers[item]) for one in sent if isinstance(one.answers.get(item), int)]
        if not isinstance(baseline, int):
            baseline = None
        if baseline is None and not points:
            not_scored.append(label)
            continue
        question = asked(item, label)
        chart_id = f"trend-{plan.id}-{number}"
        chart = trend_chart(f"{label}: score before LDN and at each check-in, with the planned dose",
                            baseline, points, doses, chart_id=chart_id, last_day=last_day)
        symptoms.append(SymptomTrend(label, question, chart_id, chart, _trend_rows(item, baseline, screened, sent)))
    return TrendSection(
        plan_id=plan.id,
        response_id=response.id,
        patient_ref=response.patient_ref or "",
        start_date=terms.start_date,
        checkins=tuple(_line(checkin, sent_by_id.get(checkin.id), terms, today, moment)
                       for checkin in sorted(plan.checkins, key=lambda c: (c.due_date, c.id))),
        symptoms=tuple(symptoms),
        not_scored=tuple(not_scored),
    )
