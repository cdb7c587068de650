"""The doctor's one-page summary of a submission, as a view-model templates only display.

Order is the product's promise: header, the numbers at a glance, earliest start, flags by
severity (each with its reason for this patient, the patient's own answers behind it, its
source and the rule's basis), then medicines with their recognised class, then every shown
answer, then the symptom chart. Everything is in words: question text and option labels,
never IDs or codes (those stay in the JSON and FHIR downloads).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from markupsafe import Markup

from ..evaluations import StoredFlag, header_numbers, stored_flags
from ..medications.classes import CLASS_WORDS, UNKNOWN
from ..models import FlagDecision, QuestionnaireResponse, StoredEvaluation
from ..questionnaire.display import (
    CONTAINS_OPIOID_LABELS,
    HOW_OFTEN_LABELS,
    PageRows,
    answer_lines,
    answer_pages,
    long_date,
)
from ..questionnaire.model import Questionnaire, Section
from ..rules import RULES_BY_ID
from ..rules.basis import BASIS_LABELS
from ..rules.scores import SYMPTOM_ITEMS, Numbers
from ..rules.severity import SEVERITIES, SEVERITY_LABELS
from ..rules.sources import SOURCES
from .charts import symptom_chart

SOURCE_KIND_BY_URL = {source.url: source.kind for source in SOURCES.values()}


@dataclass(frozen=True)
class EvidenceRow:
    label: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class FlagView:
    rule_id: str
    severity: str
    summary: str
    rationale: str
    source_label: str
    source_url: str
    source_kind: str | None  # "label", "peer-reviewed" …; None for a source no longer listed
    basis: str | None  # "Basis: service convention — not from the label"; None for a retired rule
    evidence: tuple[EvidenceRow, ...]
    decision: FlagDecision | None


@dataclass(frozen=True)
class MedicineView:
    name: str
    how_often: str
    last_taken: str | None
    med_class: str
    matched: str | None
    resembles: str | None = None
    contains_opioid: str | None = None  # the patient's answer on an unrecognised name

    @property
    def unknown(self) -> bool:
        """Unrecognised by the classifier: the doctor should check it."""
        return self.med_class == UNKNOWN or self.contains_opioid is not None

    @property
    def recorded(self) -> bool:
        return self.med_class != NOT_RECORDED

    @property
    def reading(self) -> str:
        """How the rules read it, in words."""
        if not self.recorded:
            return "Not recorded when this was evaluated"
        if not self.unknown:
            return f"{self.matched} ({CLASS_WORDS.get(self.med_class, self.med_class)})"
        words = ["Not recognised: check it"]
        if self.resembles:
            words.append(f"the name resembles {self.resembles}")
        if self.contains_opioid is not None:
            said = CONTAINS_OPIOID_LABELS.get(self.contains_opioid, self.contains_opioid)
            words.append(f"asked whether it contains an opioid, the patient answered “{said}”")
        if self.med_class != UNKNOWN:
            words.append(f"read as {CLASS_WORDS.get(self.med_class, self.med_class)}")
        return "; ".join(words)


@dataclass(frozen=True)
class SectionAnswers:
    section: Section
    pages: tuple[PageRows, ...]


@dataclass(frozen=True)
class SummaryView:
    response_id: int
    patient_ref: str
    date_of_birth: str | None
    numbers: Numbers
    sex_at_birth: str
    appointment: date | None
    submitted_at: datetime | None
    questionnaire_version: str
    evaluation: StoredEvaluation
    earliest_start_text: str
    urgent: bool
    flag_groups: tuple[tuple[str, str, tuple[FlagView, ...]], ...]
    medicines: tuple[MedicineView, ...]
    sections: tuple[SectionAnswers, ...]
    chart: Markup | None
    review_status: str
    review_note: str | None
    review_version: int

    @property
    def flag_count(self) -> int:
        return sum(len(flags) for _s, _l, flags in self.flag_groups)


OVERRIDDEN = "overridden"  # a doctor decided this flag does not stop the start


def earliest_start_text(
    evaluation: StoredEvaluation, flags: Sequence[StoredFlag], decisions: Mapping[str, FlagDecision],
) -> str:
    """The start line never reads as "start now" while a critical flag stands: opioid use
    first, then the critical flags no doctor has overridden, then the opioid wait's date."""
    if evaluation.opioid_block:
        return "Not until current opioid use stops"
    blocking = [flag for flag in flags if flag.severity == "critical"
                and getattr(decisions.get(flag.rule_id), "decision", None) != OVERRIDDEN]
    wait = evaluation.earliest_start
    if wait is not None and wait <= evaluation.as_of:
        wait = None
    if blocking:
        count = f"{len(blocking)} critical flag{'s' if len(blocking) > 1 else ''}"
        after = f"; the opioid wait alone ends {long_date(wait.isoformat())}" if wait else ""
        return f"Do not start yet: {count}{after}"
    if wait is not None:
        return long_date(wait.isoformat())
    return "No opioid wait"


