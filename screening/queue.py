"""The doctor's queue: submitted questionnaires, most urgent first, filtered and paged.

Reads only the queue columns of `questionnaire_response` (copied there at submit), in
the order of the `ix_response_queue` index, so the first page costs the same with 100
or 100,000 submissions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from .models import QuestionnaireResponse as R

PAGE_SIZE = 25
SEVERITY_FILTERS = {"critical": 0, "warning": 1, "info": 2, "none": 3}


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


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    page: int
    has_next: bool
    total: int

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def _filtered(filters: QueueFilters) -> Select:  # type: ignore[type-arg]
    query = select(R).where(R.submitted.is_(True))
    if filters.review in ("new", "reviewed"):
        query = query.where(R.review_status == filters.review)
    if filters.severity in SEVERITY_FILTERS:
        query = query.where(R.severity_rank == SEVERITY_FILTERS[filters.severity])
    if filters.appointment_from:
        query = query.where(R.appointment_date >= filters.appointment_from)
    if filters.appointment_to:
        query = query.where(R.appointment_date <= filters.appointment_to)
    if filters.search:
        escaped = filters.search.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(R.patient_ref.ilike(f"{escaped}%", escape="\\"))
    return query


def load_queue(session: Session, filters: QueueFilters) -> QueuePage:
    page = max(1, filters.page)
    query = (
        _filtered(filters)
        .with_only_columns(
            R.id, R.patient_ref, R.appointment_date, R.urgent, R.severity_rank, R.critical_count,
            R.warning_count, R.info_count, R.earliest_start, R.opioid_block, R.review_status,
        )
        .order_by(R.urgent.desc(), R.severity_rank, R.appointment_date.asc().nulls_last(), R.id)
        .limit(PAGE_SIZE + 1)
        .offset((page - 1) * PAGE_SIZE)
    )
    rows = [QueueRow(*row) for row in session.execute(query)]
    total = session.scalar(_filtered(filters).with_only_columns(func.count()).order_by(None)) or 0
    return QueuePage(rows=rows[:PAGE_SIZE], page=page, has_next=len(rows) > PAGE_SIZE, total=total)
