"""The audit trail, for doctors: who did what, when, from where, with filters."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from flask import render_template, request
from sqlalchemy import select

from ..models import AuditEvent
from . import bp
from .common import date_arg, db, page_arg

AUDIT_PAGE_SIZE = 100


@bp.get("/audit")
def audit_log() -> Any:
    query = select(AuditEvent)
    action = (request.args.get("action") or "").strip()[:64]
    actor = (request.args.get("actor") or "").strip()[:64]
    target = (request.args.get("target") or "").strip()[:64]
    if action:
        query = query.where(AuditEvent.action == action)
    if actor:
        query = query.where(AuditEvent.actor == actor)
    if target:
        query = query.where(AuditEvent.target == target)
    since, until = date_arg("from"), date_arg("to")
    if since:
        query = query.where(AuditEvent.at >= datetime.combine(since, time.min, tzinfo=UTC))
    if until:
        query = query.where(AuditEvent.at < datetime.combine(until + timedelta(days=1), time.min, tzinfo=UTC))
    page_number = page_arg()
    with db().read() as s:
        events = s.scalars(
            query.order_by(AuditEvent.id.desc()).limit(AUDIT_PAGE_SIZE + 1)
            .offset((page_number - 1) * AUDIT_PAGE_SIZE)
        ).all()
        actions = s.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)).all()
    return render_template(
        "doctor/audit.html", events=events[:AUDIT_PAGE_SIZE], has_next=len(events) > AUDIT_PAGE_SIZE,
        page=page_number, actions=actions, args=request.args.to_dict(),
    )
