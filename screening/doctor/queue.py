"""The doctor's queue: submitted questionnaires, most urgent first, filtered and paged.

Reads only the queue columns of `questionnaire_response` (copied there at submit), in
the order of the `ix_response_queue_order` index, so the first page costs the same with
100 or 100,000 submissions on SQLite and PostgreSQL. The sort is written so both can
read it from that index: "appointment_date IS NULL, appointment_date" is NULLS LAST, and
"submitted = true" (not "IS true", which PostgreSQL cannot match to an index).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, Select, and_, func, select, true
from sqlalchemy.orm import Session

from ..models import QuestionnaireResponse as R
from ..rules.severity import RANKED

PAGE_SIZE = 25
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


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    page: int
    has_next: bool
    total: int

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


def load_queue(session: Session, filters: QueueFilters) -> QueuePage:
    page = max(1, filters.page)
    dialect = session.get_bind().dialect.name
    query = (
        _filtered(filters, dialect)
        .with_only_columns(
            R.id.label("response_id"), R.patient_ref, R.appointment_date, R.urgent, R.severity_rank, R.critical_count,
            R.warning_count, R.info_count, R.earliest_start, R.opioid_block, R.review_status,
        )
        .order_by(*QUEUE_ORDER)
        .limit(PAGE_SIZE + 1)
        .offset((page - 1) * PAGE_SIZE)
    )
    rows = [QueueRow(**row._asdict()) for row in session.execute(query)]
    total = session.scalar(_filtered(filters, dialect).with_only_columns(func.count()).order_by(None)) or 0
    return QueuePage(rows=rows[:PAGE_SIZE], page=page, has_next=len(rows) > PAGE_SIZE, total=total)
