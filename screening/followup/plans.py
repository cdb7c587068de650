"""Treatment plans, the doctor's side (followup.md section 1): start one on a reviewed
submission, change it, end it, send a check-in now; load one for its page and list the
active ones for `flask plans`.

Starting is refused, with the reason in words, unless the submission is reviewed and every
critical flag of its stored evaluation has a doctor's decision (accepted or overridden),
and while the submission already has an active plan. Every start, change and end appends
a `PlanChange` (who, when, the terms after). Changes and ends state the plan's `version`
they were based on: if another doctor changed it first the conditional UPDATE matches no
row and the caller gets a `PlanConflict` to show, never a silent overwrite.

The check-ins' links are derived from the app's link key (`mail().link_key`), so the link
of a check-in just created can be shown to the doctor once and an email can carry it later.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, selectinload

from ..db import rows_changed
from ..evaluations import StoredFlag, stored_flags
from ..invitations import rebuild_token
from ..models import CheckIn, PlanChange, QuestionnaireResponse, TreatmentPlan, utcnow
from ..questionnaire.display import date_in_words
from ..rules.plan import END_REASONS, Plan, plan_from_json, planned_dose
from .checkins import create_checkin, plan_terms, sync_checkins

ACTIVE, ENDED = "active", "ended"
DECIDED = ("accepted", "overridden")  # screening.doctor.decisions.DECISIONS


class PlanRefused(Exception):
    """The plan cannot be started, changed or asked for a check-in now; `message` says why."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class NotSubmitted(PlanRefused):
    def __init__(self) -> None:
        super().__init__("This questionnaire has not been submitted.")


class NotReviewed(PlanRefused):
    def __init__(self) -> None:
        super().__init__("Mark the questionnaire as reviewed before starting an LDN plan.")


class CriticalFlagsUndecided(PlanRefused):
    """Critical flags no doctor has accepted or overridden (followup.md section 1)."""

    def __init__(self, flags: tuple[StoredFlag, ...]) -> None:
        self.flags = flags
        named = "; ".join(f"{flag.rule_id} {flag.summary}" for flag in flags)
        count = "this critical flag" if len(flags) == 1 else f"these {len(flags)} critical flags"
        super().__init__(f"Accept or override {count} on the summary before starting a plan: {named}")


class PlanAlreadyActive(PlanRefused):
    def __init__(self, plan_id: int) -> None:
        self.plan_id = plan_id
        super().__init__("This submission already has an active LDN plan: change it, or end it first.")


class PlanNotActive(PlanRefused):
    def __init__(self) -> None:
        super().__init__("This plan has ended: nothing can be changed or sent.")


class NothingChanged(PlanRefused):
    def __init__(self) -> None:
        super().__init__("Nothing was changed: the plan's terms are the same as before.")


class PlanConflict(Exception):
    """Another doctor changed or ended the plan first; show theirs and let the doctor decide again."""


# --- starting ------------------------------------------------------------------------------

def undecided_critical_flags(session: Session, response_id: int) -> tuple[StoredFlag, ...] | None:
    """The critical flags of the submission's stored evaluation with no decision yet;
    None when there is no such submission."""
    # Imported here: screening.doctor's views import this module.
    from ..doctor.decisions import current_decisions
    from ..doctor.submissions import load_with_stored_evaluation

    found = load_with_stored_evaluation(session, response_id)
    if found is None:
        return None
    _response, evaluation = found
    decisions = current_decisions(session, evaluation.id)
    return tuple(flag for flag in stored_flags(evaluation) if flag.severity == "critical"
                 and getattr(decisions.get(flag.rule_id), "decision", None) not in DECIDED)


def active_plan_id(session: Session, response_id: int) -> int | None:
    return session.scalar(select(TreatmentPlan.id).where(
        TreatmentPlan.response_id == response_id, TreatmentPlan.status == ACTIVE).order_by(TreatmentPlan.id).limit(1))


def plans_of(session: Session, response_id: int) -> list[tuple[int, str]]:
    """(id, status) of each plan of a submission, newest first (the summary's links)."""
    rows = session.execute(select(TreatmentPlan.id, TreatmentPlan.status)
                           .where(TreatmentPlan.response_id == response_id).order_by(TreatmentPlan.id.desc()))
    return [(plan_id, status) for plan_id, status in rows]


