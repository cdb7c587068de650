"""Check-ins, the doctor's side: load one for its page, a plan with its check-ins for the
trend, the "no concerns" list below the queue, and marking check-ins reviewed.

The flagged check-ins join the queue itself in `queue.py`. The "no concerns" list is one
run of the `ix_checkin_queue` index (submitted, review_status, urgent, severity_rank, then
due date and ID): its pages are read in order from the index, and its count reads only the
check-ins still waiting, however many were ever sent and reviewed.

Marking reviewed is conditional, as decisions are (optimistic locking): one check-in is
marked only from the state the doctor saw ("new"), so two doctors acting at once collide
visibly; the bulk action marks only check-ins without flags, never a flagged one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import false, func, select, true, update
from sqlalchemy.orm import Session, joinedload, selectinload

from ..db import rows_changed
from ..models import CheckIn, Doctor, TreatmentPlan, utcnow
from ..models import QuestionnaireResponse as R
from ..rules.severity import NO_FLAGS_RANK

NO_CONCERNS_SHOWN = 50  # the "no concerns" list's page
MAX_BULK = 200  # check-ins one bulk action may name
NEW, REVIEWED = "new", "reviewed"


class ReviewConflict(Exception):
    """Another doctor marked it reviewed first (or it cannot be reviewed: not sent)."""


# --- loading -------------------------------------------------------------------------------

def load_checkin(session: Session, checkin_id: int) -> tuple[CheckIn, str | None] | None:
    """A check-in with its plan and the screening the plan followed, and the email of the
    doctor who reviewed it (None: not reviewed, or the account is gone); one query."""
    found = session.execute(
        select(CheckIn, Doctor.email)
        .options(joinedload(CheckIn.plan).joinedload(TreatmentPlan.response))
        .outerjoin(Doctor, Doctor.id == CheckIn.reviewed_by_id)
        .where(CheckIn.id == checkin_id)
    ).one_or_none()
    if found is None:
        return None
    checkin, email = found
    return checkin, email


def load_plan_for_trend(session: Session, plan_id: int) -> TreatmentPlan | None:
    """A plan with its screening (the baseline), its check-ins and its history (the dose in
    force on each day): what `checkin_trend.trend_section` reads, in three queries."""
    return session.scalar(
        select(TreatmentPlan)
        .options(joinedload(TreatmentPlan.response), selectinload(TreatmentPlan.checkins),
                 selectinload(TreatmentPlan.changes))
        .where(TreatmentPlan.id == plan_id)
    )


# --- the "no concerns" list ----------------------------------------------------------------

@dataclass(frozen=True)
class NoConcernRow:
    checkin_id: int
    patient_ref: str
    due_date: date
    day: int | None  # days on LDN when sent, as the rules counted

    @property
    def day_words(self) -> str:
        return f"day {self.day}" if self.day is not None else "day not recorded"


@dataclass(frozen=True)
class NoConcerns:
    rows: list[NoConcernRow]
    page: int
    waiting: int  # new check-ins without flags, all pages

    @property
    def first(self) -> int:
        """The position of the page's first row among all waiting (1-based)."""
        return (self.page - 1) * NO_CONCERNS_SHOWN + 1

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.last < self.waiting


_NO_CONCERNS = (CheckIn.submitted == true(), CheckIn.review_status == NEW, CheckIn.urgent == false(),
                CheckIn.severity_rank == NO_FLAGS_RANK)


