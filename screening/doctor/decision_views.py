"""Deciding on a submission: accept or override a flag, mark it reviewed, re-evaluate it.

Each action reports back on the summary page with a flashed message of fixed text: the
redirect carries nothing a link could plant text through.
"""

from __future__ import annotations

import re

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from ..evaluations import store_evaluation, stored_flags
from ..extensions import db
from . import bp
from .common import audit, audit_access, doctor_id, or_404
from .decisions import Conflict, DecisionInput, decide_flag, mark_reviewed
from .forms import DecisionDraft, DecisionForm, EmptyForm, ReviewForm, first_error, required
from .reevaluation import diff_flags
from .roles import CLINICIAN, role
from .submissions import load_reevaluation, load_submission, load_with_stored_evaluation
from .summary_page import render_summary

DECIDED = {"accepted": "Flag accepted.", "overridden": "Flag overridden."}
FLAG_CONFLICT = "Another doctor changed this flag first. Here is their decision; decide again if needed."
REVIEWED = "Marked as reviewed."
REVIEW_CONFLICT = "Another doctor reviewed this first. Their note is shown below."
TRY_AGAIN = "Please try again"


def _back_to_summary(response_id: int, message: str, anchor: str = "") -> ResponseReturnValue:
    flash(message)
    return redirect(url_for("doctor.summary", response_id=response_id) + anchor)


# A rule ID as the rules name them (OPI-01, DATA-01). Checked before anything else, so no
# CR/LF or other text from the path reaches a redirect's Location header.
RULE_ID = re.compile(r"[A-Z]{2,10}-[0-9]{1,4}")


@bp.post("/submissions/<int:response_id>/flags/<rule_id>")
@role(CLINICIAN)
def decide(response_id: int, rule_id: str) -> ResponseReturnValue:
    if not RULE_ID.fullmatch(rule_id):
        abort(404)
    form = DecisionForm()
    anchor = f"#flag-{rule_id}"
    if not form.validate_on_submit():
        draft = DecisionDraft.from_form(rule_id, form)
        if not draft.errors:  # a stale page or a missing token: nothing the doctor can fix in the form
            return _back_to_summary(response_id, first_error(form) or TRY_AGAIN, anchor)
        with db().read() as session:
            return render_summary(session, response_id, "doctor/summary.html", draft=draft), 400
    with db().write() as session:
        _response, evaluation = or_404(load_with_stored_evaluation(session, response_id))
        if rule_id not in {flag.rule_id for flag in stored_flags(evaluation)}:
            abort(404)
        choice = DecisionInput(rule_id, required(form.decision.data), form.reason_code.data,
                               form.reason_text.data, required(form.version.data))
        try:
            decide_flag(session, evaluation.id, doctor_id(), choice)
        except Conflict:
            message = FLAG_CONFLICT
        else:
            audit(session, f"flag.{form.decision.data}", target=f"response:{response_id}", rule_id=rule_id,
                  reason_code=choice.reason_code)
            message = DECIDED[choice.decision]
    return _back_to_summary(response_id, message, anchor)


@bp.post("/submissions/<int:response_id>/review")
@role(CLINICIAN)
def review(response_id: int) -> ResponseReturnValue:
    form = ReviewForm()
    if not form.validate_on_submit():
        return _back_to_summary(response_id, first_error(form) or TRY_AGAIN)
    with db().write() as session:
        or_404(load_submission(session, response_id))
        try:
            mark_reviewed(session, response_id, doctor_id(), form.note.data, required(form.version.data))
        except Conflict:
            message = REVIEW_CONFLICT
        else:
            audit(session, "submission.reviewed", target=f"response:{response_id}")
            message = REVIEWED
    return _back_to_summary(response_id, message)


@bp.post("/submissions/<int:response_id>/reevaluate")
@role(CLINICIAN)
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
@role(CLINICIAN)
def reevaluation(response_id: int, evaluation_id: int) -> ResponseReturnValue:
    with db().read() as session:
        response, stored = or_404(load_with_stored_evaluation(session, response_id))
        fresh = or_404(load_reevaluation(session, response.id, evaluation_id))
        diff = diff_flags(stored_flags(stored), stored_flags(fresh))
        html = render_template("doctor/reevaluation.html", response=response, stored=stored, fresh=fresh, diff=diff)
    audit_access("reevaluation.viewed", target=f"response:{response_id}", evaluation_id=evaluation_id)
    return html