def start_refusal(session: Session, response_id: int) -> PlanRefused | None:
    """Why a plan cannot be started on this submission now, or None (the form page asks
    before showing the form; `start_plan` asks again in its own transaction)."""
    response = session.get(QuestionnaireResponse, response_id)
    if response is None or not response.submitted:
        return NotSubmitted()
    if response.review_status != "reviewed":
        return NotReviewed()
    undecided = undecided_critical_flags(session, response_id)
    if undecided is None:
        return NotSubmitted()
    if undecided:
        return CriticalFlagsUndecided(undecided)
    active = active_plan_id(session, response_id)
    return PlanAlreadyActive(active) if active is not None else None


def start_plan(session: Session, response_id: int, plan: Plan, *, doctor_id: int, email: str | None,
               key: bytes | None) -> TreatmentPlan:
    """A new active plan (version 1), its "started" history entry and its check-ins.
    Raises a PlanRefused naming the reason (not reviewed, undecided critical flags, a plan
    already active). `email` must already be a cleaned address (outbox.addresses)."""
    # Two doctors starting a plan on one submission at once: the second waits on this row
    # lock (PostgreSQL; SQLite's write transactions are serial) and then sees the first's plan.
    session.execute(select(QuestionnaireResponse.id).where(QuestionnaireResponse.id == response_id)
                    .with_for_update())
    refusal = start_refusal(session, response_id)
    if refusal is not None:
        raise refusal
    now = utcnow()
    row = TreatmentPlan(response_id=response_id, terms=plan.to_json(), status=ACTIVE, email=email or None, version=1,
                        created_by_id=doctor_id, created_at=now)
    session.add(row)
    session.flush()
    session.add(PlanChange(plan_id=row.id, action="started", terms=plan.to_json(), doctor_id=doctor_id, at=now))
    sync_checkins(session, row, key)
    session.flush()
    session.expire(row, ["checkins", "changes"])  # read again on first use, with what was just written
    return row


# --- changing and ending -------------------------------------------------------------------

def _current(session: Session, plan_id: int, version: int) -> TreatmentPlan:
    """The plan as this doctor saw it; PlanConflict when it has changed or ended since."""
    row = session.get(TreatmentPlan, plan_id, populate_existing=True)
    if row is None:
        raise LookupError(plan_id)
    if row.version != version or row.status != ACTIVE:
        raise PlanConflict
    return row


def _bump(session: Session, plan_id: int, version: int, **values: object) -> None:
    """The conditional UPDATE: only from the version the doctor saw, only while active."""
    result = session.execute(
        update(TreatmentPlan)
        .where(TreatmentPlan.id == plan_id, TreatmentPlan.version == version, TreatmentPlan.status == ACTIVE)
        .values(version=TreatmentPlan.version + 1, **values)
        .execution_options(synchronize_session=False)
    )
    if rows_changed(result) != 1:
        raise PlanConflict


def change_plan(session: Session, plan_id: int, plan: Plan, *, version: int, doctor_id: int,
                key: bytes | None) -> list[CheckIn]:
    """New terms for an active plan, from `version`; a "changed" history entry with the terms
    after. Check-ins for new due dates are created (and returned); ones already created are
    kept. PlanConflict when another doctor changed or ended it first; NothingChanged when
    the terms are the same; LookupError when there is no such plan."""
    row = _current(session, plan_id, version)
    if plan_terms(row) == plan:
        raise NothingChanged
    _bump(session, plan_id, version, terms=plan.to_json())
    session.refresh(row)
    session.add(PlanChange(plan_id=plan_id, action="changed", terms=plan.to_json(), doctor_id=doctor_id, at=utcnow()))
    return sync_checkins(session, row, key)


def end_plan(session: Session, plan_id: int, reason: str, note: str | None, *, version: int,
             doctor_id: int) -> TreatmentPlan:
    """End an active plan with one of END_REASONS and an optional note (kept in the history
    entry); the patient's address is cleared. PlanConflict as for `change_plan`."""
    if reason not in END_REASONS:
        raise ValueError(f"unknown end reason {reason!r}; one of {', '.join(END_REASONS)}")
    row = _current(session, plan_id, version)
    now = utcnow()
    _bump(session, plan_id, version, status=ENDED, end_reason=reason, ended_at=now, email=None)
    session.refresh(row)
    session.add(PlanChange(plan_id=plan_id, action="ended", terms=row.terms, reason=note or None, doctor_id=doctor_id,
                           at=now))
    return row


