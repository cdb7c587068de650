"""Deciding on a submission: accept or override a flag, mark it reviewed, re-evaluate it."""

from __future__ import annotations

from flask import abort, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from ..evaluations import store_evaluation, stored_flags
from ..extensions import db
from . import bp
from .common import audit, audit_access, doctor_id, or_404
from .decisions import Conflict, DecisionInput, decide_flag, mark_reviewed
from .forms import DecisionForm, EmptyForm, ReviewForm, first_error, required
from .reevaluation import diff_flags
from .submissions import load_reevaluation, load_submission, load_with_stored_evaluation


@bp.post("/submissions/<int:response_id>/flags/<rule_id>")
def decide(response_id: int, rule_id: str) -> ResponseReturnValue:
    form = DecisionForm()
    if not form.validate_on_submit():
        return redirect(url_for("doctor.summary", response_id=response_id,
                                message=first_error(form) or "Please try again") + f"#flag-{rule_id}")
    with db().write() as session:
        _response, evaluation = or_404(load_with_stored_evaluation(session, response_id))
        if rule_id not in {flag.rule_id for flag in stored_flags(evaluation)}:
            abort(404)
        choice = DecisionInput(rule_id, required(form.decision.data), form.reason_code.data,
                               form.reason_text.data, required(form.version.data))
        try:
            decide_flag(session, evaluation.id, doctor_id(), choice)
        except Conflict:
            message = "Another doctor changed this flag first. Here is their decision; decide again if needed."
        else:
            audit(session, f"flag.{form.decision.data}", target=f"response:{response_id}", rule_id=rule_id,
                  reason_code=choice.reason_code)
            message = f"{rule_id} {form.decision.data}."
    return redirect(url_for("doctor.summary", response_id=response_id, message=message) + f"#flag-{rule_id}")


@bp.post("/submissions/<int:response_id>/review")
def review(response_id: int) -> ResponseReturnValue:
    form = ReviewForm()
    if not form.validate_on_submit():
        return redirect(url_for("doctor.summary", response_id=response_id,
                                message=first_error(form) or "Please try again"))
    with db().write() as session:
        or_404(load_submission(session, response_id))
        try:
            mark_reviewed(session, response_id, doctor_id(), form.note.data, required(form.version.data))
        except Conflict:
            message = "Another doctor reviewed this first. Their note is shown below."
        else:
            audit(session, "submission.reviewed", target=f"response:{response_id}")
            message = "Marked as reviewed."
    return redirect(url_for("doctor.summary", response_id=response_id, message=message))


@bp.post("/submissions/<int:response_id>/reevaluate")
def reevaluate(response_id: int) -> ResponseReturnValue:
    if not EmptyForm().validate_on_submit():
        abort(400)
    with db().write() as session:
        response = or_404(load_submission(session, response_id))
        fresh = store_evaluation(session, response, kind="reevaluation")
        audit(session, "submission.reevaluated", target=f"response:{response_id}", evaluation_id=fresh.id)
        evaluation_id = fresh.id
    return redirect(url_for("doctor.reevaluation", response_id=response_id, evaluation_id=evaluation_id))


@bp.get("/submissions/<int:response_id>/evaluations/<int:evaluation_id>")
def reevaluation(response_id: int, evaluation_id: int) -> ResponseReturnValue:
    with db().read() as session:
        response, stored = or_404(load_with_stored_evaluation(session, response_id))
        fresh = or_404(load_reevaluation(session, response.id, evaluation_id))
        diff = diff_flags(stored_flags(stored), stored_flags(fresh))
        html = render_template("doctor/reevaluation.html", response=response, stored=stored, fresh=fresh, diff=diff)
    audit_access("reevaluation.viewed", target=f"response:{response_id}", evaluation_id=evaluation_id)
    return html
