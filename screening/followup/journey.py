"""A patient answering a check-in: open its link, read it for a page, save a page, submit it.

The database side of the check-in journey (the pages themselves are the screening's, see
screening.patient.journey). Like a screening response, a check-in page reads one row with
Core and writes with conditional UPDATEs: a page save lands only at the revision it was
validated against, on a check-in not yet sent, at the link's issue the patient's session
was opened under, before the link expires and while the plan is active; the submit lands
once, however many requests race to it.

What is shown depends on two facts from the patient's screening (checkin_context): every
read carries them (`CheckinRow.context`), computed from the screening answers the plan
followed (CheckIn → TreatmentPlan → QuestionnaireResponse), so the forms, navigation,
check page and evaluation all see the same questions. Each function runs in the caller's
unit of work; nothing here knows about HTTP.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from types import MappingProxyType
from typing import Any, Literal

from sqlalchemy import Text, bindparam, cast, exists, func, select, update
from sqlalchemy.orm import Session

from ..db import rows_changed
from ..models import CheckIn, QuestionnaireResponse, TreatmentPlan, record_audit, table_of, utcnow
from ..questionnaire.model import Context, Questionnaire
from ..rules import checkin_context, evaluate_checkin
from ..rules.severity import most_serious_rank
from .checkins import checkin_for_token, checkin_status, terms_on

ACTIVE = "active"  # a plan's status while its check-ins may be answered


@dataclass(frozen=True)
class CheckinRow:
    """What a check-in page reads of its check-in: a plain snapshot, not a mapped object
    (the screening's is screening.patient.context.PatientContext; both read the same way)."""

    checkin_id: int
    issue: int  # the link's issue (the session must carry the same)
    answers: dict[str, Any]
    current_page: str
    revision: int
    submitted: bool
    today: date  # UTC; a check-in's `as_of` is the day it is answered
    link_expires_at: datetime
    plan_id: int
    response_id: int  # the screening submission the plan followed: who the patient is
    screening_answers: Mapping[str, Any]
    context: Context  # checkin_context(screening_answers): what the check-in shows this patient

    @property
    def row_id(self) -> int:
        return self.checkin_id

    @property
    def as_of(self) -> date:
        return self.today


_checkin, _plan, _response = table_of(CheckIn), table_of(TreatmentPlan), table_of(QuestionnaireResponse)
_CHECKIN = (
    select(
        _checkin.c.id, _checkin.c.issue, _checkin.c.answers, _checkin.c.current_page, _checkin.c.revision,
        _checkin.c.submitted, _checkin.c.opens_on, _checkin.c.expires_at, _checkin.c.plan_id,
        _plan.c.status.label("plan_status"), _plan.c.response_id,
        cast(_response.c.answers, Text).label("screening_json"),
    )
    .join_from(_checkin, _plan, _plan.c.id == _checkin.c.plan_id)
    .join(_response, _response.c.id == _plan.c.response_id)
    .where(_checkin.c.id == bindparam("checkin_id"))
)
# Holds the rows until the transaction ends (PostgreSQL; SQLite's writer lock already covers
# the database), so what a write decides from this read is still true when it lands.
_CHECKIN_FOR_UPDATE = _CHECKIN.with_for_update()


def _in_use(plan_status: str, opens_on: date, expires_at: datetime, today: date, now: datetime) -> bool:
    """A session's check-in can still be answered or read back: its plan is active, its link
    open (from its due date) and not expired. A sent one is still read (the done page)."""
    return plan_status == ACTIVE and opens_on <= today and now < expires_at


def load_checkin_row(
    session: Session, checkin_id: int, questionnaire: Questionnaire, *, today: date, for_update: bool = False,
) -> CheckinRow | None:
    """The check-in a session names, or None when its link can no longer be used."""
    query = _CHECKIN_FOR_UPDATE if for_update else _CHECKIN
    row = session.connection().execute(query, {"checkin_id": checkin_id}).one_or_none()
    if row is None or not _in_use(row.plan_status, row.opens_on, row.expires_at, today, utcnow()):
        return None
    screening, context = _screening_read(row.screening_json)
    return CheckinRow(
        checkin_id=row.id, issue=row.issue, answers=row.answers,
        current_page=row.current_page or questionnaire.pages[0].id, revision=row.revision,
        submitted=row.submitted, today=today, link_expires_at=row.expires_at, plan_id=row.plan_id,
        response_id=row.response_id, screening_answers=screening, context=context,
    )


@lru_cache(maxsize=256)
def _screening_read(stored: str) -> tuple[Mapping[str, Any], Context]:
    """A screening's answers and the check-in context they give, read once per process for
    each screening rather than on every check-in page (the context classifies the screening's
    medicines). Keyed by the stored text itself, so a screening can only ever be served its
    own reading; read-only views, as every page shares them."""
    answers: Mapping[str, Any] = MappingProxyType(json.loads(stored))
    return answers, MappingProxyType(checkin_context(answers))


LinkState = Literal["not valid", "not open yet", "sent", "open"]


@dataclass(frozen=True)
class OpenedCheckin:
    """What a check-in link opens. Only an open one gives a session (its id and issue)."""

    state: LinkState
    checkin_id: int = 0
    issue: int = 0
    started: bool = False  # answered something already: resume rather than start
    opens_on: date | None = None  # for "not open yet": the day it opens


def open_checkin(
    session: Session, token: str, questionnaire: Questionnaire, *, today: date, remote_addr: str | None,
) -> OpenedCheckin:
    """The state of the check-in this token opens. Unknown, expired and ended-plan links are
    all "not valid" alike, so the page cannot tell which case it was."""
    checkin = checkin_for_token(session, token)
    if checkin is None or checkin.plan.status != ACTIVE:
        return OpenedCheckin("not valid")
    status = checkin_status(checkin, today)
    if status == "expired":
        return OpenedCheckin("not valid")
    if status == "sent":
        return OpenedCheckin("sent")
    if status == "not open yet":
        return OpenedCheckin("not open yet", opens_on=checkin.opens_on)
    if checkin.current_page is None:  # first opened: the journey starts at its first page
        checkin.current_page = questionnaire.pages[0].id
        checkin.started_at = utcnow()
    record_audit(session, _actor(checkin.plan.response_id), "checkin.opened",
                 target=_target(checkin.plan.response_id), checkin_id=checkin.id, remote_addr=remote_addr)
    return OpenedCheckin("open", checkin.id, checkin.issue, started=bool(checkin.answers))


def _actor(response_id: int) -> str:
    """The patient, as the screening's audit names them (by their submission)."""
    return f"patient:{response_id}"


def _target(response_id: int) -> str:
    """The screening submission the check-in follows: the audit page names the patient by it."""
    return f"response:{response_id}"


_now = bindparam("now", type_=_checkin.c.updated_at.type)
# A page save lands only on the revision it was validated against, on a check-in not sent,
# at the session's issue of the link, before the link expires and while the plan is active:
# a stale tab, a re-issued link or an ended plan can never overwrite newer answers.
_SAVE_IF_UNCHANGED = update(_checkin).where(
    _checkin.c.id == bindparam("checkin_id"),
    _checkin.c.revision == bindparam("seen_revision"),
    _checkin.c.submitted.is_(False),
    _checkin.c.issue == bindparam("seen_issue"),
    _checkin.c.expires_at > _now,
    exists().where(_plan.c.id == _checkin.c.plan_id, _plan.c.status == ACTIVE),
).values(
    answers=bindparam("new_answers", type_=_checkin.c.answers.type), current_page=bindparam("new_page"),
    revision=_checkin.c.revision + 1, updated_at=_now, started_at=func.coalesce(_checkin.c.started_at, _now),
)


def store_checkin_save(
    session: Session, checkin_id: int, seen_revision: int, issue: int, answers: Mapping[str, Any], next_page: str,
) -> bool:
    """Writes a page's merged `answers` and the page that follows if nothing changed since
    `seen_revision` and the link is still at `issue`; True if it was written."""
    result = session.connection().execute(_SAVE_IF_UNCHANGED, {
        "checkin_id": checkin_id, "seen_revision": seen_revision, "seen_issue": issue, "now": utcnow(),
        "new_answers": dict(answers), "new_page": next_page,
    })
    return rows_changed(result) == 1


def submit_checkin(
    session: Session, row: CheckinRow, questionnaire: Questionnaire, *, remote_addr: str | None,
) -> bool:
    """Evaluate and lock the check-in; True only for the request that submitted it.

    Runs in the caller's write transaction, on the row the caller read for update and found
    complete, so what was checked is what gets evaluated. The evaluation is stored as
    computed (never rewritten) with what the doctor's queue sorts on; a conditional UPDATE
    makes a double click or a second tab harmless: it matches no row and stores nothing.
    """
    plan = session.get_one(TreatmentPlan, row.plan_id)
    checkin = session.get_one(CheckIn, row.checkin_id)
    values = submitted_values(plan, checkin, row.answers, row.as_of, row.screening_answers, questionnaire.version)
    result = session.execute(
        update(CheckIn).where(CheckIn.id == row.checkin_id, CheckIn.submitted.is_(False)).values(**values)
        .execution_options(synchronize_session=False)
    )
    if rows_changed(result) != 1:
        return False  # another request submitted it first
    record_audit(session, _actor(row.response_id), "checkin.submitted", target=_target(row.response_id),
                 checkin_id=row.checkin_id, remote_addr=remote_addr)
    return True


def submitted_values(
    plan: TreatmentPlan, checkin: CheckIn, answers: Mapping[str, Any], as_of: date,
    screening_answers: Mapping[str, Any], questionnaire_version: str, now: datetime | None = None,
) -> dict[str, Any]:
    """What a submitted check-in stores, once: its evaluation as computed on `as_of` under the
    terms in force on its due date (followup.md section 1), with what the queue sorts on."""
    evaluation = evaluate_checkin(answers, as_of, terms_on(plan, checkin.due_date), screening_answers)
    moment = now or utcnow()
    return {
        "submitted": True, "submitted_at": moment, "updated_at": moment,
        "questionnaire_version": questionnaire_version, "evaluation": evaluation.to_json(),
        "ruleset_version": evaluation.ruleset_version, "urgent": evaluation.urgent,
        "severity_rank": most_serious_rank(flag.severity for flag in evaluation.flags),
    }
