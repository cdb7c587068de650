"""The audit trail, for admins: who did what, to which patient, when, from where, in words;
filtered, and downloadable as CSV with the same filters."""

from __future__ import annotations

from typing import Any

from flask import Response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from ..extensions import db
from . import bp
from .audit import CSV_MAX_ROWS, build_audit_csv, load_audit, read_filters
from .audit_words import ACTION_CHOICES
from .common import audit, known_args, page_arg
from .roles import ADMIN, role

FILTER_ARGS = ("doctor", "patient", "action", "from", "to")  # what the page's links carry over


@bp.get("/audit")
@role(ADMIN)
def audit_log() -> ResponseReturnValue:
    filters, problems = read_filters(request.args, page_arg())
    with db().read() as session:
        found = load_audit(session, filters)
    return render_template(
        "doctor/audit.html", rows=found.rows, has_next=found.has_next, page=filters.page, filters=filters,
        doctors=found.doctors, actions=ACTION_CHOICES, args=known_args(FILTER_ARGS), problems=problems,
        wrong={problem.anchor for problem in problems}, csv_limit=f"{CSV_MAX_ROWS:,}",
    ), 400 if problems else 200


@bp.get("/audit.csv")
@role(ADMIN)
def audit_csv() -> ResponseReturnValue:
    filters, problems = read_filters(request.args)
    if problems:  # the page says what is wrong, with what was entered
        entered: dict[str, Any] = known_args(FILTER_ARGS)
        return redirect(url_for("doctor.audit_log", **entered))
    with db().read() as session:
        export = build_audit_csv(session, filters)
    with db().write() as session:  # committed before a byte of the file leaves
        audit(session, "audit.exported", target=export.target, **export.details)
    return Response(export.content, content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{export.filename}"'})
