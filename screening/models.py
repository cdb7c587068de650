"""SQLAlchemy 2.x typed models: invitations, questionnaire responses, evaluations, audit.

Patient answers are stored as one JSON object keyed by question ID, in the contract's
answer formats (questionnaire.md), so the rules, the summary and the exports read the
same data the patient saw confirmed.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    func,
    text,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every database (SQLite would drop the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous; store UTC-aware ones")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    # Named constraints, so migrations can alter and drop them on every database.
    metadata = MetaData(naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    })
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON, datetime: UTCDateTime}


class Invitation(Base):
    """A patient's link. Only a hash of its token is kept: a database leak reveals no link."""

    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    patient_ref: Mapped[str] = mapped_column(String(64), index=True)
    appointment_date: Mapped[date | None] = mapped_column(Date)
    expires_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default="active")  # active | revoked
    # Which issue of the link is current. A patient's session remembers the issue it was
    # opened under and works only while that is still current: re-issuing or revoking the
    # link bumps it, so every session opened before ends at once (screening.patient.context).
    issue: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("doctor.id"))
    # Where invitations and reminders go (issue: email outbox). Kept only while the link
    # can still be used: cleared on submit, revoke and by `flask purge`.
    email: Mapped[str | None] = mapped_column(String(254))
    # The link's token is derived from this salt and the app's key (screening.invitations),
    # so a reminder can carry the same link although only the token's hash is stored.
    link_salt: Mapped[str | None] = mapped_column(String(64))
    reminders_stopped: Mapped[bool] = mapped_column(default=False, server_default=false())

    response: Mapped[QuestionnaireResponse | None] = relationship(back_populates="invitation")


class QuestionnaireResponse(Base):
    """One patient's answers to one invitation; locked once submitted."""

    __tablename__ = "questionnaire_response"
    __table_args__ = (
        Index("ix_response_patient_ref", "patient_ref"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitation.id"), unique=True)
    questionnaire_version: Mapped[str] = mapped_column(String(32))
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    current_page: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]
    submitted: Mapped[bool] = mapped_column(default=False)
    # Bumped on every save: lets a stale browser tab be told, never silently win.
    revision: Mapped[int] = mapped_column(Integer, default=0)

    # The queue's view of the submission, copied once at submit so that ordering and
    # filtering 100,000 submissions needs one indexed table and no joins.
    patient_ref: Mapped[str | None] = mapped_column(String(64))
    appointment_date: Mapped[date | None] = mapped_column(Date)
    urgent: Mapped[bool] = mapped_column(default=False)
    severity_rank: Mapped[int] = mapped_column(default=3)  # 0 critical, 1 warning, 2 info, 3 none
    critical_count: Mapped[int] = mapped_column(default=0)
    warning_count: Mapped[int] = mapped_column(default=0)
    info_count: Mapped[int] = mapped_column(default=0)
    earliest_start: Mapped[date | None] = mapped_column(Date)
    opioid_block: Mapped[bool] = mapped_column(default=False)
    # The doctor's review. `review_version` makes two doctors acting at once collide
    # visibly instead of one silently overwriting the other.
    review_status: Mapped[str] = mapped_column(String(16), default="new")  # new | reviewed
    review_note: Mapped[str | None] = mapped_column(Text)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("doctor.id"))
    reviewed_at: Mapped[datetime | None]
    review_version: Mapped[int] = mapped_column(default=0)

    invitation: Mapped[Invitation] = relationship(back_populates="response")
    evaluations: Mapped[list[StoredEvaluation]] = relationship(
        back_populates="response", order_by="StoredEvaluation.id"
    )


# The queue's order, exactly as screening.doctor.queue sorts (urgent first, then severity, then
# appointment with undated last, then ID), so a queue page reads its 26 index entries on
# both databases instead of sorting every submission. "appointment_date IS NULL" stands
# for NULLS LAST, which SQLite indexes cannot express. Partial (submitted only): the
# queue never shows anything else. review_status rides along so the review filter and
# the count are answered from the index alone. The second index serves the severity
# filter the same way (severity first, then the same order).
_SUBMITTED = QuestionnaireResponse.submitted == true()
_QUEUE_TAIL = (
    QuestionnaireResponse.appointment_date.is_(None),
    QuestionnaireResponse.appointment_date,
    QuestionnaireResponse.id,
    QuestionnaireResponse.review_status,
)
Index(
    "ix_response_queue_order",
    QuestionnaireResponse.urgent.desc(), QuestionnaireResponse.severity_rank, *_QUEUE_TAIL,
    sqlite_where=_SUBMITTED, postgresql_where=_SUBMITTED,
)
Index(
    "ix_response_queue_severity",
    QuestionnaireResponse.severity_rank, QuestionnaireResponse.urgent.desc(), *_QUEUE_TAIL,
    sqlite_where=_SUBMITTED, postgresql_where=_SUBMITTED,
)
# Search by the start of a patient reference, case-insensitively (screening.doctor.queue):
# text_pattern_ops lets PostgreSQL use it for LIKE 'prefix%' whatever the database's
# collation; SQLite uses it for the equivalent range on lower(patient_ref).
Index(
    "ix_response_ref_lower",
    func.lower(QuestionnaireResponse.patient_ref).label("patient_ref_lower"),
    postgresql_ops={"patient_ref_lower": "text_pattern_ops"},
)