def evidence_rows(questionnaire: Questionnaire, evidence: Mapping[str, Any]) -> tuple[EvidenceRow, ...]:
    """The answers behind a flag, with the question as the patient saw it."""
    rows = []
    for key, value in evidence.items():
        question = questionnaire.questions.get(key)
        if key == "medications" and isinstance(value, list):
            lines = tuple(_medication_evidence_line(entry) for entry in value)
            rows.append(EvidenceRow("Medicines listed", lines))
        elif question is not None:
            rows.append(EvidenceRow(question.text, answer_lines(question, value)))
        else:
            rows.append(EvidenceRow(key.replace("_", " ").capitalize(), (str(value),)))
    return tuple(rows)


def _medication_evidence_line(entry: Mapping[str, Any]) -> str:
    how_often = HOW_OFTEN_LABELS.get(entry.get("how_often", ""), entry.get("how_often", ""))
    last = f", last taken {long_date(entry['last_taken'])}" if entry.get("last_taken") else ""
    resembles = f"; resembles {entry['resembles']}" if entry.get("resembles") else ""
    said = entry.get("contains_opioid")
    answer = f"; contains an opioid? “{CONTAINS_OPIOID_LABELS.get(said, said)}”" if said else ""
    read_as = CLASS_WORDS.get(entry.get("class", ""), entry.get("class"))
    return f"{entry.get('name')} (read as {read_as}{resembles}{answer}; “{how_often}”{last})"


def flag_groups(
    questionnaire: Questionnaire, flags: Sequence[StoredFlag], decisions: Mapping[str, FlagDecision],
) -> tuple[tuple[str, str, tuple[FlagView, ...]], ...]:
    views = [
        FlagView(
            rule_id=flag.rule_id,
            severity=flag.severity,
            summary=flag.summary,
            rationale=flag.rationale,
            source_label=flag.source_label,
            source_url=flag.source_url,
            source_kind=SOURCE_KIND_BY_URL.get(flag.source_url),
            basis=BASIS_LABELS[RULES_BY_ID[flag.rule_id].basis] if flag.rule_id in RULES_BY_ID else None,
            evidence=evidence_rows(questionnaire, flag.evidence),
            decision=decisions.get(flag.rule_id),
        )
        for flag in flags
    ]
    return tuple(
        (severity, SEVERITY_LABELS[severity], tuple(v for v in views if v.severity == severity))
        for severity in SEVERITIES
        if any(v.severity == severity for v in views)
    )


NOT_RECORDED = "not recorded"  # evaluations stored before classes were kept (migration 0003)


def medicines(answers: Mapping[str, Any], evaluated: Sequence[Mapping[str, Any]] | None) -> tuple[MedicineView, ...]:
    """Each medicine as typed, with the class the evaluation read it as (never re-classified:
    the table must agree with the flags' evidence, whatever today's lexicon says)."""
    entries = answers.get("medications", ())
    recorded = evaluated is not None and len(evaluated) == len(entries)
    readings: Sequence[Mapping[str, Any] | None] = evaluated if recorded and evaluated else [None] * len(entries)
    return tuple(
        MedicineView(
            name=entry["name"],
            how_often=HOW_OFTEN_LABELS.get(entry["how_often"], entry["how_often"]),
            last_taken=long_date(entry["last_taken"]) if entry.get("last_taken") else None,
            med_class=reading["class"] if reading else NOT_RECORDED,
            matched=reading["matched"] if reading else None,
            resembles=reading.get("resembles") if reading else None,
            contains_opioid=reading.get("contains_opioid") if reading else None,
        )
        for entry, reading in zip(entries, readings, strict=True)
    )


def build_summary(
    questionnaire: Questionnaire, response: QuestionnaireResponse, evaluation: StoredEvaluation,
    decisions: Mapping[str, FlagDecision], today: date,
) -> SummaryView:
    """The summary as read on `today` (the opioid timeline counts back from it)."""
    answers = response.answers
    born = answers.get("date_of_birth")
    flags = stored_flags(evaluation)
    by_section: dict[str, list[PageRows]] = {}
    for group in answer_pages(questionnaire, answers):
        by_section.setdefault(group.page.section_id, []).append(group)
    sex_question = questionnaire.questions["sex_at_birth"]
    return SummaryView(
        response_id=response.id,
        patient_ref=response.invitation.patient_ref,
        date_of_birth=long_date(born) if born else None,
        numbers=header_numbers(response, evaluation, today),
        sex_at_birth=answer_lines(sex_question, answers.get("sex_at_birth"))[0],
        appointment=response.invitation.appointment_date,
        submitted_at=response.submitted_at,
        questionnaire_version=response.questionnaire_version,
        evaluation=evaluation,
        earliest_start_text=earliest_start_text(evaluation, flags, decisions),
        urgent=evaluation.urgent,
        flag_groups=flag_groups(questionnaire, flags, decisions),
        medicines=medicines(answers, evaluation.medicines),
        sections=tuple(
            SectionAnswers(section, tuple(by_section[section.id]))
            for section in questionnaire.sections if section.id in by_section
        ),
        chart=symptom_chart(SYMPTOM_ITEMS, answers),
        review_status=response.review_status,
        review_note=response.review_note,
        review_version=response.review_version,
    )
