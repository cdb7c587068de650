"""The doctor's queue: submitted questionnaires, most urgent first, filtered and paged.

Reads only the queue columns of `questionnaire_response` (copied there at submit), in
the order of the `ix_response_queue_order` index, so the first page costs the same with
100 or 100,000 submissions on SQLite and PostgreSQL. The sort is written so both can
read it from that index: "appointment_date IS NULL, appointment_date" is NULLS LAST, and
"submitted = true" (not "IS true", which PostgreSQL cannot match to an index).

Check-ins with flags join the queue (followup.md section 3): urgent first, then severity,
then the date (a submission's appointment, a check-in's due date). `ix_checkin_queue` holds
them in runs of one review status, urgency and severity, each in due-date order; the page's
check-ins are the first of each run (at most 12 runs, each read only as far as the page's
end) merged by the database, then merged with the submissions here. So the page costs the
same however many check-ins were ever sent and reviewed; only the count of flagged
check-ins reads every one of their index entries, as the submissions' count does. Check-ins
without flags are not in the queue: they are listed for review in bulk (checkin_list).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, and_, func, select, true, union_all
from sqlalchemy.orm import Session

from ..models import CheckIn as C
from ..models import QuestionnaireResponse as R
from ..models import TreatmentPlan as P
from ..rules.severity import NO_FLAGS_RANK, RANKED

PAGE_SIZE = 25
_Query = TypeVar("_Query", bound=Select[*tuple[Any, ...]])
# Filter by the most serious flag: each severity, or "none" for submissions without flags.
SEVERITY_FILTERS = {name: rank for rank, name in enumerate(RANKED)}


@dataclass(frozen=True)
class QueueFilters:
    review: str | None = None  # "new" | "reviewed" | None for both
    severity: str | None = None  # one of SEVERITY_FILTERS
    appointment_from: date | None = None
    appointment_to: date | None = None
    search: str | None = None  # a patient reference, or its start
    page: int = 1


@dataclass(frozen=True)
class QueueRow:
    response_id: int
    patient_ref: str | None
    appointment_date: date | None
    urgent: bool
    severity_rank: int
    critical_count: int
    warning_count: int
    info_count: int
    earliest_start: date | None
    opioid_block: bool
    review_status: str

    @property
    def severity(self) -> str:
        """The most serious flag's severity, or "none"."""
        return RANKED[self.severity_rank]

    kind = "submission"

    def sort_key(self) -> tuple[Any, ...]:
        """Where it stands in the merged queue (QUEUE_ORDER, then submissions before check-ins)."""
        return (not self.urgent, self.severity_rank, self.appointment_date is None,
                self.appointment_date or date.min, 0, self.response_id)


@dataclass(frozen=True)
class CheckinQueueRow:
    """A check-in with flags, in the queue beside the submissions."""

    checkin_id: int
    patient_ref: str | None
    due_date: date
    urgent: bool
    severity_rank: int
    review_status: str
    days_on: int | None
    critical_count: int
    warning_count: int
    info_count: int
    flag_summaries: tuple[str, ...]

    kind = "checkin"

    @property
    def severity(self) -> str:
        return RANKED[self.severity_rank]

    def sort_key(self) -> tuple[Any, ...]:
        return (not self.urgent, self.severity_rank, False, self.due_date, 1, self.checkin_id)


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow | CheckinQueueRow]
    page: int
    has_next: bool
    total: int
    checkin_total: int = 0  # of `total`, how many are check-ins

    @property
    def has_previous(self) -> bool:
        return self.page > 1


QUEUE_ORDER = (R.urgent.desc(), R.severity_rank, R.appointment_date.is_(None), R.appointment_date, R.id)


def _filtered(filters: QueueFilters, dialect: str = "") -> Select[R]:
    query = select(R).where(R.submitted == true())
    if filters.review in ("new", "reviewed"):
        query = query.where(R.review_status == filters.review)
    if filters.severity in SEVERITY_FILTERS:
        query = query.where(R.severity_rank == SEVERITY_FILTERS[filters.severity])
    if filters.appointment_from:
        query = query.where(R.appointment_date >= filters.appointment_from)
    if filters.appointment_to:
        query = query.where(R.appointment_date <= filters.appointment_to)
    if filters.search:
        query = query.where(_starts_with(filters.search.strip(), dialect))
    return query