class StoredEvaluation(Base):
    """The rules' verdict on a submission, stored as computed and never rewritten.

    The first one is made at submit; re-evaluating under a newer ruleset adds another.
    """

    __tablename__ = "evaluation"
    __table_args__ = (Index("ix_evaluation_response", "response_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_response.id"))
    kind: Mapped[str] = mapped_column(String(16))  # submission | reevaluation
    ruleset_version: Mapped[str] = mapped_column(String(32))
    as_of: Mapped[date] = mapped_column(Date)
    urgent: Mapped[bool]
    opioid_block: Mapped[bool]
    earliest_start: Mapped[date | None] = mapped_column(Date)
    critical_count: Mapped[int] = mapped_column(default=0)
    warning_count: Mapped[int] = mapped_column(default=0)
    info_count: Mapped[int] = mapped_column(default=0)
    flags: Mapped[list[Any]] = mapped_column(default=list)
    # The medication list as evaluated (rules.Evaluation.medications_json); None when it
    # was stored before the classes were recorded (migration 0003).
    medicines: Mapped[list[Any] | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    response: Mapped[QuestionnaireResponse] = relationship(back_populates="evaluations")


class Doctor(Base):
    """A clinician account. `session_version` is bumped at logout so old cookies die."""

    __tablename__ = "doctor"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    session_version: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    # clinician | admin (screening.doctor.roles). The first account created is an admin.
    role: Mapped[str] = mapped_column(String(16), default="clinician", server_default="clinician")
    # The TOTP second factor (screening.doctor.mfa): the base32 secret, and the last time
    # step a code was accepted for, so a code cannot be used twice within its window.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_last_step: Mapped[int | None]
    mfa_enrolled_at: Mapped[datetime | None]


class RecoveryCode(Base):
    """A one-time recovery code for the second factor, stored as SHA-256 (it has 80 random bits)."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    doctor_id: Mapped[int] = mapped_column(ForeignKey("doctor.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None]


class FlagDecision(Base):
    """A doctor's decision on one flag of one stored evaluation: accepted or overridden."""

    __tablename__ = "flag_decision"
    __table_args__ = (UniqueConstraint("evaluation_id", "rule_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluation.id"))
    rule_id: Mapped[str] = mapped_column(String(16))
    decision: Mapped[str] = mapped_column(String(16))  # accepted | overridden
    reason_code: Mapped[str | None] = mapped_column(String(32))
    reason_text: Mapped[str | None] = mapped_column(Text)
    doctor_id: Mapped[int] = mapped_column(ForeignKey("doctor.id"))
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    doctor: Mapped[Doctor] = relationship()


class AuditEvent(Base):
    """Who did what, when, from where. Never holds health data, only references."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(64), index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    target: Mapped[str | None] = mapped_column(String(64))
    remote_addr: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)


def table_of(model: type[Base]) -> Table:
    """A model's table, typed as a Table, for the Core statements on the busiest paths."""
    return Base.metadata.tables[model.__tablename__]


def record_audit(
    session: Any, actor: str, action: str, target: str | None = None,
    remote_addr: str | None = None, **details: Any,
) -> None:
    session.add(AuditEvent(actor=actor, action=action, target=target, remote_addr=remote_addr, details=details))


__all__ = [
    "AuditEvent",
    "Base",
    "Doctor",
    "StoredEvaluation",
    "FlagDecision",
    "Invitation",
    "QuestionnaireResponse",
    "RecoveryCode",
    "record_audit",
]


class OutboxMessage(Base):
    """An email to send, written in the same transaction as what caused it (screening.outbox).

    `slot` names what the message is for ("invitation:0", "reminder:after_invitation" …);
    with the invitation it is unique, so a message is queued once however many senders run.
    Nothing is rendered here: the sender composes the message when it sends it. The
    Message-ID is fixed at queue time, so every attempt of one message carries the same one.
    """

    __tablename__ = "outbox_message"
    __table_args__ = (
        UniqueConstraint("invitation_id", "slot"),
        UniqueConstraint("checkin_id", "slot"),
        Index("ix_outbox_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))  # invitation | reminder | new_link
    slot: Mapped[str] = mapped_column(String(64))
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitation.id", ondelete="CASCADE"), index=True)
    checkin_id: Mapped[int | None] = mapped_column(ForeignKey("checkin.id", ondelete="CASCADE"), index=True)
    # queued | sending | sent | failed | cancelled | unconfirmed
    status: Mapped[str] = mapped_column(String(16), default="queued")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_until: Mapped[datetime | None]  # a sender's lease on a claimed message
    in_flight_at: Mapped[datetime | None]  # written just before the message's data goes to the server
    last_error: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]


class TreatmentPlan(Base):
    """A doctor's LDN plan for one reviewed submission (followup.md section 1).

    The plan's terms are one JSON document (`screening.rules.plan.Plan`, as `to_json`
    writes it): what the arithmetic needs, in one place. Every start, change and end
    appends a `PlanChange` with who, when and the terms after it. `version` is bumped by
    each change, so two doctors changing the plan at once cannot overwrite each other.
    """

    __tablename__ = "treatment_plan"
    # One active plan per submission, whatever two doctors do at the same moment.
    __table_args__ = (
        Index("uq_treatment_plan_active", "response_id", unique=True,
              sqlite_where=text("status = 'active'"), postgresql_where=text("status = 'active'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_response.id"), index=True)
    terms: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default="active")  # active | ended
    end_reason: Mapped[str | None] = mapped_column(String(32))
    ended_at: Mapped[datetime | None]
    # Where check-in links go; kept only while the plan is active (cleared when it ends).
    email: Mapped[str | None] = mapped_column(String(254))
    reminders_stopped: Mapped[bool] = mapped_column(default=False, server_default=false())
    version: Mapped[int] = mapped_column(default=1)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("doctor.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    response: Mapped[QuestionnaireResponse] = relationship()
    changes: Mapped[list[PlanChange]] = relationship(back_populates="plan", order_by="PlanChange.id")
    checkins: Mapped[list[CheckIn]] = relationship(back_populates="plan", order_by="CheckIn.due_date")


class PlanChange(Base):
    """One entry of a plan's history: started, changed or ended, by whom, and the terms after."""

    __tablename__ = "plan_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("treatment_plan.id"), index=True)
    action: Mapped[str] = mapped_column(String(16))  # started | changed | ended
    terms: Mapped[dict[str, Any]] = mapped_column(default=dict)
    reason: Mapped[str | None] = mapped_column(Text)
    doctor_id: Mapped[int | None] = mapped_column(ForeignKey("doctor.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    plan: Mapped[TreatmentPlan] = relationship(back_populates="changes")
    doctor: Mapped[Doctor | None] = relationship()


class CheckIn(Base):
    """A short questionnaire during titration (followup.md section 2), reached by its own link.

    Like an invitation, only the token's hash is kept (`link_salt` lets an email carry the
    link, see screening.invitations). The link opens on `opens_on` and stops working at
    `expires_at` (14 days later). Answers, the page and `revision` work as a screening
    response's do; at submit the evaluation is stored once, with what the queue sorts on.
    """

    __tablename__ = "checkin"
    __table_args__ = (
        UniqueConstraint("plan_id", "due_date"),
        # Every check-in list (the queue's flagged ones, the "no concerns" ones) is read as
        # seeks on the first four columns with one value each, then in due-date order: the
        # first page costs the same however many check-ins were ever sent (doctor.queue).
        Index("ix_checkin_queue", "submitted", "review_status", "urgent", "severity_rank", "due_date", "id"),
        # A plan's check-ins (and, by the same columns, the queue's search by patient: led by
        # the patients found, never by every flagged check-in).
        Index("ix_checkin_plan_queue", "plan_id", "submitted", "review_status", "urgent", "severity_rank"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("treatment_plan.id"))
    due_date: Mapped[date] = mapped_column(Date)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    link_salt: Mapped[str | None] = mapped_column(String(64))
    opens_on: Mapped[date] = mapped_column(Date)
    expires_at: Mapped[datetime]
    issue: Mapped[int] = mapped_column(default=0, server_default="0")
    questionnaire_version: Mapped[str | None] = mapped_column(String(32))
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    current_page: Mapped[str | None] = mapped_column(String(64))
    revision: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime | None]
    updated_at: Mapped[datetime | None]
    submitted: Mapped[bool] = mapped_column(default=False)
    submitted_at: Mapped[datetime | None]
    # The stored evaluation (screening.rules.CheckinEvaluation.to_json), never rewritten.
    evaluation: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    ruleset_version: Mapped[str | None] = mapped_column(String(32))
    urgent: Mapped[bool] = mapped_column(default=False)
    severity_rank: Mapped[int] = mapped_column(default=3)  # as the response's: 0 critical … 3 no flags
    review_status: Mapped[str] = mapped_column(String(16), default="new")  # new | reviewed
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("doctor.id"))
    reviewed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    plan: Mapped[TreatmentPlan] = relationship(back_populates="checkins")
