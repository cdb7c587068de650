"""Invitations as the doctor manages them: create, list with their state, revoke, re-issue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ..invitations import create_invitation, invitation_status, reissue, revoke
from ..models import Invitation, OutboxMessage, utcnow
from ..outbox.queue import close_invitation, queue_invitation, queue_new_link
from ..outbox.settings import MailSettings

INVITATIONS_PER_PAGE = 50
ACTIONS = ("revoke", "reissue", "resend")
# An open invitation: its link still works and its questionnaire is not sent (active, not
# revoked, not expired, not submitted), in the words of invitation_status.
OPEN_STATUSES = ("not started", "in progress")


@dataclass(frozen=True)
class Delivery:
    """What became of an invitation's emails, in words for the invitations list."""

    state: str  # queued | sending | sent | failed | unconfirmed
    words: str  # "Sent 30 Nov 2026 14:02 UTC", "Not delivered: 550 Mailbox unavailable" …
    reminders_sent: int


DELIVERY_WORDS = {
    "queued": "Email queued", "sending": "Sending now", "failed": "Not delivered",
    "unconfirmed": "May not have been delivered (the sender stopped while sending): resend if needed",
}


def delivery(messages: list[OutboxMessage]) -> Delivery | None:
    """The newest invitation or new-link email's state, and how many reminders went."""
    main = [m for m in messages if m.kind != "reminder" and m.status != "cancelled"]
    if not main:
        return None
    newest = max(main, key=lambda m: m.id)
    if newest.status == "sent" and newest.sent_at is not None:
        words = f"Sent {newest.sent_at:%d %b %Y %H:%M} UTC"
    else:
        words = DELIVERY_WORDS.get(newest.status, newest.status)
        if newest.status in ("failed", "queued") and newest.last_error:
            words += f": {newest.last_error}"
    reminders = sum(1 for m in messages if m.kind == "reminder" and m.status == "sent")
    return Delivery(newest.status, words, reminders)


class InvitationRow(NamedTuple):
    invitation: Invitation
    status: str
    delivery: Delivery | None = None


@dataclass(frozen=True)
class InvitationPage:
    rows: list[InvitationRow]
    page: int
    has_next: bool


class ActionRefused(Exception):
    """The invitation's state rules the action out: a submitted questionnaire's link can be
    neither revoked nor re-issued, and a revoked link cannot be revoked again."""

    def __init__(self, status: str, patient_ref: str, response_id: int | None) -> None:
        super().__init__(status)
        self.status = status
        self.patient_ref = patient_ref
        self.response_id = response_id

    @classmethod
    def of(cls, row: InvitationRow) -> ActionRefused:
        response = row.invitation.response
        return cls(row.status, row.invitation.patient_ref, response.id if response is not None else None)


@dataclass(frozen=True)
class ActionDone:
    patient_ref: str
    token: str | None  # the new token after a re-issue
    emailed: bool = False  # an email was queued for the patient


@dataclass(frozen=True)
class OpenInvitations:
    """What the duplicate warning says: how many open invitations a patient reference has,
    and the newest one's reference (as stored), creation time and appointment."""

    patient_ref: str
    count: int
    created_at: datetime
    appointment_date: date | None


def end_of_day(day: date | None) -> datetime | None:
    """A chosen "expires on" day as the moment it ends (UTC)."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=UTC) if day else None


def patient_ref_key(patient_ref: str) -> str:
    """How two patient references are compared: surrounding spaces and case ignored, as the
    queue's search ignores case ("p-1234 " is P-1234)."""
    return patient_ref.strip().lower()


def same_patient_ref(one: str | None, other: str) -> bool:
    return one is not None and patient_ref_key(one) == patient_ref_key(other)


def open_invitations(session: Session, patient_ref: str, now: datetime | None = None) -> OpenInvitations | None:
    """The patient reference's open invitations (OPEN_STATUSES), or None when it has none."""
    now = now or utcnow()
    candidates = session.scalars(
        select(Invitation).options(selectinload(Invitation.response))
        .where(func.lower(func.trim(Invitation.patient_ref)) == patient_ref_key(patient_ref),
               Invitation.status == "active", Invitation.expires_at > now)
        .order_by(Invitation.created_at.desc(), Invitation.id.desc())
    ).all()
    found = [invitation for invitation in candidates if invitation_status(invitation, now) in OPEN_STATUSES]
    if not found:
        return None
    newest = found[0]
    return OpenInvitations(newest.patient_ref, len(found), newest.created_at, newest.appointment_date)


def invite(
    session: Session, patient_ref: str, appointment: date | None, expires_on: date | None,
    *, days_valid: int, doctor_id: int, mail: MailSettings, email: str | None = None,
) -> tuple[Invitation, str, bool]:
    """A new invitation, its token, and whether its email was queued (in this transaction)."""
    invitation, token = create_invitation(
        session, patient_ref, appointment, expires_at=end_of_day(expires_on), days_valid=days_valid,
        key=mail.link_key, email=email if mail.enabled else None,
    )
    invitation.created_by_id = doctor_id
    return invitation, token, queue_invitation(session, invitation, mail) is not None


def list_invitations(session: Session, page: int) -> InvitationPage:
    """Newest first, one page, each with what the doctor needs to know of its state."""
    found = session.scalars(
        select(Invitation).options(selectinload(Invitation.response))
        .order_by(Invitation.id.desc()).limit(INVITATIONS_PER_PAGE + 1)
        .offset((page - 1) * INVITATIONS_PER_PAGE)
    ).all()
    shown = found[:INVITATIONS_PER_PAGE]
    messages: dict[int, list[OutboxMessage]] = {}
    for message in session.scalars(select(OutboxMessage).where(
            OutboxMessage.invitation_id.in_([invitation.id for invitation in shown]))):
        messages.setdefault(message.invitation_id or 0, []).append(message)
    rows = [InvitationRow(invitation, invitation_status(invitation), delivery(messages.get(invitation.id, [])))
            for invitation in shown]
    return InvitationPage(rows=rows, page=page, has_next=len(found) > INVITATIONS_PER_PAGE)


def find_invitation(session: Session, invitation_id: int) -> InvitationRow | None:
    """One invitation with its state, or None."""
    invitation = session.scalar(
        select(Invitation).options(selectinload(Invitation.response)).where(Invitation.id == invitation_id)
    )
    return InvitationRow(invitation, invitation_status(invitation)) if invitation is not None else None


def is_refused(status: str, action: str) -> bool:
    """Whether an invitation in this state refuses the action (see ActionRefused)."""
    return status == "submitted" or (action in ("revoke", "resend") and status in ("revoked", "expired"))


def apply_action(
    session: Session, invitation: Invitation, action: str, *, days_valid: int, mail: MailSettings,
) -> ActionDone:
    """Revoke the link, re-issue it (new token, progress kept; either way every session
    opened from the link before ends), or resend its email now. Raises ActionRefused."""
    row = InvitationRow(invitation, invitation_status(invitation))
    if is_refused(row.status, action):
        raise ActionRefused.of(row)
    token, queued = None, False
    if action == "revoke":
        revoke(invitation)
        close_invitation(session, invitation, "the link was revoked")
    elif action == "reissue":
        token = reissue(invitation, days_valid=days_valid, key=mail.link_key)
        queued = queue_new_link(session, invitation, mail) is not None
    else:
        queued = queue_new_link(session, invitation, mail, resend=True) is not None
    return ActionDone(invitation.patient_ref, token, queued)