def _starts_with(search: str, dialect: str) -> ColumnElement[bool]:
    """Case-insensitive "patient reference starts with", in a form the search index serves.

    lower(ref) LIKE lower('prefix%') is what PostgreSQL's text_pattern_ops index answers.
    SQLite uses no index for LIKE on an expression, so there the same test is also given
    as a range on lower(ref), which its index answers: exact under SQLite's binary
    collation (not under PostgreSQL's linguistic ones, hence only there).
    """
    ref = func.lower(R.patient_ref)
    escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    condition: ColumnElement[bool] = ref.like(func.lower(f"{escaped}%"), escape="\\")
    if dialect == "sqlite" and search:
        prefix = search.translate(_ASCII_LOWER)  # what SQLite's lower() does
        last = ord(prefix[-1])
        if last < 0x10FFFF and not 0xD7FF <= last <= 0xDFFF:  # the next character must exist
            condition = and_(condition, ref >= prefix, ref < prefix[:-1] + chr(last + 1))
    return condition


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _submissions(session: Session, filters: QueueFilters, dialect: str, limit: int, offset: int) -> list[QueueRow]:
    query = (
        _filtered(filters, dialect)
        .with_only_columns(
            R.id.label("response_id"), R.patient_ref, R.appointment_date, R.urgent, R.severity_rank, R.critical_count,
            R.warning_count, R.info_count, R.earliest_start, R.opioid_block, R.review_status,
        )
        .order_by(*QUEUE_ORDER)
        .limit(limit)
        .offset(offset)
    )
    return [QueueRow(**row._asdict()) for row in session.execute(query)]


@dataclass(frozen=True)
class _Arm:
    """One run of `ix_checkin_queue`: the sent check-ins of one review status, urgency and severity."""

    review_status: str
    urgent: bool
    severity_rank: int


def _checkin_arms(filters: QueueFilters) -> list[_Arm]:
    """The runs the filters keep of the flagged check-ins; none for the "no flags" filter
    (check-ins without flags are not in the queue)."""
    rank = SEVERITY_FILTERS.get(filters.severity or "")
    if rank == NO_FLAGS_RANK:
        return []
    statuses = (filters.review,) if filters.review in ("new", "reviewed") else ("new", "reviewed")
    ranks = (rank,) if rank is not None else tuple(range(NO_FLAGS_RANK))
    return [_Arm(status, urgent, each) for status in statuses for urgent in (True, False) for each in ranks]


def _checkin_conditions(filters: QueueFilters, dialect: str) -> list[ColumnElement[bool]]:
    """What the date and reference filters ask of a check-in: its due date, and that its plan
    followed a screening whose patient reference starts with the search. The search is a set
    of plans, found from the reference index first, so a search (its rows and its count) reads
    the check-ins of the patients found (`ix_checkin_plan_queue`), never every flagged one."""
    conditions: list[ColumnElement[bool]] = [C.submitted == true()]
    if filters.appointment_from:
        conditions.append(C.due_date >= filters.appointment_from)
    if filters.appointment_to:
        conditions.append(C.due_date <= filters.appointment_to)
    if filters.search:
        found = select(P.id).join(R, R.id == P.response_id).where(_starts_with(filters.search.strip(), dialect))
        conditions.append(C.plan_id.in_(found))
    return conditions


def _with_patient(query: _Query) -> _Query:
    """The check-ins with the patient reference of the screening their plan followed."""
    return query.join(P, P.id == C.plan_id).join(R, R.id == P.response_id)


def _checkins(session: Session, filters: QueueFilters, arms: list[_Arm], dialect: str,
              limit: int) -> list[CheckinQueueRow]:
    """The first `limit` flagged check-ins in queue order, without their flags (read for the
    page's rows alone, by `_with_flags`: a later page need not read every evaluation before it).

    Each run of the index is read in due-date order up to `limit` and the runs (at most 12)
    are merged: the database reads at most 12 × `limit` index entries, however many check-ins
    were ever sent and reviewed, where one query over all of them would read and sort them all.
    A search by patient reference is one query over the matching patients' check-ins.
    """
    columns = (C.id, C.plan_id, C.due_date, C.urgent, C.severity_rank, C.review_status)
    conditions = _checkin_conditions(filters, dialect)
    query: Select[*tuple[Any, ...]]
    if filters.search:  # the patients found: few check-ins, sorted at once
        query = (_with_patient(select(*columns, R.patient_ref)).where(*conditions, *_in_runs(arms))
                 .order_by(C.urgent.desc(), C.severity_rank, C.due_date, C.id).limit(limit))
    else:
        runs = [select(select(*columns).where(
            *conditions, C.review_status == arm.review_status, C.urgent == arm.urgent,
            C.severity_rank == arm.severity_rank).order_by(C.due_date, C.id).limit(limit).subquery()) for arm in arms]
        merged = union_all(*runs).subquery("flagged")
        query = (select(merged, R.patient_ref).join(P, P.id == merged.c.plan_id).join(R, R.id == P.response_id)
                 .order_by(merged.c.urgent.desc(), merged.c.severity_rank, merged.c.due_date, merged.c.id)
                 .limit(limit))
    return [CheckinQueueRow(checkin_id=row.id, patient_ref=row.patient_ref, due_date=row.due_date, urgent=row.urgent,
                            severity_rank=min(max(row.severity_rank, 0), NO_FLAGS_RANK),
                            review_status=row.review_status, days_on=None, critical_count=0, warning_count=0,
                            info_count=0, flag_summaries=()) for row in session.execute(query)]


