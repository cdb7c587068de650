"""Doctors' decisions: accept or override a flag, mark a submission reviewed.

Every change states the version it was based on. If another doctor changed the same
thing first, the update matches no row and the caller gets a Conflict to show, never a
silent overwrite (optimistic locking).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from ..db import rows_changed
from ..models import FlagDecision, QuestionnaireResponse, utcnow

# In the spirit of CDS Hooks overrideReasons: a fixed, reportable list plus free text.
OVERRIDE_REASONS = {
    "known_and_managed": "Already known and being managed",
    "not_applicable": "Does not apply to this patient",
    "checked_with_patient": "Checked with the patient: not a concern",
    "specialist_advice": "Specialist advice obtained",
    "benefit_outweighs_risk": "Benefit outweighs the risk; patient informed",
    "other": "Other (explained in the note)",
}
DECISIONS = ("accepted", "overridden")


class Conflict(Exception):
    """Someone else changed this first; reload and decide again."""


@dataclass(frozen=True)
class DecisionInput:
    rule_id: str
    decision: str
    reason_code: str | None
    reason_text: str | None
    expected_version: int


def current_decisions(session: Session, evaluation_id: int) -> dict[str, FlagDecision]:
    # With who decided, in the same query: the summary names the doctor on every decided flag.
    rows = session.scalars(
        select(FlagDecision).options(joinedload(FlagDecision.doctor)).where(FlagDecision.evaluation_id == evaluation_id)
    )
    return {row.rule_id: row for row in rows}


def decide_flag(session: Session, evaluation_id: int, doctor_id: int, choice: DecisionInput) -> FlagDecision:
    existing = session.scalar(
        select(FlagDecision).where(
            FlagDecision.evaluation_id == evaluation_id, FlagDecision.rule_id == choice.rule_id
        )
    )
    values = {
        "decision": choice.decision,
        "reason_code": choice.reason_code if choice.decision == "overridden" else None,
        "reason_text": choice.reason_text or None,
        "doctor_id": doctor_id,
        "decided_at": utcnow(),
    }
    if existing is None:
        if choice.expected_version != 0:
            raise Conflict
        decision = FlagDecision(evaluation_id=evaluation_id, rule_id=choice.rule_id, version=1, **values)
        try:
            with session.begin_nested():
                session.add(decision)
        except IntegrityError:
            raise Conflict from None
        return decision
    result = session.execute(
        update(FlagDecision)
        .where(FlagDecision.id == existing.id, FlagDecision.version == choice.expected_version)
        .values(version=FlagDecision.version + 1, **values)
        .execution_options(synchronize_session=False)
    )
    if rows_changed(result) != 1:
        raise Conflict
    session.refresh(existing)
    return existing


def mark_reviewed(
    session: Session, response_id: int, doctor_id: int, note: str | None, expected_version: int
) -> None:
    result = session.execute(
        update(QuestionnaireResponse)
        .where(
            QuestionnaireResponse.id == response_id,
            QuestionnaireResponse.review_version == expected_version,
        )
        .values(
            review_status="reviewed",
            review_note=note or None,
            reviewed_by_id=doctor_id,
            reviewed_at=utcnow(),
            review_version=QuestionnaireResponse.review_version + 1,
        )
        .execution_options(synchronize_session=False)
    )
    if rows_changed(result) != 1:
        raise Conflict
