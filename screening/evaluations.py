"""Run the rules on a submission and store the result, exactly as computed; read it back.

Stored evaluations are never rewritten: a re-evaluation under a newer ruleset is a new,
separately recorded row, so a past summary can always be shown as the doctor saw it.
`StoredFlag` is the one reading of a stored flag that every consumer shares.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from sqlalchemy.orm import Session

from .models import QuestionnaireResponse, StoredEvaluation
from .rules import evaluate
from .rules.scores import Numbers, numbers
from .rules.severity import SEVERITIES, SEVERITY_RANK, Severity, most_serious_rank


@dataclass(frozen=True)
class StoredFlag:
    """A flag as stored with its evaluation (the `evaluate` CLI's flag object)."""

    rule_id: str
    severity: Severity
    summary: str
    rationale: str
    source_label: str
    source_url: str
    evidence: Mapping[str, Any]

    @classmethod
    def from_json(cls, document: Mapping[str, Any]) -> StoredFlag:
        severity = document["severity"]
        if severity not in SEVERITY_RANK:
            raise ValueError(f"unknown severity {severity!r} in a stored flag")
        return cls(
            rule_id=document["rule_id"],
            severity=cast(Severity, severity),
            summary=document["summary"],
            rationale=document["rationale"],
            source_label=document["source"]["label"],
            source_url=document["source"]["url"],
            evidence=document.get("evidence", {}),
        )

    @property
    def rank(self) -> int:
        return SEVERITY_RANK[self.severity]


def stored_flags(evaluation: StoredEvaluation) -> tuple[StoredFlag, ...]:
    return tuple(StoredFlag.from_json(flag) for flag in evaluation.flags)


def header_numbers(response: QuestionnaireResponse, evaluation: StoredEvaluation, today: date) -> Numbers:
    """The summary's and exports' header of numbers; medicines count as opioids only as this
    evaluation read them (evaluations stored before classes were kept list none)."""
    classes = [entry["class"] for entry in evaluation.medicines] if evaluation.medicines is not None else None
    return numbers(response.answers, classes, today, response.invitation.appointment_date)


def as_of_for(response: QuestionnaireResponse) -> date:
    """The appointment date, or the submission date when no appointment is known."""
    if response.invitation.appointment_date is not None:
        return response.invitation.appointment_date
    moment = response.submitted_at or response.updated_at
    return moment.date()


def store_evaluation(session: Session, response: QuestionnaireResponse, kind: str) -> StoredEvaluation:
    as_of = as_of_for(response)
    result = evaluate(response.answers, as_of)
    counts = dict.fromkeys(SEVERITIES, 0)
    for flag in result.flags:
        counts[flag.severity] += 1
    evaluation = StoredEvaluation(
        response_id=response.id,
        kind=kind,
        ruleset_version=result.ruleset_version,
        as_of=as_of,
        urgent=result.urgent,
        opioid_block=result.opioid_block,
        earliest_start=result.earliest_start,
        critical_count=counts["critical"],
        warning_count=counts["warning"],
        info_count=counts["info"],
        flags=[flag.to_json() for flag in result.flags],
        medicines=result.medications_json(),
    )
    session.add(evaluation)
    session.flush()
    return evaluation


def project_into_queue(response: QuestionnaireResponse, evaluation: StoredEvaluation) -> None:
    """Copy what the doctor queue sorts and filters on onto the response row."""
    response.patient_ref = response.invitation.patient_ref
    response.appointment_date = response.invitation.appointment_date
    response.urgent = evaluation.urgent
    response.severity_rank = most_serious_rank(flag.severity for flag in stored_flags(evaluation))
    response.critical_count = evaluation.critical_count
    response.warning_count = evaluation.warning_count
    response.info_count = evaluation.info_count
    response.earliest_start = evaluation.earliest_start
    response.opioid_block = evaluation.opioid_block
