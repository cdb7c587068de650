"""Facts derived from the answers that several rules share, each defined once.

Terms follow rules.md "Terms used in triggers": days(d), age, current entries, an entry's
last dose, short and long opioid exposures, AUDIT-C, PHQ and GAD sums, "on thyroid
hormone". Helpers that read answers take the rule's :class:`Inputs`, so whatever they
read must be among the calling rule's declared inputs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Any, Protocol

from screening.medications.classes import CLASS_WORDS, UNKNOWN
from screening.questionnaire import CHECKIN_QUESTIONNAIRE, QUESTIONNAIRE
from screening.questionnaire.display import HOW_OFTEN_LABELS, answer_lines, long_date
from screening.questionnaire.model import HOW_OFTEN_CODES, Question

from .engine import MEDICATIONS, NAMESPACE_SEPARATOR, Finding, Inputs

PATIENT_SAYS_OPIOID = "opioid/long"  # an unrecognised product the patient says contains an opioid
# The codes of CONTAINS_OPIOID_CODES the rules compare with (a test checks they are real).
CONTAINS_OPIOID_YES, CONTAINS_OPIOID_NO, CONTAINS_OPIOID_UNSURE = "yes", "no", "unsure"
STOPPED = "stopped"
CURRENT_HOW_OFTEN = tuple(code for code in HOW_OFTEN_CODES if code != STOPPED)
DAILY = "daily"

AUDIT_C_ITEMS = ("audit_c_frequency", "audit_c_typical", "audit_c_six_plus")
PHQ2_ITEMS = ("phq1_interest", "phq2_down")
PHQ9_ITEMS = (
    *PHQ2_ITEMS, "phq3_sleep", "phq4_tired", "phq5_appetite", "phq6_failure",
    "phq7_concentration", "phq8_movement", "phq9_self_harm",
)
GAD2_ITEMS = ("gad1_nervous", "gad2_worry")
SHORT_EXPOSURE_INPUTS = ("opioid_recent", "opioid_last_dose", "medications")
LONG_EXPOSURE_INPUTS = ("opioid_treatment", "opioid_treatment_last_dose", "medications")
THYROID_HORMONE_INPUTS = ("thyroid_medication", "medications")


class Classification(Protocol):
    """What screening.medications.classify returns (only what the rules read)."""

    @property
    def cls(self) -> str: ...
    @property
    def ingredients(self) -> tuple[str, ...]: ...
    @property
    def matched(self) -> str | None: ...
    @property
    def resembles(self) -> str | None: ...


Classifier = Callable[[str], Classification]


@dataclass(frozen=True)
class MedEntry:
    """One entry of the medication list, with the classifier's verdict."""

    name: str
    how_often: str
    last_taken: date | None
    cls: str
    ingredients: tuple[str, ...] = ()
    matched: str | None = None  # the product the classifier recognised, if any
    resembles: str | None = None  # for an unrecognised name: the opioid it resembles
    # The patient's own answer for an unrecognised name (yes / no / unsure); None for a
    # recognised one, whose answer rules.md says is ignored everywhere.
    contains_opioid: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "class": self.cls,
            "matched": self.matched,
            "ingredients": list(self.ingredients),
            "resembles": self.resembles,
            "contains_opioid": self.contains_opioid,
        }

    @property
    def unrecognised(self) -> bool:
        """The classifier could not place it (whatever the patient then said)."""
        return self.cls == UNKNOWN or self.contains_opioid is not None

    @property
    def may_hide_an_opioid(self) -> bool:
        """MED-02's entries: unrecognised, and the patient is unsure or the name resembles
        an opioid while the patient did not say it contains one."""
        return self.cls == UNKNOWN and (
            self.contains_opioid == CONTAINS_OPIOID_UNSURE
            or (self.resembles is not None and self.contains_opioid != CONTAINS_OPIOID_YES)
        )

    @property
    def current(self) -> bool:
        return self.how_often in CURRENT_HOW_OFTEN

    @property
    def stopped(self) -> bool:
        return self.how_often == STOPPED

    @property
    def daily(self) -> bool:
        return self.how_often == DAILY

    def contains(self, ingredient: str) -> bool:
        return ingredient in self.ingredients

    def last_dose(self, as_of: date) -> date | None:
        """`last_taken`; for a current entry without one, `as_of` (it is taken now)."""
        if self.last_taken is not None:
            return self.last_taken
        return as_of if self.current else None

    def evidence(self) -> dict[str, Any]:
        found = {
            "name": self.name,
            "class": self.cls,
            "how_often": self.how_often,
            "last_taken": self.last_taken.isoformat() if self.last_taken else None,
        }
        if self.resembles is not None:
            found["resembles"] = self.resembles
        if self.contains_opioid is not None:
            found["contains_opioid"] = self.contains_opioid
        return found


