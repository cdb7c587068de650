"""The audit trail as doctors read it: filtered, newest first, one page at a time."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from ..models import AuditEvent

AUDIT_PAGE_SIZE = 100


@dataclass(frozen=True)
class AuditFilters:
    action: str = ""
    actor: str = ""
    target: str = ""
    since: date | None = None
    until: date | None = None
    page: int = 1


@dataclass(frozen=True)
class AuditPage:
    events: Sequence[AuditEvent]
    has_next: bool
    actions: Sequence[str]  # every action ever recorded, for the filter's choices


def _filtered(filters: AuditFilters) -> Select[AuditEvent]:
    query = select(AuditEvent)
    if filters.action:
        query = query.where(AuditEvent.action == filters.action)
    if filters.actor:
        query = query.where(AuditEvent.actor == filters.actor)
    if filters.target:
        query = query.where(AuditEvent.target == filters.target)
    if filters.since:
        query = query.where(AuditEvent.at >= datetime.combine(filters.since, time.min, tzinfo=UTC))
    if filters.until:
        query = query.where(AuditEvent.at < datetime.combine(filters.until + timedelta(days=1), time.min, tzinfo=UTC))
    return query


def load_audit(session: Session, filters: AuditFilters) -> AuditPage:
    events = session.scalars(
        _filtered(filters).order_by(AuditEvent.id.desc()).limit(AUDIT_PAGE_SIZE + 1)
        .offset((filters.page - 1) * AUDIT_PAGE_SIZE)
    ).all()
    actions = session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)).all()
    return AuditPage(events=events[:AUDIT_PAGE_SIZE], has_next=len(events) > AUDIT_PAGE_SIZE, actions=actions)
