"""What the doctor sees of one check-in (followup.md section 4), as a view-model templates only display.

A check-in is read to decide whether the patient needs the doctor now, so its page
(:func:`build_checkin_view`) puts its flags first, grouped by severity and explained as on
the screening summary (rule, rationale, the answers behind it, source and its kind, the
rule's basis), then each symptom against the screening's baseline in points and percent,
the patient's overall impression of change (PGIC) in words, and every answer as the
patient saw it.

The words for doses, changes, days and statuses live here and are reused by the plan's
trend (checkin_trend.py), so that both pages say the same thing the same way.

Everything is in words: question text and option labels, never IDs or codes. What was
stored when a check-in was submitted (its evaluation) is shown as stored: the flags, the
changes and the planned dose are the ones the rules computed then. Pure: the rows are
loaded by `checkin_list`; "today" and "now" are arguments.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ..evaluations import StoredFlag
from ..followup.checkins import checkin_status, plan_terms
from ..models import CheckIn
from ..questionnaire import CHECKIN_QUESTIONNAIRE, QUESTIONNAIRE
from ..questionnaire.display import PageRows, answer_pages, date_in_words
from ..rules.basis import BASIS_LABELS
from ..rules.checkin import CHECKIN_RULES_BY_ID, checkin_context
from ..rules.followup import CI_MEDICATIONS, SCREENING, percent_change
from ..rules.plan import day_number, planned_dose
from ..rules.scores import SYMPTOM_ITEMS
from ..rules.severity import NO_FLAGS, RANK_WORDS, RANKED, SEVERITIES
from .summary import SOURCE_KIND_BY_URL, EvidenceRow, FlagView, evidence_rows

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
# A check-in's page and the plan's list of check-ins (checkin_trend) say these the same way.
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
# The plan's trend (checkin_trend) uses these too, so a dose or a change reads alike on both pages.

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
