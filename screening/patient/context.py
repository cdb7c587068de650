"""Who the patient is for this request, from their session cookie.

The invitation token is swapped for a session at the link, so the token never sits in
the address bar, the history or a Referer header after the first request. The session
remembers which issue of the link it was opened under; re-issuing or revoking the link
starts a new issue, and a session of an earlier one is refused from its next request on.

A check-in link (/c/<token>) opens a session of its own the same way: one check-in, at one
issue of its link. Opening either kind of link clears the session first, so a session is
for one screening response or one check-in, never both, and never a doctor's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from flask import session as browser_session
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from ..extensions import checkin_questionnaire
from ..followup.journey import CheckinRow, load_checkin_row
from ..invitations import is_usable
from ..models import Invitation, QuestionnaireResponse, table_of
from ..questionnaire.model import Context

SESSION_KEY = "patient_response_id"
ISSUE_KEY = "patient_link_issue"
JUST_SENT_KEY = "patient_just_sent"
CHECKIN_KEY = "patient_checkin_id"
CHECKIN_ISSUE_KEY = "patient_checkin_issue"
CHECKIN_JUST_SENT_KEY = "patient_checkin_just_sent"


@dataclass(frozen=True)
class PatientContext:
    """What a patient page reads of its response: a plain snapshot, not a mapped object.

    Patient pages are the busiest requests, so they read one row with Core and write
    with conditional UPDATEs (screening.patient.responses), skipping the ORM's per-object work.
    """

    response_id: int
    issue: int  # the link's issue this session was opened under, still the current one
    answers: dict[str, Any]
    current_page: str
    revision: int
    submitted: bool
    today: date
    as_of: date
    link_expires_at: datetime  # when the link (and every session of it) stops working

    @property
    def row_id(self) -> int:
        """The row the journey's pages save to (screening.patient.journey)."""
        return self.response_id

    @property
    def context(self) -> Context | None:
        """The screening is shown on its own answers alone: no context facts."""
        return None


_response, _invitation = table_of(QuestionnaireResponse), table_of(Invitation)
_PATIENT = (
    select(
        _response.c.id, _response.c.answers, _response.c.current_page, _response.c.revision,
        _response.c.submitted, _invitation.c.status, _invitation.c.expires_at, _invitation.c.appointment_date,
        _invitation.c.issue,
    )
    .join_from(_response, _invitation, _invitation.c.id == _response.c.invitation_id)
    .where(_response.c.id == bindparam("response_id"))
)
# Holds both rows until the transaction ends (PostgreSQL; SQLite's writer lock already
# covers the database), so what a write decides from this read is still true when it lands.
_PATIENT_FOR_UPDATE = _PATIENT.with_for_update()


def today() -> date:
    return datetime.now(UTC).date()


def begin_patient_session(response_id: int, issue: int) -> None:
    browser_session.clear()  # a fresh session per link: no fixation, no mixing of two patients
    browser_session[SESSION_KEY] = response_id
    browser_session[ISSUE_KEY] = issue


def load_patient(session: Session, *, for_update: bool = False) -> PatientContext | None:
    """The patient's response, or None if there is no session, the link is no longer usable
    or the session was opened under an earlier issue of the link (re-issued or revoked since)."""
    response_id, issue = browser_session.get(SESSION_KEY), browser_session.get(ISSUE_KEY)
    if not isinstance(response_id, int) or not isinstance(issue, int):
        return None
    query = _PATIENT_FOR_UPDATE if for_update else _PATIENT
    row = session.connection().execute(query, {"response_id": response_id}).one_or_none()
    if row is None or row.issue != issue or not is_usable(row):
        browser_session.pop(SESSION_KEY, None)
        browser_session.pop(ISSUE_KEY, None)
        return None
    current = today()
    as_of = row.appointment_date if row.appointment_date and row.appointment_date >= current else current
    return PatientContext(
        response_id=row.id, issue=row.issue, answers=row.answers, current_page=row.current_page,
        revision=row.revision, submitted=row.submitted, today=current, as_of=as_of,
        link_expires_at=row.expires_at,
    )


def begin_checkin_session(checkin_id: int, issue: int) -> None:
    browser_session.clear()  # as for an invitation: no screening, doctor or other check-in session survives
    browser_session[CHECKIN_KEY] = checkin_id
    browser_session[CHECKIN_ISSUE_KEY] = issue


def load_checkin(session: Session, *, for_update: bool = False) -> CheckinRow | None:
    """The session's check-in, or None if there is none, its link can no longer be used, or
    the session was opened under an earlier issue of the link."""
    checkin_id, issue = browser_session.get(CHECKIN_KEY), browser_session.get(CHECKIN_ISSUE_KEY)
    if not isinstance(checkin_id, int) or not isinstance(issue, int):
        return None
    row = load_checkin_row(session, checkin_id, checkin_questionnaire(), today=today(), for_update=for_update)
    if row is None or row.issue != issue:
        browser_session.pop(CHECKIN_KEY, None)
        browser_session.pop(CHECKIN_ISSUE_KEY, None)
        return None
    return row


def mark_just_sent(response_id: int, key: str = JUST_SENT_KEY) -> None:
    """The confirmation page may thank this browser once, right after its own submit
    (`key`: CHECKIN_JUST_SENT_KEY for a check-in)."""
    browser_session[key] = response_id


def take_just_sent(response_id: int, key: str = JUST_SENT_KEY) -> bool:
    """True once, for the first confirmation page after this browser submitted; afterwards
    the link and its sessions show only the generic "already sent" page."""
    just_sent: object = browser_session.pop(key, None)
    return just_sent == response_id
