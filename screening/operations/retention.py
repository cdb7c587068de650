"""Data protection: purge what is no longer needed, export or erase one patient's data.

Every operation writes an audit event that says what was done and how much, never the
health data itself. Erasure keeps only a hash of the patient reference, so the clinic can
later prove the request was carried out without the record naming the patient.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from ..models import (
    CheckIn,
    FlagDecision,
    Invitation,
    OutboxMessage,
    PlanChange,
    QuestionnaireResponse,
    StoredEvaluation,
    TreatmentPlan,
    record_audit,
    utcnow,
)


@dataclass(frozen=True)
class PurgeCounts:
    unsubmitted: int
    expired_invitations: int
    past_retention: int
    addresses_removed: int = 0


def _delete_invitations(session: Session, invitation_ids: list[int]) -> None:
    """Remove invitations with everything hanging off them, children first."""
    if not invitation_ids:
        return
    response_ids = list(session.scalars(
        select(QuestionnaireResponse.id).where(QuestionnaireResponse.invitation_id.in_(invitation_ids))))
    if response_ids:
        evaluation_ids = list(session.scalars(
            select(StoredEvaluation.id).where(StoredEvaluation.response_id.in_(response_ids))))
        if evaluation_ids:
            session.execute(delete(FlagDecision).where(FlagDecision.evaluation_id.in_(evaluation_ids)))
            session.execute(delete(StoredEvaluation).where(StoredEvaluation.id.in_(evaluation_ids)))
        _delete_plans(session, response_ids)
        session.execute(delete(QuestionnaireResponse).where(QuestionnaireResponse.id.in_(response_ids)))
    session.execute(delete(OutboxMessage).where(OutboxMessage.invitation_id.in_(invitation_ids)))
    session.execute(delete(Invitation).where(Invitation.id.in_(invitation_ids)))


def _delete_plans(session: Session, response_ids: list[int]) -> None:
    """A submission's treatment plans go with it: their history, check-ins and emails."""
    plan_ids = list(session.scalars(select(TreatmentPlan.id).where(TreatmentPlan.response_id.in_(response_ids))))
    if not plan_ids:
        return
    checkin_ids = select(CheckIn.id).where(CheckIn.plan_id.in_(plan_ids))
    session.execute(delete(OutboxMessage).where(OutboxMessage.checkin_id.in_(checkin_ids)))
    session.execute(delete(CheckIn).where(CheckIn.plan_id.in_(plan_ids)))
    session.execute(delete(PlanChange).where(PlanChange.plan_id.in_(plan_ids)))
    session.execute(delete(TreatmentPlan).where(TreatmentPlan.id.in_(plan_ids)))


def purge(session: Session, *, unsubmitted_days: int, retention_days: int, now: datetime | None = None) -> PurgeCounts:
    now = now or utcnow()
    stale = now - timedelta(days=unsubmitted_days)
    R, Inv = QuestionnaireResponse, Invitation  # noqa: N806 (short aliases keep the queries readable)
    unsubmitted = list(session.scalars(
        select(R.invitation_id).where(R.submitted.is_(False), R.updated_at < stale)))
    never_opened = list(session.scalars(
        select(Inv.id).outerjoin(R, R.invitation_id == Inv.id).where(R.id.is_(None), Inv.expires_at < stale)))
    old_submissions = list(session.scalars(
        select(R.invitation_id).where(R.submitted.is_(True), R.submitted_at < now - timedelta(days=retention_days))))
    _delete_invitations(session, unsubmitted + never_opened + old_submissions)
    addresses = _forget_addresses(session, now)
    counts = PurgeCounts(len(unsubmitted), len(never_opened), len(old_submissions), addresses)
    record_audit(session, "system", "data.purged", unsubmitted=counts.unsubmitted,
                 expired_invitations=counts.expired_invitations, past_retention=counts.past_retention,
                 addresses_removed=counts.addresses_removed)
    return counts


def _forget_addresses(session: Session, now: datetime) -> int:
    """Email addresses are kept only while the link can still be used: not once the form is
    sent, the link revoked or expired (submit and revoke clear them too; this catches expiry)."""
    R, Inv = QuestionnaireResponse, Invitation  # noqa: N806
    submitted = select(R.invitation_id).where(R.submitted.is_(True))
    done = session.execute(
        update(Inv).where(Inv.email.is_not(None),
                          or_(Inv.status != "active", Inv.expires_at < now, Inv.id.in_(submitted)))
        .values(email=None).execution_options(synchronize_session=False))
    return int(getattr(done, "rowcount", 0) or 0)


def export_patient(session: Session, patient_ref: str, actor: str = "cli") -> dict[str, Any]:
    """Everything held about one patient reference, for an access request."""
    invitations = session.scalars(select(Invitation).where(Invitation.patient_ref == patient_ref)
                                  .order_by(Invitation.id)).all()
    document: dict[str, Any] = {"patient_ref": patient_ref, "invitations": []}
    for invitation in invitations:
        response = invitation.response
        document["invitations"].append({
            "created_at": invitation.created_at.isoformat(),
            "appointment_date": invitation.appointment_date.isoformat() if invitation.appointment_date else None,
            "status": invitation.status,
            # The address itself stays out of every export (issue: email outbox); that one is held is said.
            "email_held": invitation.email is not None,
            "response": None if response is None else {
                "answers": response.answers,
                "submitted": response.submitted,
                "submitted_at": response.submitted_at.isoformat() if response.submitted_at else None,
                "review_status": response.review_status,
                "review_note": response.review_note,
                "evaluations": [
                    {"kind": e.kind, "ruleset_version": e.ruleset_version, "as_of": e.as_of.isoformat(),
                     "flags": e.flags, "medicines": e.medicines, "created_at": e.created_at.isoformat()}
                    for e in response.evaluations
                ],
            },
        })
    record_audit(session, actor, "patient.exported", target=f"patient_ref_sha256:{ref_digest(patient_ref)}",
                 invitations=len(invitations))
    return document


def erase_patient(session: Session, patient_ref: str, actor: str = "cli") -> int:
    """Delete all data for one patient reference; returns how many invitations went."""
    invitation_ids = list(session.scalars(select(Invitation.id).where(Invitation.patient_ref == patient_ref)))
    _delete_invitations(session, invitation_ids)
    record_audit(session, actor, "patient.erased", target=f"patient_ref_sha256:{ref_digest(patient_ref)}",
                 invitations=len(invitation_ids))
    return len(invitation_ids)


def ref_digest(patient_ref: str) -> str:
    return hashlib.sha256(patient_ref.encode("utf-8")).hexdigest()[:32]
