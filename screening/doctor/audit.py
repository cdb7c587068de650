"""The audit trail as doctors read it: filtered, newest first, one page at a time, in words
(`audit_words`); and the same filtered view as a CSV file for the clinic's records.

Names are looked up in bulk: every doctor in one query (a clinic has a handful; the same
list fills the doctor filter), then the patient references of a page's responses and
invitations in one query each, never one per row.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Row, Select, select
from sqlalchemy.orm import Session

from ..models import AuditEvent, Doctor, Invitation, QuestionnaireResponse, utcnow
from ..operations.retention import ref_digest
from .audit_words import ACTION_WORDS, CSV_COLUMNS, FINGERPRINT_KIND, AuditRow, Names, csv_cells, describe, reference_id
from .common import EARLIEST_FILTER_DATE, LATEST_FILTER_DATE

AUDIT_PAGE_SIZE = 100
CSV_MAX_ROWS = 50_000  # a download holds at most this many events, newest first, then a note
CSV_BATCH = 1_000  # events read, named and written at a time
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DOCTOR_ID = re.compile(r"[0-9]{1,9}")
_COLUMNS = (AuditEvent.id, AuditEvent.at, AuditEvent.actor, AuditEvent.action, AuditEvent.target,
            AuditEvent.remote_addr, AuditEvent.details)


@dataclass(frozen=True)
class AuditFilters:
    doctor: int | None = None  # who did it
    patient: str = ""  # a patient reference, exactly as on the invitation
    action: str = ""
    since: date | None = None
    until: date | None = None
    page: int = 1


@dataclass(frozen=True)
class FilterProblem:
    anchor: str  # the input's id, which the error summary links to
    text: str


def _day(args: Mapping[str, str], name: str, label: str, problems: list[FilterProblem]) -> date | None:
    text = (args.get(name) or "").strip()
    if not text:
        return None
    try:
        day = date.fromisoformat(text) if _DAY.fullmatch(text) else None
    except ValueError:
        day = None
    if day is None:
        problems.append(FilterProblem(name, f"Enter the ‘{label}’ date as a real date, for example 2025-03-31"))
    elif not EARLIEST_FILTER_DATE <= day <= LATEST_FILTER_DATE:
        problems.append(FilterProblem(name, f"Enter a ‘{label}’ date between 1900 and 2199"))
        day = None
    return day


def read_filters(args: Mapping[str, str], page: int = 1) -> tuple[AuditFilters, list[FilterProblem]]:
    """The filters from a query string, and what is wrong with them (a wrong date is not applied)."""
    problems: list[FilterProblem] = []
    since, until = _day(args, "from", "From", problems), _day(args, "to", "To", problems)
    if since and until and since > until:
        problems.append(FilterProblem("to", "The ‘To’ date must be the same as or after the ‘From’ date"))
        since = until = None
    doctor = args.get("doctor", "")
    action = args.get("action", "")
    return AuditFilters(
        doctor=int(doctor) if _DOCTOR_ID.fullmatch(doctor) else None, patient=(args.get("patient") or "").strip()[:64],
        action=action if action in ACTION_WORDS else "", since=since, until=until, page=page,
    ), problems


def _patient_targets(session: Session, patient_ref: str) -> list[str]:
    """The audit targets that point at this patient: their invitations, their responses, and
    the fingerprint that data exports and erasures record instead of the reference."""
    pairs = session.execute(
        select(Invitation.id, QuestionnaireResponse.id)
        .outerjoin(QuestionnaireResponse, QuestionnaireResponse.invitation_id == Invitation.id)
        .where(Invitation.patient_ref == patient_ref)
    )
    targets = [f"{FINGERPRINT_KIND}:{ref_digest(patient_ref)}"]
    for invitation_id, response_id in pairs:
        targets.append(f"invitation:{invitation_id}")
        if response_id is not None:
            targets.append(f"response:{response_id}")
    return targets


def _filtered(session: Session, filters: AuditFilters) -> Select[Any]:
    query = select(*_COLUMNS)
    if filters.action:
        query = query.where(AuditEvent.action == filters.action)
    if filters.doctor is not None:
        query = query.where(AuditEvent.actor == f"doctor:{filters.doctor}")
    if filters.patient:
        query = query.where(AuditEvent.target.in_(_patient_targets(session, filters.patient)))
    if filters.since:
        query = query.where(AuditEvent.at >= datetime.combine(filters.since, time.min, tzinfo=UTC))
    if filters.until:
        query = query.where(AuditEvent.at < datetime.combine(filters.until + timedelta(days=1), time.min, tzinfo=UTC))
    return query.order_by(AuditEvent.id.desc())


def doctor_emails(session: Session) -> dict[int, str]:
    return dict(session.execute(select(Doctor.id, Doctor.email).order_by(Doctor.email)).all())


def _ids(references: Iterable[str | None], kind: str) -> set[int]:
    return {number for reference in references if (number := reference_id(reference, kind)) is not None}


def _names(session: Session, events: Sequence[Row[Any]], doctors: Mapping[int, str], patient_ref: str) -> Names:
    R = QuestionnaireResponse  # noqa: N806 (a short alias keeps the query readable)
    response_ids = _ids((event.target for event in events), "response")
    invitation_ids = _ids((event.target for event in events), "invitation")
    responses = dict(session.execute(
        select(R.id, Invitation.patient_ref).join(Invitation, R.invitation_id == Invitation.id)
        .where(R.id.in_(response_ids))).all()) if response_ids else {}
    invitations = dict(session.execute(
        select(Invitation.id, Invitation.patient_ref).where(Invitation.id.in_(invitation_ids))).all()
    ) if invitation_ids else {}
    fingerprints = {ref_digest(patient_ref): patient_ref} if patient_ref else {}
    return Names(doctors=doctors, responses=responses, invitations=invitations, fingerprints=fingerprints)


def _rows(session: Session, events: Sequence[Row[Any]], doctors: Mapping[int, str], patient_ref: str) -> list[AuditRow]:
    names = _names(session, events, doctors, patient_ref)
    return [describe(e.at, e.actor, e.action, e.target, e.remote_addr, e.details, names) for e in events]


@dataclass(frozen=True)
class AuditPage:
    rows: Sequence[AuditRow]
    has_next: bool
    doctors: Sequence[tuple[int, str]]  # (id, email) for the doctor filter, by email


def load_audit(session: Session, filters: AuditFilters) -> AuditPage:
    doctors = doctor_emails(session)
    events = session.execute(
        _filtered(session, filters).limit(AUDIT_PAGE_SIZE + 1).offset((filters.page - 1) * AUDIT_PAGE_SIZE)
    ).all()
    return AuditPage(rows=_rows(session, events[:AUDIT_PAGE_SIZE], doctors, filters.patient),
                     has_next=len(events) > AUDIT_PAGE_SIZE, doctors=list(doctors.items()))


@dataclass(frozen=True)
class AuditCsv:
    content: bytes  # UTF-8 with a byte-order mark, so that spreadsheets read accents right
    filename: str
    rows: int
    truncated: bool
    # For the download's own audit event: which patient (as a fingerprint) and which filters.
    target: str | None
    details: dict[str, Any]


def build_audit_csv(session: Session, filters: AuditFilters, *, max_rows: int | None = None,
              batch: int | None = None, now: datetime | None = None) -> AuditCsv:
    """Every event of the filtered view, newest first, up to CSV_MAX_ROWS, then a note if cut."""
    limit, size = max_rows or CSV_MAX_ROWS, batch or CSV_BATCH
    doctors = doctor_emails(session)
    query = _filtered(session, filters)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    written, truncated, before = 0, False, None
    while True:  # keyset batches: each one the events older than the last one written
        wanted = min(size, limit - written + 1)  # one past the limit tells whether there is more
        events = session.execute((query if before is None else query.where(AuditEvent.id < before))
                                 .limit(wanted)).all()
        if written + len(events) > limit:
            events, truncated = events[: limit - written], True
        writer.writerows(csv_cells(row) for row in _rows(session, events, doctors, filters.patient))
        written += len(events)
        if truncated or len(events) < wanted:
            break
        before = events[-1].id
    if truncated:
        writer.writerow([f"Only the newest {limit:,} events are included. Narrow the filters to download the rest."])
    details = {
        "rows": written, "truncated": truncated or None, "filter_doctor": filters.doctor,
        "filter_action": filters.action or None, "filter_from": filters.since and filters.since.isoformat(),
        "filter_to": filters.until and filters.until.isoformat(),
    }
    return AuditCsv(
        content=out.getvalue().encode("utf-8-sig"), filename=f"audit-trail-{now or utcnow():%Y-%m-%dT%H%M%SZ}.csv",
        rows=written, truncated=truncated,
        target=f"{FINGERPRINT_KIND}:{ref_digest(filters.patient)}" if filters.patient else None,
        details={key: value for key, value in details.items() if value is not None},
    )
