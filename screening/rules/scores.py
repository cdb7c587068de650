"""The numbers a doctor wants at a glance, whether or not any rule fired on them.

Questionnaire totals with their reading (PHQ-9 and its severity band, PHQ-2, GAD-2,
AUDIT-C against this patient's threshold), the 0–10 symptom baseline, liver results as
multiples of the patient's own upper limit, age, and every reported last opioid dose
counted back from today and from the appointment (the rules count to the appointment;
a doctor phoning today needs both). Pure: the summary, its PDF and both exports read
the same :class:`Numbers`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from screening.medications.classes import AGONIST_CLASSES
from screening.questionnaire.display import long_date

from .facts import (
    AUDIT_C_ITEMS,
    GAD2_ITEMS,
    PHQ2_ITEMS,
    PHQ9_ITEMS,
    age,
    audit_c,
    audit_c_threshold,
    item_sum,
    lab_ratio,
    times,
)
from .mood import GAD2_POSITIVE_AT_LEAST, PHQ2_POSITIVE_AT_LEAST

# Kroenke, Spitzer & Williams 2001: the PHQ-9's severity bands (highest score of each).
PHQ9_BANDS = ((4, "minimal"), (9, "mild"), (14, "moderate"), (19, "moderately severe"), (27, "severe"))

# (question ID, short label) of the 0–10 baseline, in the order the patient answered them.
SYMPTOM_ITEMS = (
    ("pain_average", "Pain"),
    ("pain_interference", "Pain gets in the way"),
    ("fatigue", "Tiredness"),
    ("brain_fog", "Brain fog"),
    ("sleep_problems", "Sleep problems"),
    ("low_mood", "Low mood"),
    ("anxiety", "Anxiety"),
)
AUDIT_C_THRESHOLD_FOR = {"male": "men", "female": "women"}
LABS = (("ALT", "alt_value", "alt_uln"), ("AST", "ast_value", "ast_uln"),
        ("Bilirubin", "bilirubin_value", "bilirubin_uln"))
# Last-dose questions of the opioid pages: (question ID, what the date is the last dose of).
LAST_DOSE_QUESTIONS = (
    ("opioid_last_dose", "Any opioid (opioid questions)"),
    ("opioid_treatment_last_dose", "Methadone or buprenorphine (treatment question)"),
)


@dataclass(frozen=True)
class Score:
    name: str  # "PHQ-9"
    key: str  # "phq9": the JSON key and the FHIR Observation's local code
    total: int | None  # None when an item the total needs was not answered
    out_of: int
    reading: str  # "mild (5–9)", "positive (3 or more)" …
    items: tuple[str, ...]  # the question IDs it adds up


@dataclass(frozen=True)
class Symptom:
    question_id: str
    label: str
    value: int


@dataclass(frozen=True)
class LabResult:
    name: str
    value: float
    upper_limit: float | None
    times_limit: str | None  # "2.10": the ratio as the rules compute it; None without a limit
    question_ids: tuple[str, str]


@dataclass(frozen=True)
class LastDose:
    what: str  # the medicine as typed, or the question the date answers
    last: date | None  # None: taken now, no date given
    days_before_today: int | None
    days_before_appointment: int | None

    @property
    def text(self) -> str:
        if self.last is None:
            return "Taking now (no date of the last dose)"
        counted = [_days_ago(self.days_before_today or 0, "today")]
        if self.days_before_appointment is not None:
            counted.append(_days_ago(self.days_before_appointment, "the appointment"))
        return f"{long_date(self.last.isoformat())}: {', '.join(counted)}"


@dataclass(frozen=True)
class Numbers:
    age: int | None
    scores: tuple[Score, ...]
    symptoms: tuple[Symptom, ...]
    labs: tuple[LabResult, ...]
    last_doses: tuple[LastDose, ...]
    today: date
    appointment: date | None

    def to_json(self) -> dict[str, Any]:
        """The same numbers for the JSON export (dates as ISO strings)."""
        data = asdict(self)
        data["today"] = self.today.isoformat()
        data["appointment"] = self.appointment.isoformat() if self.appointment else None
        for dose in data["last_doses"]:
            dose["last"] = dose["last"].isoformat() if dose["last"] else None
        return data


def _days_ago(days: int, before: str) -> str:
    if days < 0:
        return f"{-days} days after {before}"
    return f"{days} days before {before}" if days != 1 else f"1 day before {before}"


def phq9_band(total: int) -> str:
    low = 0
    for high, band in PHQ9_BANDS:
        if total <= high:
            return f"{band} ({low}–{high})"
        low = high + 1
    raise ValueError(f"a PHQ-9 total is 0–27, not {total}")


def _screen(positive_from: int) -> Callable[[int], str]:
    def reading(total: int) -> str:
        if total >= positive_from:
            return f"positive ({positive_from} or more)"
        return f"negative (under {positive_from})"
    return reading


def _total(answers: Mapping[str, Any], items: Sequence[str]) -> int | None:
    return item_sum(answers, items) if all(item in answers for item in items) else None


def scores(answers: Mapping[str, Any]) -> tuple[Score, ...]:
    """PHQ-9, PHQ-2, GAD-2 and AUDIT-C, each with what it means for this patient."""
    found = []
    read: Callable[[int], str]
    for name, key, items, out_of, read in (
        ("PHQ-9", "phq9", PHQ9_ITEMS, 27, phq9_band),
        ("PHQ-2", "phq2", PHQ2_ITEMS, 6, _screen(PHQ2_POSITIVE_AT_LEAST)),
        ("GAD-2", "gad2", GAD2_ITEMS, 6, _screen(GAD2_POSITIVE_AT_LEAST)),
    ):
        total = _total(answers, items)
        found.append(Score(name, key, total, out_of, read(total) if total is not None else _missing(answers, items),
                           tuple(items)))
    found.append(_audit_c(answers))
    return tuple(found)


def _missing(answers: Mapping[str, Any], items: Sequence[str]) -> str:
    given = sum(item in answers for item in items)
    return f"not scored: {given} of {len(items)} questions answered"


def _audit_c(answers: Mapping[str, Any]) -> Score:
    # The second and third questions are skipped (score 0) after "never": only the first is needed.
    if "audit_c_frequency" not in answers:
        return Score("AUDIT-C", "audit_c", None, 12, _missing(answers, AUDIT_C_ITEMS), AUDIT_C_ITEMS)
    sex = answers.get("sex_at_birth")
    threshold = audit_c_threshold(sex)
    total = audit_c(answers)
    word = "positive" if total >= threshold else "negative"
    who = AUDIT_C_THRESHOLD_FOR.get(str(sex), "anyone not male at birth")
    return Score("AUDIT-C", "audit_c", total, 12, f"{word} (positive from {threshold}, the threshold for {who})",
                 AUDIT_C_ITEMS)


def symptoms(answers: Mapping[str, Any]) -> tuple[Symptom, ...]:
    return tuple(Symptom(qid, label, answers[qid]) for qid, label in SYMPTOM_ITEMS if isinstance(answers.get(qid), int))


def labs(answers: Mapping[str, Any]) -> tuple[LabResult, ...]:
    found = []
    for name, value_id, uln_id in LABS:
        value = answers.get(value_id)
        if value is None:
            continue
        ratio = lab_ratio(value, answers.get(uln_id))
        found.append(LabResult(name, value, answers.get(uln_id), times(ratio) if ratio is not None else None,
                               (value_id, uln_id)))
    return tuple(found)


def last_doses(
    answers: Mapping[str, Any], classes: Sequence[str] | None, today: date, appointment: date | None,
) -> tuple[LastDose, ...]:
    """Every reported last opioid dose: the opioid questions' dates, then each medicine the
    evaluation read as an opioid agonist (`classes`, aligned with the medicines list)."""
    found = []
    for qid, what in LAST_DOSE_QUESTIONS:
        if answers.get(qid):
            found.append(_dose(what, date.fromisoformat(answers[qid]), today, appointment))
    medicines = answers.get("medications") or ()
    if classes is not None and len(classes) == len(medicines):
        for entry, cls in zip(medicines, classes, strict=True):
            if cls not in AGONIST_CLASSES:  # loperamide and naloxone set no opioid wait
                continue
            if entry.get("last_taken"):
                found.append(_dose(entry["name"], date.fromisoformat(entry["last_taken"]), today, appointment))
            elif entry.get("how_often") != "stopped":
                found.append(LastDose(entry["name"], None, None, None))
    return tuple(found)


def _dose(what: str, last: date, today: date, appointment: date | None) -> LastDose:
    return LastDose(what, last, (today - last).days, (appointment - last).days if appointment else None)


def numbers(
    answers: Mapping[str, Any], medicine_classes: Sequence[str] | None, today: date, appointment: date | None,
) -> Numbers:
    born = answers.get("date_of_birth")
    return Numbers(
        age=age(date.fromisoformat(born), today) if born else None,
        scores=scores(answers),
        symptoms=symptoms(answers),
        labs=labs(answers),
        last_doses=last_doses(answers, medicine_classes, today, appointment),
        today=today,
        appointment=appointment,
    )
