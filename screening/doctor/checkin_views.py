"""Check-ins, the doctor's pages: one check-in, a plan's symptom trend, marking reviewed.

Each action reports back with a flashed message of fixed text (counts aside): the
redirect carries nothing a link could plant text through.
"""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from ..extensions import db
from ..models import utcnow
from . import bp
from .checkin_forms import BulkReviewForm, CheckinReviewForm
from .checkin_list import ReviewConflict, load_checkin, load_plan_for_trend, mark_reviewed, review_without_flags
from .checkin_summary import build_checkin_view
from .checkin_trend import trend_section
from .common import audit, audit_access, doctor_id, or_404
from .forms import first_error, required
from .roles import CLINICIAN, role

REVIEWED = "Check-in marked as reviewed."
REVIEW_CONFLICT = "Another doctor reviewed this check-in first."
TRY_AGAIN = "Please try again"
NONE_SELECTED = "Select at least one check-in to mark as reviewed."


def _count(number: int, what: str = "check-in") -> str:
    return f"{number} {what}{'' if number == 1 else 's'}"


@bp.get("/checkins/<int:checkin_id>")
@role(CLINICIAN)
def checkin_summary(checkin_id: int) -> ResponseReturnValue:
    with db().read() as session:
        checkin, reviewer = or_404(load_checkin(session, checkin_id))
        view = build_checkin_view(checkin, reviewer, date.today(), utcnow())
        html = render_template("doctor/checkin.html", checkin=view)
    audit_access("checkin.viewed", target=f"response:{view.response_id}", checkin_id=checkin_id)
    return html


@bp.post("/checkins/<int:checkin_id>/review")
@role(CLINICIAN)
def checkin_review(checkin_id: int) -> ResponseReturnValue:
    form = CheckinReviewForm()
    back = redirect(url_for("doctor.checkin_summary", checkin_id=checkin_id))
    if not form.validate_on_submit():
        flash(first_error(form) or TRY_AGAIN)
        return back
    with db().write() as session:
        try:
            response_id = mark_reviewed(session, checkin_id, doctor_id(), required(form.version.data))
        except LookupError:
            abort(404)
        except ReviewConflict:
            message = REVIEW_CONFLICT
        else:
            audit(session, "checkin.reviewed", target=f"response:{response_id}", checkin_id=checkin_id)
            message = REVIEWED
    flash(message)
    return back


@bp.post("/checkins/review")
@role(CLINICIAN)
def checkins_review_bulk() -> ResponseReturnValue:
    """Mark the selected "no concerns" check-ins reviewed; flagged ones are refused."""
    form = BulkReviewForm()
    back = redirect(url_for("doctor.queue") + "#no-concerns")
    if not form.validate_on_submit():
        flash(first_error(form) or TRY_AGAIN)
        return back
    if not form.checkin.data:
        flash(NONE_SELECTED)
        return back
    with db().write() as session:
        done = review_without_flags(session, form.checkin.data, doctor_id())
        for checkin_id, response_id in done.reviewed:
            audit(session, "checkin.reviewed", target=f"response:{response_id}", checkin_id=checkin_id, in_bulk=True)
    if done.reviewed or not (done.flagged or done.skipped):
        flash(f"Marked {_count(len(done.reviewed))} as reviewed.")
    if done.flagged:
        flash(f"Not marked: {_count(done.flagged)} with flags. Open each one to review it.", "warning")
    if done.skipped:
        flash(f"Not marked: {_count(done.skipped)} already reviewed or not sent.")
    return back


@bp.get("/plans/<int:plan_id>/trend")
@role(CLINICIAN)
def plan_trend(plan_id: int) -> ResponseReturnValue:
    with db().read() as session:
        plan = or_404(load_plan_for_trend(session, plan_id))
        section = trend_section(plan, date.today(), utcnow())
        html = render_template("doctor/checkin_trend.html", trend=section)
    audit_access("plan.trend_viewed", target=f"response:{section.response_id}", plan_id=plan_id)
    return html
