"""The JSON and FHIR exports of a submission, and their audit events (the audit page itself:
test_audit_page.py)."""

from __future__ import annotations

import json
import sqlite3
from datetime import date

import pytest
from fhir.resources.R4B.bundle import Bundle as FhirBundle
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse as FhirResponse
from sqlalchemy import select

from screening.doctor import common, submission_views, summary_page
from screening.models import AuditEvent


def test_json_export_has_answers_flags_and_versions(app, doctor, submit):
    response_id = submit("PT-JSON", {"kidney_disease": "severe"})
    response = doctor.get(f"/doctor/submissions/{response_id}/export.json")
    document = json.loads(response.data)
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert document["patient_ref"] == "PT-JSON"
    assert document["answers"]["kidney_disease"] == "severe"
    assert [f["rule_id"] for f in document["evaluation"]["flags"]] == ["REN-01"]
    assert document["evaluation"]["ruleset_version"] and document["questionnaire_version"]


def test_fhir_export_validates_as_a_questionnaire_response(doctor, submit):
    response_id = submit("PT-FHIR")
    document = json.loads(doctor.get(f"/doctor/submissions/{response_id}/fhir.json").data)
    resource = FhirResponse.model_validate(document)
    assert resource.status == "completed"


def test_the_json_export_carries_the_header_of_numbers(doctor, submit):
    response_id = submit("PT-NUM", {"kidney_disease": "severe"})
    numbers = json.loads(doctor.get(f"/doctor/submissions/{response_id}/export.json").data)["numbers"]
    assert [score["key"] for score in numbers["scores"]] == ["phq9", "phq2", "gad2", "audit_c"]
    assert numbers["today"] == date.today().isoformat()


def test_the_fhir_bundle_downloads_from_the_summary_and_validates(doctor, submit):
    response_id = submit("PT-BUNDLE", {"kidney_disease": "severe"})
    summary = doctor.get(f"/doctor/submissions/{response_id}").get_data(as_text=True)
    link = f"/doctor/submissions/{response_id}/bundle.fhir.json"
    assert f'href="{link}"' in summary
    download = doctor.get(link)
    assert download.headers["Content-Disposition"] == \
        f'attachment; filename="ldn-screening-{response_id}.bundle.fhir.json"'
    bundle = FhirBundle.model_validate(json.loads(download.data))
    kinds = [entry.resource.get_resource_type() for entry in bundle.entry]
    assert kinds[0] == "QuestionnaireResponse" and "DetectedIssue" in kinds and "Observation" in kinds


def test_exports_are_audited(app, doctor, submit):
    response_id = submit()
    for path in ("export.json", "fhir.json", "bundle.fhir.json", "summary.pdf"):
        doctor.get(f"/doctor/submissions/{response_id}/{path}")
    with app.extensions["db"].read() as session:
        formats = [e.details["format"] for e in session.scalars(
            select(AuditEvent).where(AuditEvent.action == "summary.exported"))]
    assert sorted(formats) == ["fhir", "fhir-bundle", "json", "pdf"]


def test_fhir_commands(app, submit):
    response_id = submit("PT-CLI")
    runner = app.test_cli_runner()
    questionnaire = runner.invoke(args=["fhir-questionnaire"])
    assert questionnaire.exit_code == 0 and json.loads(questionnaire.output)["resourceType"] == "Questionnaire"
    response = runner.invoke(args=["fhir-response", str(response_id)])
    assert response.exit_code == 0 and json.loads(response.output)["resourceType"] == "QuestionnaireResponse"
    missing = runner.invoke(args=["fhir-response", "999"])
    assert missing.exit_code != 0 and "no submitted questionnaire" in missing.output


DOCTOR_READS = ["", "/export.json", "/fhir.json", "/bundle.fhir.json", "/summary.pdf"]


@pytest.mark.parametrize("suffix", DOCTOR_READS)
def test_nothing_is_shown_unless_its_audit_event_is_recorded(doctor, submit, monkeypatch, suffix):
    response_id = submit("PT-NOAUDIT")

    def audit_store_down(*_args, **_kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(common, "record_audit", audit_store_down)
    response = doctor.get(f"/doctor/submissions/{response_id}{suffix}")
    assert response.status_code == 500
    assert "Content-Disposition" not in response.headers
    assert b"PT-NOAUDIT" not in response.data


@pytest.mark.sqlite_only
@pytest.mark.parametrize(("suffix", "module", "step"), [
    ("", summary_page, "build_summary"), ("/summary.pdf", summary_page, "build_summary"),
    ("/export.json", submission_views, "load_with_stored_evaluation"),
    ("/fhir.json", submission_views, "load_submission"),
])
def test_a_patient_can_save_while_a_doctor_page_is_built(app, doctor, submit, monkeypatch, suffix, module, step):
    """Reading and rendering hold no SQLite write lock, so they never make a patient wait."""
    response_id = submit("PT-LOCK")
    path = app.extensions["db"].engine.url.database
    real_step = getattr(module, step)
    writes: list[str] = []

    def step_then_write_elsewhere(*args):
        result = real_step(*args)
        other = sqlite3.connect(path, timeout=0, isolation_level=None)  # a patient's worker, not waiting
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            writes.append("ok")
        finally:
            other.close()
        return result

    monkeypatch.setattr(module, step, step_then_write_elsewhere)
    assert doctor.get(f"/doctor/submissions/{response_id}{suffix}").status_code == 200
    assert writes == ["ok"]
