"""One submission: the summary page, its PDF and exports, decisions and re-evaluation."""

from __future__ import annotations

import json
from typing import Any

from flask import Response, abort, redirect, render_template, request, url_for
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, joinedload

from ..decisions import OVERRIDE_REASONS, Conflict, DecisionInput, current_decisions, decide_flag, mark_reviewed
from ..evaluations import store_evaluation
from ..export.fhir import questionnaire_resource
from ..export.submission_json import submission_document, submission_fhir
from ..forms.doctor import DecisionForm, EmptyForm, ReviewForm, first_error
from ..models import Evaluation, QuestionnaireResponse
from ..pdf import render_pdf
from ..reevaluation import diff_flags
from ..summary import build_summary
from . import bp
from .common import audit, audit_access, db, doctor_id, questionnaire

# Built once: the submitted response with its invitation, in one query.
_SUBMISSION = (
    select(QuestionnaireResponse)
    .options(joinedload(QuestionnaireResponse.invitation))
    .where(QuestionnaireResponse.id == bindparam("response_id"), QuestionnaireResponse.submitted.is_(True))
)
# The same with the evaluation made at submit (what the summary shows, exactly as
# computed), still one query: each page view on PostgreSQL pays per round trip.
_SUBMISSION_AND_STORED_EVALUATION = (
    _SUBMISSION.add_columns(Evaluation)
    .join(Evaluation, (Evaluation.response_id == QuestionnaireResponse.id) & (Evaluation.kind == "submission"))
    .order_by(Evaluation.id)
    .limit(1)
)


def _submission(s: Session, response_id: int) -> QuestionnaireResponse:
    response = s.scalar(_SUBMISSION, {"response_id": response_id})
    if response is None:
        abort(404)
    return response


def _submission_and_stored_evaluation(s: Session, response_id: int) -> tuple[QuestionnaireResponse, Evaluation]:
    found = s.execute(_SUBMISSION_AND_STORED_EVALUATION, {"response_id": response_id}).one_or_none()
    if found is None:
        abort(404)
    response, evaluation = found
    return response, evaluation


def _render_summary(s: Session, response_id: int, template: str, **extra: Any) -> str:
    response, evaluation = _submission_and_stored_evaluation(s, response_id)
    view = build_summary(questionnaire(), response, evaluation, current_decisions(s, evaluation.id))
    return render_template(template, summary=view, reasons=OVERRIDE_REASONS, **extra)


@bp.get("/submissions/<int:response_id>")
def summary(response_id: int) -> Any:
    with db().read() as s:
        html = _render_summary(s, response_id, "doctor/summary.html", message=request.args.get("message"))
    audit_access("summary.viewed", target=f"response:{response_id}")
    return html


@bp.get("/submissions/<int:response_id>/summary.pdf")
def summary_pdf(response_id: int) -> Any:
    with db().read() as s:
        html = _render_summary(s, response_id, "doctor/summary_print.html")
    pdf = render_pdf(html)
    audit_access("summary.exported", target=f"response:{response_id}", format="pdf")
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="ldn-screening-{response_id}.pdf"'})


def _json_download(document: Any, filename: str) -> Response:
    return Response(json.dumps(document, indent=2, ensure_ascii=False), mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.get("/submissions/<int:response_id>/export.json")
def export_json(response_id: int) -> Any:
    with db().read() as s:
        document = submission_document(*_submission_and_stored_evaluation(s, response_id))
    audit_access("summary.exported", target=f"response:{response_id}", format="json")
    return _json_download(document, f"ldn-screening-{response_id}.json")


@bp.get("/submissions/<int:response_id>/fhir.json")
def export_fhir(response_id: int) -> Any:
    with db().read() as s:
        response = _submission(s, response_id)
        document = submission_fhir(questionnaire(), response)
    audit_access("summary.exported", target=f"response:{response_id}", format="fhir")
    return _json_download(document, f"ldn-screening-{response_id}.fhir.json")


@bp.get("/questionnaire.fhir.json")
def export_questionnaire() -> Any:
    return _json_download(questionnaire_resource(questionnaire()), "ldn-screening-questionnaire.fhir.json")


@bp.post("/submissions/<int:response_id>/flags/<rule_id>")
def decide(response_id: int, rule_id: str) -> Any:
    form = DecisionForm()
    if not form.validate_on_submit():
        return redirect(url_for("doctor.summary", response_id=response_id,
                                message=first_error(form) or "Please try again") + f"#flag-{rule_id}")
    with db().write() as s:
        _response, evaluation = _submission_and_stored_evaluation(s, response_id)
        if rule_id not in {flag["rule_id"] for flag in evaluation.flags}:
            abort(404)
        choice = DecisionInput(rule_id, form.decision.data, form.reason_code.data,
                               form.reason_text.data, form.version.data)
        try:
            decide_flag(s, evaluation.id, doctor_id(), choice)
        except Conflict:
            message = "Another doctor changed this flag first. Here is their decision; decide again if needed."
        else:
            audit(s, f"flag.{form.decision.data}", target=f"response:{response_id}", rule_id=rule_id,
                  reason_code=choice.reason_code)
            message = f"{rule_id} {form.decision.data}."
    return redirect(url_for("doctor.summary", response_id=response_id, message=message) + f"#flag-{rule_id}")


@bp.post("/submissions/<int:response_id>/review")
def review(response_id: int) -> Any:
    form = ReviewForm()
    if not form.validate_on_submit():
        return redirect(url_for("doctor.summary", response_id=response_id,
                                message=first_error(form) or "Please try again"))
    with db().write() as s:
        _submission(s, response_id)
        try:
            mark_reviewed(s, response_id, doctor_id(), form.note.data, form.version.data)
        except Conflict:
            message = "Another doctor reviewed this first. Their note is shown below."
        else:
            audit(s, "submission.reviewed", target=f"response:{response_id}")
            message = "Marked as reviewed."
    return redirect(url_for("doctor.summary", response_id=response_id, message=message))


@bp.post("/submissions/<int:response_id>/reevaluate")
def reevaluate(response_id: int) -> Any:
    if not EmptyForm().validate_on_submit():
        abort(400)
    with db().write() as s:
        response = _submission(s, response_id)
        fresh = store_evaluation(s, response, kind="reevaluation")
        audit(s, "submission.reevaluated", target=f"response:{response_id}", evaluation_id=fresh.id)
        evaluation_id = fresh.id
    return redirect(url_for("doctor.reevaluation", response_id=response_id, evaluation_id=evaluation_id))


@bp.get("/submissions/<int:response_id>/evaluations/<int:evaluation_id>")
def reevaluation(response_id: int, evaluation_id: int) -> Any:
    with db().read() as s:
        response, stored = _submission_and_stored_evaluation(s, response_id)
        fresh = s.get(Evaluation, evaluation_id)
        if fresh is None or fresh.response_id != response.id or fresh.kind != "reevaluation":
            abort(404)
        diff = diff_flags(stored.flags, fresh.flags)
        html = render_template("doctor/reevaluation.html", response=response, stored=stored, fresh=fresh, diff=diff)
    audit_access("reevaluation.viewed", target=f"response:{response_id}", evaluation_id=evaluation_id)
    return html