def _in_runs(arms: list[_Arm]) -> tuple[ColumnElement[bool], ...]:
    """The runs as lists of values per column (the runs are every combination of them): both
    databases seek each combination of IN lists, where an OR of runs is read as a scan."""
    return (C.review_status.in_({arm.review_status for arm in arms}), C.urgent.in_({arm.urgent for arm in arms}),
            C.severity_rank.in_({arm.severity_rank for arm in arms}))


def _with_flags(session: Session, rows: list[QueueRow | CheckinQueueRow]) -> list[QueueRow | CheckinQueueRow]:
    """The page's check-in rows completed from their stored evaluations (one query)."""
    ids = [row.checkin_id for row in rows if isinstance(row, CheckinQueueRow)]
    if not ids:
        return rows
    evaluations = {row.id: row.evaluation for row in session.execute(select(C.id, C.evaluation).where(C.id.in_(ids)))}
    return [_flagged(row, evaluations.get(row.checkin_id)) if isinstance(row, CheckinQueueRow) else row
            for row in rows]


def _flagged(row: CheckinQueueRow, stored: Any) -> CheckinQueueRow:
    evaluation: Mapping[str, Any] = stored if isinstance(stored, dict) else {}
    flags: Sequence[Mapping[str, Any]] = evaluation.get("flags") or ()
    counts = Counter(str(flag.get("severity")) for flag in flags)
    days_on = evaluation.get("days_on")
    return replace(row, days_on=days_on if isinstance(days_on, int) else None, critical_count=counts["critical"],
                   warning_count=counts["warning"], info_count=counts["info"],
                   flag_summaries=tuple(str(flag.get("summary", "")) for flag in flags))


def _checkin_count(session: Session, filters: QueueFilters, arms: list[_Arm], dialect: str) -> int:
    """How many flagged check-ins the filters keep (counted from the index's entries alone)."""
    query = select(func.count()).select_from(C).where(*_checkin_conditions(filters, dialect), *_in_runs(arms))
    return session.scalar(query) or 0


def load_queue(session: Session, filters: QueueFilters) -> QueuePage:
    """One page of the queue: submissions and flagged check-ins in one order.

    Without check-ins on the page's way, the submissions are paged by the database as
    before; with some, both lists are read from their start to the page's end and merged
    (the first pages, which are what a triage queue is for, cost the same either way)."""
    page = max(1, filters.page)
    dialect = session.get_bind().dialect.name
    offset = (page - 1) * PAGE_SIZE
    total = session.scalar(_filtered(filters, dialect).with_only_columns(func.count()).order_by(None)) or 0
    checkins: list[CheckinQueueRow] = []
    checkin_total = 0
    arms = _checkin_arms(filters)
    if arms:
        checkins = _checkins(session, filters, arms, dialect, offset + PAGE_SIZE + 1)
        if checkins:
            checkin_total = _checkin_count(session, filters, arms, dialect)
    rows: list[QueueRow | CheckinQueueRow]
    if checkins:
        both: list[QueueRow | CheckinQueueRow] = [*_submissions(session, filters, dialect, offset + PAGE_SIZE + 1, 0),
                                                  *checkins]
        rows = _with_flags(session, sorted(both, key=lambda row: row.sort_key())[offset:offset + PAGE_SIZE + 1])
    else:
        rows = list(_submissions(session, filters, dialect, PAGE_SIZE + 1, offset))
    return QueuePage(rows=rows[:PAGE_SIZE], page=page, has_next=len(rows) > PAGE_SIZE,
                     total=total + checkin_total, checkin_total=checkin_total)