def no_concerns(session: Session, page: int = 1) -> NoConcerns:
    """One page of the new check-ins without flags, oldest due first: the ones that can be
    reviewed in bulk. A page past the last shows the last (after a bulk review emptied it)."""
    waiting = session.scalar(select(func.count()).select_from(CheckIn).where(*_NO_CONCERNS)) or 0
    page = max(1, min(page, -(-waiting // NO_CONCERNS_SHOWN)))
    rows = session.execute(
        select(CheckIn.id, R.patient_ref, CheckIn.due_date, CheckIn.evaluation)
        .join(TreatmentPlan, TreatmentPlan.id == CheckIn.plan_id)
        .join(R, R.id == TreatmentPlan.response_id)
        .where(*_NO_CONCERNS)
        .order_by(CheckIn.due_date, CheckIn.id)
        .limit(NO_CONCERNS_SHOWN)
        .offset((page - 1) * NO_CONCERNS_SHOWN)
    ).all()
    listed = [NoConcernRow(checkin_id, patient_ref or "", due, _days_on(evaluation))
              for checkin_id, patient_ref, due, evaluation in rows]
    return NoConcerns(listed, page, waiting)


def _days_on(evaluation: object) -> int | None:
    day = evaluation.get("days_on") if isinstance(evaluation, dict) else None
    return day if isinstance(day, int) else None


# --- marking reviewed ----------------------------------------------------------------------

def mark_reviewed(session: Session, checkin_id: int, doctor_id: int, version: int) -> int:
    """Mark one sent check-in reviewed, from the state the doctor saw (`version` 0: new).
    Returns the response ID of the screening it follows (for the audit trail). Raises
    ReviewConflict when someone reviewed it first, LookupError when there is no such
    sent check-in."""
    row = session.execute(
        select(CheckIn.submitted, TreatmentPlan.response_id)
        .join(TreatmentPlan, TreatmentPlan.id == CheckIn.plan_id)
        .where(CheckIn.id == checkin_id)
    ).one_or_none()
    if row is None or not row.submitted:
        raise LookupError(checkin_id)
    if version != 0:
        raise ReviewConflict
    result = session.execute(
        update(CheckIn)
        .where(CheckIn.id == checkin_id, CheckIn.submitted == true(), CheckIn.review_status == NEW)
        .values(review_status=REVIEWED, reviewed_by_id=doctor_id, reviewed_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if rows_changed(result) != 1:
        raise ReviewConflict
    return int(row.response_id)


@dataclass(frozen=True)
class BulkReview:
    reviewed: list[tuple[int, int]]  # (check-in ID, response ID) of each one marked now
    flagged: int  # named but with flags: refused, each must be opened
    skipped: int  # named but already reviewed, not sent, or unknown


def review_without_flags(session: Session, checkin_ids: Sequence[int], doctor_id: int) -> BulkReview:
    """Mark reviewed every named check-in that was sent without flags and is still new.
    Check-ins with flags are never marked here (they are counted, to say so)."""
    wanted = sorted(set(checkin_ids))[:MAX_BULK]
    if not wanted:
        return BulkReview([], 0, 0)
    rows = session.execute(
        select(CheckIn.id, CheckIn.severity_rank, CheckIn.urgent, TreatmentPlan.response_id)
        .join(TreatmentPlan, TreatmentPlan.id == CheckIn.plan_id)
        .where(CheckIn.id.in_(wanted), CheckIn.submitted == true(), CheckIn.review_status == NEW)
    ).all()
    flagged = [row for row in rows if row.severity_rank != NO_FLAGS_RANK or row.urgent]
    clean = {row.id: int(row.response_id) for row in rows if row not in flagged}
    reviewed: list[tuple[int, int]] = []
    if clean:
        marked = session.scalars(
            update(CheckIn)
            .where(CheckIn.id.in_(sorted(clean)), CheckIn.submitted == true(), CheckIn.review_status == NEW,
                   CheckIn.severity_rank == NO_FLAGS_RANK, CheckIn.urgent == false())
            .values(review_status=REVIEWED, reviewed_by_id=doctor_id, reviewed_at=utcnow())
            .returning(CheckIn.id)
            .execution_options(synchronize_session=False)
        ).all()
        reviewed = [(checkin_id, clean[checkin_id]) for checkin_id in sorted(marked)]
    return BulkReview(reviewed, len(flagged), len(wanted) - len(reviewed) - len(flagged))
