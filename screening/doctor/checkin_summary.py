"""What the doctor sees of check-ins (followup.md section 4), as view-models templates only display.

- One check-in (:func:`build_checkin_view`): its flags first, grouped by severity and
  explained as on the screening summary (rule, rationale, the answers behind it, source
  and its kind, the rule's basis), then each symptom against the screening's baseline in
  points and percent, the patient's overall impression of change (PGIC) in words, and
  every answer as the patient saw it.
- One plan (:func:`trend_section`): its check-ins in order, each with its status and a
  line saying what it found, and a trend per symptom: an SVG chart (trend_chart.py) with
  the planned dose as a step line, and a table of the same values beside it.

Everything is in words: question text and option labels, never IDs or codes. What was
stored when a check-in was submitted (its evaluation) is shown as stored: the flags, the
changes and the planned dose are the ones the rules computed then. Pure: the rows are
loaded by `checkin_list`; "today" and "now" are arguments.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from markupsafe import Markup

from ..evaluations import StoredFlag
from ..followup.checkins import checkin_status, plan_terms, terms_history
from ..models import CheckIn, QuestionnaireResponse, TreatmentPlan, utcnow
from ..questionnaire import CHECKIN_QUESTIONNAIRE, QUESTIONNAIRE
from ..questionnaire.display import PageRows, answer_pages, date_in_words
from ..rules.basis import BASIS_LABELS
from ..rules.checkin import CHECKIN_RULES_BY_ID, checkin_context
from ..rules.followup import CI_MEDICATIONS, SCREENING, percent_change
from ..rules.plan import Plan, day_number, dose_schedule, planned_dose
from ..rules.scores import SYMPTOM_ITEMS
from ..rules.severity import NO_FLAGS, RANK_WORDS, RANKED, SEVERITIES
from .summary import SOURCE_KIND_BY_URL, EvidenceRow, FlagView, evidence_rows
from .trend_chart import DoseSegment, TrendPoint, trend_chart

PGIC = "ci_pgic"
DOSE_TAKEN = "ci_dose_mg"
MINUS = "\u2212"  # a real minus sign: "−2 points" reads (and prints) as a negative number
# The plan's facts a check-in rule may cite as evidence (rules.plan.PLAN_FACTS), in words.
PLAN_FACT_LABELS = {
    "plan.start_date": "The plan's start date",
    "plan.days_on": "Days on LDN",
    "plan.planned_dose_mg": "Planned dose that day",
}
AT_SCREENING = " (at screening)"
NEW_MEDICINES = "New medicines listed"
STATUS_WORDS = {
    "sent": "Sent",
    "open": "Open: not answered yet",
    "started": "Started: not sent yet",
    "not open yet": "Not open yet",
    "expired": "Expired: not answered",
}
REVIEW_WORDS = {"new": "New", "reviewed": "Reviewed"}

FlagGroups = tuple[tuple[str, str, tuple[FlagView, ...]], ...]


# --- words ---------------------------------------------------------------------------------

def mg(value: Decimal | float | int | None) -> str:
    """1.5 → "1.5 mg"; None → "None (before the start)"."""
    if value is None:
        return "None (before the start)"
    return f"{Decimal(str(value)).normalize():f} mg"


def _signed(value: Decimal | int) -> str:
    return f"{MINUS if value < 0 else '+'}{abs(value)}"


def change_words(points: int, percent: Decimal | float | None) -> str:
    """A change against baseline: "−2 points (−28.6 %)", "+1 point (+20.0 %)", "No change
    (0 points)"; from a baseline of 0 there is no percentage, and it says so."""
    if points == 0:
        return "No change (0 points)"
    said = f"{_signed(points)} point{'' if abs(points) == 1 else 's'}"
    if percent is None:
        return f"{said} (no percentage: the score before LDN was 0)"
    exact = Decimal(str(percent)).quantize(Decimal("0.1"))
    return f"{said} ({_signed(exact)} %)"


def day_words(day: int) -> str:
    return f"Day {day}" if day >= 0 else f"{-day} day{'s' if day != -1 else ''} before the start"


# --- flags ---------------------------------------------------------------------------------

