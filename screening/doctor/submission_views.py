"""One submission: the summary page, its PDF, and its JSON and FHIR exports."""

from __future__ import annotations

from datetime import date

from flask import Response
from flask.typing import ResponseReturnValue

from ..export.fhir import questionnaire_resource
from ..export.loading import fhir_bundle_for, plans_for_export
from ..export.submission_json import submission_document, submission_fhir
from ..extensions import db, questionnaire
from . import bp
from .common import audit_access, json_download, or_404
from .pdf import render_pdf
from .roles import CLINICIAN, role
from .submissions import load_submission, load_with_stored_evaluation
from .summary_page import render_summary


@bp.get("/submissions/<int:response_id>")
@role(CLINICIAN)
def summary(response_id: int) -> ResponseReturnValue:
    with db().read() as session:
        html = render_summary(session, response_id, "doctor/summary.html")
    audit_access("summary.viewed", target=f"response:{response_id}")
    return html


@bp.get("/submissions/<int:response_id>/summary.pdf")
@role(CLINICIAN)
def summary_pdf(response_id: int) -> ResponseReturnValue:
    with db().read() as session:
        html = render_summary(session, response_id, "doctor/summary_print.html")
    pdf = render_pdf(html)
    audit_access("summary.exported", target=f"response:{response_id}", format="pdf")
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="ldn-screening-{response_id}.pdf"'})


@bp.get("/submissions/<int:response_id>/export.json")
@role(CLINICIAN)
def export_json(response_id: int) -> ResponseReturnValue:
    with db().read() as session:
        response, evaluation = or_404(load_with_stored_evaluation(session, response_id))
        document = submission_document(response, evaluation, date.today(), plans_for_export(session, response_id))
    audit_access("summary.exported", target=f"response:{response_id}", format="json")
    return json_download(document, f"ldn-screening-{response_id}.json")


@bp.get("/submissions/<int:response_id>/fhir.json")
@role(CLINICIAN)
def export_fhir(response_id: int) -> ResponseReturnValue:
    with db().read() as session:
        document = submission_fhir(questionnaire(), or_404(load_submission(session, response_id)))
    audit_access("summary.exported", target=f"response:{response_id}", format="fhir")
    return json_download(document, f"ldn-screening-{response_id}.fhir.json")


@bp.get("/submissions/<int:response_id>/bundle.fhir.json")
@role(CLINICIAN)
def export_fhir_bundle(response_id: int) -> ResponseReturnValue:
    with db().read() as session:
        document = or_404(fhir_bundle_for(session, questionnaire(), response_id))
    audit_access("summary.exported", target=f"response:{response_id}", format="fhir-bundle")
    return json_download(document, f"ldn-screening-{response_id}.bundle.fhir.json")


@bp.get("/questionnaire.fhir.json")
@role(CLINICIAN)
def export_questionnaire() -> ResponseReturnValue:
    return json_download(questionnaire_resource(questionnaire()), "ldn-screening-questionnaire.fhir.json")
