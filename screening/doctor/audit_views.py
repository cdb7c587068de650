"""The audit trail, for doctors: who did what, when, from where, with filters."""

from __future__ import annotations

from flask import render_template, request
from flask.typing import ResponseReturnValue

from ..extensions import db
from . import bp
from .audit import AuditFilters, load_audit
from .common import date_arg, known_args, page_arg
from .roles import ADMIN, role

FILTER_ARGS = ("action", "actor", "target", "from", "to")  # what the page links carry over


def _text_arg(name: str) -> str:
    return (request.args.get(name) or "").strip()[:64]


@bp.get("/audit")
@role(ADMIN)
def audit_log() -> ResponseReturnValue:
    filters = AuditFilters(
        action=_text_arg("action"), actor=_text_arg("actor"), target=_text_arg("target"),
        since=date_arg("from"), until=date_arg("to"), page=page_arg(),
    )
    with db().read() as session:
        found = load_audit(session, filters)
    return render_template(
        "doctor/audit.html", events=found.events, has_next=found.has_next,
        page=filters.page, actions=found.actions, args=known_args(FILTER_ARGS),
    )