def checkin_evidence_rows(evidence: Mapping[str, Any]) -> tuple[EvidenceRow, ...]:
    """The answers behind a check-in flag, labelled as the patient saw them: the check-in's
    own questions, the screening's answers it was compared with (marked "at screening"),
    the new medicines as the rules read them, and the plan's facts."""
    rows: list[EvidenceRow] = []
    for key, value in evidence.items():
        if key == CI_MEDICATIONS and isinstance(value, list):
            listed = evidence_rows(QUESTIONNAIRE, {"medications": value})
            rows += [EvidenceRow(NEW_MEDICINES, row.lines) for row in listed]
        elif key.startswith(f"{SCREENING}."):
            at_screening = evidence_rows(QUESTIONNAIRE, {key.removeprefix(f"{SCREENING}."): value})
            rows += [EvidenceRow(row.label + AT_SCREENING, row.lines) for row in at_screening]
        elif key in PLAN_FACT_LABELS:
            rows.append(EvidenceRow(PLAN_FACT_LABELS[key], (_plan_fact(key, value),)))
        else:
            rows += evidence_rows(CHECKIN_QUESTIONNAIRE, {key: value})
    return tuple(rows)


def _plan_fact(key: str, value: Any) -> str:
    if value is None:
        return "None (before the start)"
    if key == "plan.planned_dose_mg":
        return mg(value)
    if key == "plan.start_date" and isinstance(value, str):
        return date_in_words(date.fromisoformat(value))
    return str(value)


def flag_view(flag: StoredFlag) -> FlagView:
    """A check-in flag as the screening summary shows one (no decision: check-in flags are
    read, then the check-in is marked reviewed)."""
    rule = CHECKIN_RULES_BY_ID.get(flag.rule_id)
    return FlagView(
        rule_id=flag.rule_id,
        severity=flag.severity,
        summary=flag.summary,
        rationale=flag.rationale,
        source_label=flag.source_label,
        source_url=flag.source_url or "",  # the service's own rules cite no page
        source_kind=SOURCE_KIND_BY_URL.get(flag.source_url),
        basis=BASIS_LABELS[rule.basis] if rule is not None else None,
        evidence=checkin_evidence_rows(flag.evidence),
        decision=None,
    )


def checkin_flag_groups(flags: Sequence[Mapping[str, Any]]) -> FlagGroups:
    """The stored flags by severity, most serious first: (severity, its word, flags)."""
    views = [flag_view(StoredFlag.from_json(flag)) for flag in flags]
    return tuple(
        (severity, RANK_WORDS[severity], tuple(v for v in views if v.severity == severity))
        for severity in SEVERITIES if any(v.severity == severity for v in views)
    )


# --- one check-in --------------------------------------------------------------------------

@dataclass(frozen=True)
class ChangeView:
    """One symptom: the screening's score (before LDN), this check-in's, and the change."""

    label: str  # the short name ("Pain")
    question: str  # what was asked ("Your pain on average"); "" when it is the short name
    baseline: int | None
    now: int | None
    points: int | None
    percent: Decimal | None

    @property
    def words(self) -> str:
        if self.points is None:
            return "No change to show: " + ("not answered now" if self.now is None else "no score before LDN")
        return change_words(self.points, self.percent)


@dataclass(frozen=True)
class CheckinView:
    checkin_id: int
    plan_id: int
    response_id: int
    patient_ref: str
    plan_start: date
    due_date: date
    submitted: bool
    submitted_at: datetime | None
    as_of: date | None
    day: int  # days on LDN when sent (as the rules counted); the due day when not sent
    planned_dose: str  # the plan's dose that day, as the rules read it
    dose_taken: str | None  # the patient's answer
    status: str  # in words
    urgent: bool
    severity: str  # the most serious flag's severity, or "none"
    flag_groups: FlagGroups
    changes: tuple[ChangeView, ...]
    pgic_question: str
    pgic: str | None  # the patient's overall impression of change, in words
    pages: tuple[PageRows, ...]
    ruleset_version: str | None
    review_status: str
    reviewed_by: str | None
    reviewed_at: datetime | None

    @property
    def flag_count(self) -> int:
        return sum(len(flags) for _s, _w, flags in self.flag_groups)

    @property
    def review_words(self) -> str:
        return REVIEW_WORDS.get(self.review_status, self.review_status)

    @property
    def review_version(self) -> int:
        """What the "Mark reviewed" form states it saw: 0 while new (checkin_list.mark_reviewed)."""
        return 0 if self.review_status == "new" else 1