def classify_entries(
    raw: Iterable[Mapping[str, Any]], classify: Classifier
) -> tuple[MedEntry, ...]:
    """The medication list (as the contract's JSON has it), each entry classified."""
    entries = []
    for entry in raw:
        verdict = classify(entry["name"])
        last_taken = entry.get("last_taken")
        said = entry.get("contains_opioid") if verdict.cls == UNKNOWN else None
        entries.append(MedEntry(
            name=entry["name"],
            how_often=entry["how_often"],
            last_taken=date.fromisoformat(last_taken) if last_taken else None,
            # The patient's "yes" makes an unrecognised product an opioid for every rule;
            # its release type is unknown, so the longer washout applies (rules.md).
            cls=PATIENT_SAYS_OPIOID if said == CONTAINS_OPIOID_YES else verdict.cls,
            ingredients=tuple(verdict.ingredients),
            matched=verdict.matched,
            resembles=verdict.resembles if verdict.cls == UNKNOWN else None,
            contains_opioid=said,
        ))
    return tuple(entries)


def days(since: date, as_of: date) -> int:
    """days(d): as_of minus d, in whole days (negative when d is after as_of)."""
    return (as_of - since).days


def age(born: date, as_of: date) -> int:
    """Whole years; someone born on 29 February has their birthday on 1 March."""
    try:
        birthday = born.replace(year=as_of.year)
    except ValueError:  # 29 February in a year that has none
        birthday = date(as_of.year, 3, 1)
    return as_of.year - born.year - (as_of < birthday)


def entries(a: Inputs, *classes: str, among: str = MEDICATIONS) -> tuple[MedEntry, ...]:
    """The entries of these classes (any `how_often`) in the medication list `among`."""
    return tuple(entry for entry in a.meds_in(among) if entry.cls in classes)


def current_entries(a: Inputs, *classes: str, among: str = MEDICATIONS) -> tuple[MedEntry, ...]:
    return tuple(entry for entry in a.meds_in(among) if entry.cls in classes and entry.current)


@dataclass(frozen=True)
class Exposure:
    """A dated opioid exposure and what the patient said that dates it."""

    last_dose: date
    evidence: Mapping[str, Any]


def short_exposures(a: Inputs, as_of: date) -> list[Exposure]:
    """Dated short opioid exposures: `opioid_last_dose` (always) and opioid/short entries."""
    found = []
    last_dose = a.as_date("opioid_last_dose")
    if a.is_("opioid_recent", "yes", "unsure") and last_dose is not None:
        found.append(Exposure(last_dose, a.evidence("opioid_last_dose")))
    return found + _entry_exposures(entries(a, "opioid/short"), as_of)


def long_exposures(a: Inputs, as_of: date) -> list[Exposure]:
    """Dated long opioid exposures: methadone/buprenorphine treatment and opioid/long entries."""
    found = []
    last_dose = a.as_date("opioid_treatment_last_dose")
    if a.is_("opioid_treatment", "current", "past") and last_dose is not None:
        evidence = a.evidence("opioid_treatment", "opioid_treatment_last_dose")
        found.append(Exposure(last_dose, evidence))
    return found + _entry_exposures(entries(a, "opioid/long"), as_of)


def _entry_exposures(selected: Iterable[MedEntry], as_of: date) -> list[Exposure]:
    return [
        Exposure(last_dose, medication_evidence([entry]))
        for entry in selected
        if (last_dose := entry.last_dose(as_of)) is not None
    ]


class Notes:
    """What a rule has found so far: sentences for the doctor and the evidence behind them.

    A rule notes each reason it fires; ``finding()`` is None when it noted none.
    """

    def __init__(self, a: Inputs) -> None:
        self._a = a
        self._said: list[str] = []
        self._evidence: dict[str, Any] = {}

    def add(self, text: str, evidence: Mapping[str, Any]) -> None:
        self._said.append(text)
        _merge_into(self._evidence, evidence)

    def answers(self, *qids: str, text: str | None = None) -> None:
        """These answers, in words ("Answered q = v.") unless `text` says it better."""
        self.add(text or answered(self._a, *qids), self._a.evidence(*qids))

    def listed(self, text: str, selected: Iterable[MedEntry], among: str = MEDICATIONS) -> None:
        """These entries of the medication list `among`, if there are any, as "<text>: <entries>."."""
        if selected := tuple(selected):
            self.add(f"{text}: {describe(selected)}.", medication_evidence(selected, among))

    def finding(self) -> Finding | None:
        return Finding(" ".join(self._said), self._evidence) if self._said else None


