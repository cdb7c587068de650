"""The queue of submissions, most urgent first."""

from __future__ import annotations

from flask import render_template, request
from flask.typing import ResponseReturnValue

from ..extensions import db
from . import bp
from . import checkin_views as checkin_views  # the pages the queue's check-in rows link to
from .checkin_list import no_concerns
from .common import date_arg, known_args, page_arg
from .queue import SEVERITY_FILTERS, QueueFilters, load_queue
from .roles import CLINICIAN, role

FILTER_ARGS = ("review", "severity", "from", "to", "q")  # what the page links carry over
NO_CONCERNS_PAGE = "quiet_page"  # the "no concerns" list's own page, beside the queue's


@bp.get("/")
@role(CLINICIAN)
def queue() -> ResponseReturnValue:
    filters = QueueFilters(
        review=request.args.get("review") or None,
        severity=request.args.get("severity") or None,
        appointment_from=date_arg("from"),
        appointment_to=date_arg("to"),
        search=(request.args.get("q") or "").strip()[:64] or None,
        page=page_arg(),
    )
    with db().read() as session:
        page = load_queue(session, filters)
        listed = no_concerns(session, page_arg(NO_CONCERNS_PAGE))
    return render_template("doctor/queue.html", queue=page, filters=filters, no_concerns=listed,
                           severities=list(SEVERITY_FILTERS), args=known_args(FILTER_ARGS),
                           quiet_args=known_args((*FILTER_ARGS, "page")))