def _evaluation(checkin: CheckIn) -> Mapping[str, Any]:
    return (checkin.evaluation or {}) if checkin.submitted else {}


def symptom_changes(evaluation: Mapping[str, Any], answers: Mapping[str, Any],
                    baseline_answers: Mapping[str, Any]) -> tuple[ChangeView, ...]:
    """Each symptom scored before LDN or now, in the screening's order; the change as the
    rules stored it (both scores present), else what is missing."""
    stored = evaluation.get("changes") or {}
    rows = []
    for item, label in SYMPTOM_ITEMS:
        baseline, now = baseline_answers.get(item), answers.get(item)
        if baseline is None and now is None:
            continue
        change = stored_change(stored, item, baseline, now)
        rows.append(ChangeView(label, asked(item, label), baseline, now,
                               None if change is None else change[0], None if change is None else change[1]))
    return tuple(rows)


def stored_change(stored: Mapping[str, Any], item: str, baseline: int | None,
                  now: int | None) -> tuple[int, Decimal | None] | None:
    """(points, percent) of a symptom against baseline: as the evaluation stored it, or
    (stored before it kept changes) as the rules compute it; None without both scores."""
    change = stored.get(item)
    if isinstance(change, Mapping):
        percent = change.get("percent")
        return int(change["points"]), None if percent is None else Decimal(str(percent))
    if baseline is None or now is None:
        return None
    return now - baseline, percent_change(baseline, now)


def asked(item: str, label: str) -> str:
    """The symptom's question as the patient read it, when it says more than its short name."""
    text = CHECKIN_QUESTIONNAIRE.questions[item].text
    return "" if text.strip().lower() == label.strip().lower() else text


def pgic_words(answers: Mapping[str, Any]) -> str | None:
    code = answers.get(PGIC)
    return CHECKIN_QUESTIONNAIRE.questions[PGIC].label_for(code) if isinstance(code, str) else None


def build_checkin_view(checkin: CheckIn, reviewed_by: str | None, today: date, now: datetime) -> CheckinView:
    """One check-in as its page shows it. `checkin.plan.response` is the screening the plan
    followed (its answers are the baseline); `reviewed_by` the reviewer's email, if any."""
    plan = checkin.plan
    response = plan.response
    terms = plan_terms(plan)
    evaluation = _evaluation(checkin)
    answers = checkin.answers if checkin.submitted else {}
    flags = evaluation.get("flags") or []
    as_of = date.fromisoformat(evaluation["as_of"]) if evaluation.get("as_of") else None
    day = evaluation.get("days_on")
    taken = answers.get(DOSE_TAKEN)
    status = checkin_status(checkin, today, now)
    sent_rank = checkin.severity_rank if checkin.submitted and 0 <= checkin.severity_rank < len(RANKED) else None
    return CheckinView(
        checkin_id=checkin.id,
        plan_id=plan.id,
        response_id=response.id,
        patient_ref=response.patient_ref or "",
        plan_start=terms.start_date,
        due_date=checkin.due_date,
        submitted=checkin.submitted,
        submitted_at=checkin.submitted_at,
        as_of=as_of,
        day=day if isinstance(day, int) else day_number(terms, checkin.due_date),
        planned_dose=mg(evaluation.get("planned_dose_mg")) if evaluation else mg(planned_dose(terms, checkin.due_date)),
        dose_taken=mg(taken) if taken is not None else None,
        status=STATUS_WORDS.get(status, status),
        urgent=bool(evaluation.get("urgent")),
        severity=NO_FLAGS if sent_rank is None else RANKED[sent_rank],
        flag_groups=checkin_flag_groups(flags),
        changes=symptom_changes(evaluation, answers, response.answers) if checkin.submitted else (),
        pgic_question=CHECKIN_QUESTIONNAIRE.questions[PGIC].text,
        pgic=pgic_words(answers),
        pages=tuple(answer_pages(CHECKIN_QUESTIONNAIRE, answers, checkin_context(response.answers)))
        if checkin.submitted else (),
        ruleset_version=checkin.ruleset_version or evaluation.get("ruleset_version"),
        review_status=checkin.review_status,
        reviewed_by=reviewed_by,
        reviewed_at=checkin.reviewed_at,
    )


# --- one plan: the check-ins in order and the trend per symptom ----------------------------

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
