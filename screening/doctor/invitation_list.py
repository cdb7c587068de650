"""Invitations as the doctor manages them: create, list with their state, revoke, re-issue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..invitations import create_invitation, invitation_status, reissue, revoke
from ..models import Invitation

INVITATIONS_PER_PAGE = 50
ACTIONS = ("revoke", "reissue")


class InvitationRow(NamedTuple):
    invitation: Invitation
    status: str


@dataclass(frozen=True)
class InvitationPage:
    rows: list[InvitationRow]
    page: int
    has_next: bool


class AlreadySubmitted(Exception):
    """A submitted questionnaire's link can be neither revoked nor re-issued."""


@dataclass(frozen=True)
class ActionDone:
    patient_ref: str
    token: str | None  # the new token after a re-issue


def end_of_day(day: date | None) -> datetime | None:
    """A chosen "expires on" day as the moment it ends (UTC)."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=UTC) if day else None


def invite(
    session: Session, patient_ref: str, appointment: date | None, expires_on: date | None,
    *, days_valid: int, doctor_id: int,
) -> tuple[Invitation, str]:
    invitation, token = create_invitation(
        session, patient_ref, appointment, expires_at=end_of_day(expires_on), days_valid=days_valid,
    )
    invitation.created_by_id = doctor_id
    return invitation, token


def list_invitations(session: Session, page: int) -> InvitationPage:
    """Newest first, one page, each with what the doctor needs to know of its state."""
    found = session.scalars(
        select(Invitation).options(selectinload(Invitation.response))
        .order_by(Invitation.id.desc()).limit(INVITATIONS_PER_PAGE + 1)
        .offset((page - 1) * INVITATIONS_PER_PAGE)
    ).all()
    rows = [InvitationRow(invitation, invitation_status(invitation)) for invitation in found[:INVITATIONS_PER_PAGE]]
    return InvitationPage(rows=rows, page=page, has_next=len(found) > INVITATIONS_PER_PAGE)


def apply_action(session: Session, invitation: Invitation, action: str, *, days_valid: int) -> ActionDone:
    """Revoke the link, or re-issue it (new token, progress kept); either way every session
    opened from the link before ends. Raises AlreadySubmitted."""
    if invitation_status(invitation) == "submitted":
        raise AlreadySubmitted
    token = None
    if action == "revoke":
        revoke(invitation)
    else:
        token = reissue(invitation, days_valid=days_valid)
    return ActionDone(invitation.patient_ref, token)