def merged_evidence(parts: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Several findings' evidence as one; medication entries are listed together."""
    merged: dict[str, Any] = {}
    for part in parts:
        _merge_into(merged, part)
    return merged


def _merge_into(merged: dict[str, Any], part: Mapping[str, Any]) -> None:
    """Answers overwrite (they are the same answer); medication entries, the only evidence
    held in lists (answers are tuples), are listed together."""
    for key, value in part.items():
        if isinstance(value, list):
            merged.setdefault(key, []).extend(value)
        else:
            merged[key] = value


def medication_evidence(selected: Iterable[MedEntry], among: str = MEDICATIONS) -> dict[str, Any]:
    """The entries as evidence, under the ID of the list they come from."""
    return {among: [entry.evidence() for entry in selected]}


def describe(selected: Iterable[MedEntry]) -> str:
    """Entries as a doctor reads them, in words:
    "Tylenol #3 (short-acting opioid; “Only when I need it”; last taken 28 November 2026)"."""
    return "; ".join(_describe_entry(entry) for entry in selected)


def _describe_entry(entry: MedEntry) -> str:
    parts = [CLASS_WORDS.get(entry.cls, entry.cls), f"“{HOW_OFTEN_LABELS.get(entry.how_often, entry.how_often)}”"]
    if entry.last_taken:
        parts.append(f"last taken {long_date(entry.last_taken.isoformat())}")
    return f"{entry.name} ({'; '.join(parts)})"


def question(qid: str) -> Question:
    """A question of the screening, or of the check-in; "screening.<ID>" is the screening's.
    (The two share the borrowed items, with the same words.)"""
    screening_id = qid.removeprefix(f"screening{NAMESPACE_SEPARATOR}")
    found = QUESTIONNAIRE.questions.get(screening_id)
    return found if found is not None else CHECKIN_QUESTIONNAIRE.questions[qid]


def in_words(qid: str, value: Any) -> str:
    """An answer as the patient saw it: option labels, not codes; dates in words."""
    return ", ".join(answer_lines(question(qid), value))


def answered(a: Inputs, *qids: str) -> str:
    """The answers as the doctor reads them: “Do you have kidney disease?” – “On dialysis”."""
    return " ".join(f"“{question(qid).text}” – “{in_words(qid, a[qid])}”." for qid in qids)


def question_words(qids: Iterable[str]) -> str:
    """Questions named by what they ask: for answers that are missing."""
    return "; ".join(f"“{question(qid).text}”" for qid in qids)


AUDIT_C_POSITIVE_MALE = 4  # ALC-01: positive at ≥ 4 when sex_at_birth = male …
AUDIT_C_POSITIVE_OTHERS = 3  # … otherwise ≥ 3 (also when sex is not given: the lower bar)


def audit_c_threshold(sex_at_birth: str | None) -> int:
    """The score from which AUDIT-C is positive for this patient."""
    return AUDIT_C_POSITIVE_MALE if sex_at_birth == "male" else AUDIT_C_POSITIVE_OTHERS


def lab_ratio(value: float | None, uln: float | None) -> Fraction | None:
    """A result as a multiple of the patient's own upper limit; None when either is missing."""
    if value is None or uln is None or uln <= 0:
        return None
    if isinstance(value, int) and isinstance(uln, int):  # the usual case, and much faster
        return Fraction(value, uln)
    # 2.4 / 1.2 must be exactly 2: read decimals as written, not as binary floats.
    return Fraction(str(value)) / Fraction(str(uln))


def times(ratio: Fraction) -> str:
    """The ratio to two decimals; "just over 3.00" where rounding would make a ratio that
    crosses a threshold (1, 3, 5 …) read as the threshold itself."""
    shown = f"{float(ratio):.2f}"
    whole = Fraction(shown)
    if whole.denominator != 1 or whole == ratio:
        return shown
    return f"just over {shown}" if ratio > whole else f"just under {shown}"


def audit_c(a: Mapping[str, Any]) -> int:
    """AUDIT-C score: the sum of the three item scores; absent items score 0."""
    return sum(
        QUESTIONNAIRE.questions[item].score_for(a[item]) for item in AUDIT_C_ITEMS if item in a
    )


def item_sum(a: Mapping[str, Any], items: Iterable[str]) -> int:
    """A PHQ/GAD sum over the answered items (the form requires them all)."""
    return sum(a[item] for item in items if item in a)


def thyroid_hormone(a: Inputs) -> dict[str, Any]:
    """What shows the patient is on thyroid hormone: the thyroid medicine answer and current
    thyroid-hormone entries (empty when nothing does)."""
    evidence = {}
    if a.has("thyroid_medication", "levothyroxine", "liothyronine", "desiccated_thyroid"):
        evidence.update(a.evidence("thyroid_medication"))
    listed = current_entries(a, "thyroid_hormone")
    if listed:
        evidence.update(medication_evidence(listed))
    return evidence