# --- check-ins -----------------------------------------------------------------------------

def checkin_now(session: Session, plan_id: int, key: bytes | None, today: date) -> tuple[CheckIn, str | None]:
    """A check-in due today and its token; when one is already due today, that one and None
    (its link was shown when it was created). PlanNotActive for an ended plan, PlanRefused
    before the plan's start date, LookupError when there is no such plan."""
    row = session.get(TreatmentPlan, plan_id)
    if row is None:
        raise LookupError(plan_id)
    if row.status != ACTIVE:
        raise PlanNotActive
    start = plan_terms(row).start_date
    if today < start:
        raise PlanRefused(f"The plan starts on {date_in_words(start)}: a check-in can be sent from that day.")
    due_today = select(CheckIn).where(CheckIn.plan_id == plan_id, CheckIn.due_date == today)
    existing = session.scalar(due_today)
    if existing is not None:
        return existing, None
    try:
        with session.begin_nested():  # another doctor's click at the same moment made it first
            checkin, token = create_checkin(session, row, today, key)
    except IntegrityError:
        return session.scalars(due_today).one(), None
    return checkin, token


def checkin_url(base: str, token: str) -> str:
    """A check-in's link: the site's address, then the token (served by the patient journey)."""
    return f"{base.rstrip('/')}/c/{token}"


def checkin_links(checkins: list[CheckIn], key: bytes, base: str) -> dict[int, str]:
    """The links of check-ins just created, by check-in ID, to show once (the token is derived
    from the link key and the check-in's salt, never stored)."""
    links = {}
    for checkin in checkins:
        token = rebuild_token(checkin.link_salt, checkin.token_hash, key)
        if token is not None:
            links[checkin.id] = checkin_url(base, token)
    return links


# --- reading -------------------------------------------------------------------------------

def load_plan(session: Session, plan_id: int) -> TreatmentPlan | None:
    """A plan with its submission, history (and who made each entry) and check-ins."""
    return session.scalar(
        select(TreatmentPlan)
        .options(joinedload(TreatmentPlan.response),
                 selectinload(TreatmentPlan.changes).joinedload(PlanChange.doctor),
                 selectinload(TreatmentPlan.checkins))
        .where(TreatmentPlan.id == plan_id)
        .execution_options(populate_existing=True)
    )


@dataclass(frozen=True)
class ActivePlan:
    """One line of `flask plans`: never an address, nothing but what the clinic's records need."""

    plan_id: int
    patient_ref: str
    start_date: date
    dose_today_mg: Decimal | None  # None before the start date
    next_checkin: date | None  # the earliest check-in not sent whose link still works


def active_plans(session: Session, today: date, now: datetime | None = None) -> list[ActivePlan]:
    """Every active plan, by patient reference then plan, in two queries."""
    moment = now or utcnow()
    rows = session.execute(
        select(TreatmentPlan.id, QuestionnaireResponse.patient_ref, TreatmentPlan.terms)
        .join(QuestionnaireResponse, QuestionnaireResponse.id == TreatmentPlan.response_id)
        .where(TreatmentPlan.status == ACTIVE)
        .order_by(QuestionnaireResponse.patient_ref, TreatmentPlan.id)
    ).all()
    next_due: dict[int, date] = {plan_id: due for plan_id, due in session.execute(
        select(CheckIn.plan_id, func.min(CheckIn.due_date))
        .join(TreatmentPlan, TreatmentPlan.id == CheckIn.plan_id)
        .where(TreatmentPlan.status == ACTIVE, CheckIn.submitted.is_(False), CheckIn.expires_at > moment)
        .group_by(CheckIn.plan_id)
    )}
    listed = []
    for plan_id, patient_ref, terms in rows:
        plan = plan_from_json(terms)
        listed.append(ActivePlan(plan_id, patient_ref or "", plan.start_date, planned_dose(plan, today),
                                 next_due.get(plan_id)))
    return listed
