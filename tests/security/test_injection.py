"""T01–T07: whatever a patient types is data, shown as text everywhere a doctor reads it."""

from __future__ import annotations

import io
import json

import pytest
from markupsafe import escape
from pypdf import PdfReader

XSS = [
    "<script>alert(document.domain)</script>",                 # T01
    '" autofocus onfocus=alert(1) x="',                         # T02
    '"><svg/onload=prompt(/x/)>',                               # T02
    "<img src=x onerror=alert(1)>",                             # T03
    "<ScRiPt>alert(1)</ScRiPt>",                                # T03
    '<iframe srcdoc="<script>alert(1)</script>">',              # T03
    "javascript:alert(1)",                                      # T04
    "{{7*7}}{{config.items()}}",                                # T05
    "__import__('os').system('id')",                            # T06
    "' OR '1'='1' --",                                          # T07
]


@pytest.fixture
def hostile_submission(submit):
    def make(payload: str) -> int:
        return submit("PT-XSS", {
            "other_conditions": payload, "main_goal": payload, "takes_medications": "yes",
            "medications": [{"name": payload[:120], "how_often": "daily", "last_taken": None}],
        })
    return make


@pytest.mark.parametrize("payload", XSS)
def test_summary_shows_hostile_text_as_text(doctor, hostile_submission, payload):
    html = doctor.get(f"/doctor/submissions/{hostile_submission(payload)}").get_data(as_text=True)
    assert str(escape(payload)) in html                     # shown, as text
    if any(ch in payload for ch in "<>\"'"):
        assert payload not in html                          # never as markup
    assert 'href="javascript:' not in html


@pytest.mark.parametrize("payload", XSS[:4])
def test_pdf_and_exports_carry_hostile_text_verbatim_as_data(doctor, hostile_submission, payload):
    response_id = hostile_submission(payload)
    exported = json.loads(doctor.get(f"/doctor/submissions/{response_id}/export.json").data)
    assert exported["answers"]["other_conditions"] == payload          # stored verbatim
    fhir = doctor.get(f"/doctor/submissions/{response_id}/fhir.json").get_data(as_text=True)
    assert json.loads(fhir)["resourceType"] == "QuestionnaireResponse"
    pdf = doctor.get(f"/doctor/submissions/{response_id}/summary.pdf").data
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).replace("\x00", "")
    assert "alert" in text or "prompt" in text  # rendered as visible text, not as markup


def test_template_syntax_is_not_evaluated_on_the_check_page(patient):
    from tests.patient.pages import TYPICAL_PAGES, typical_until

    patient.fill(typical_until("reasons"))
    patient.fill({"reasons": {**TYPICAL_PAGES["reasons"], "main_goal": "{{7*7}} {{config}}"}})
    html = patient.get("/questionnaire/page/reasons").get_data(as_text=True)
    assert "{{7*7}} {{config}}" in html and "SECRET_KEY" not in html


@pytest.mark.parametrize("path", [
    "/i/' OR '1'='1",
    "/i/%27%20OR%20%271%27=%271",
    "/i/1;DROP TABLE invitation--",
])
def test_sql_in_the_token_gets_the_plain_invalid_link_page(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "This link is not valid" in response.get_data(as_text=True)


@pytest.mark.parametrize("query, listed", [
    ("q=' OR 1=1 --", False),                      # searched for literally: no match
    ("q=%25", False),                              # % is a character, not a wildcard
    ("q=_", False),
    ("severity=critical' OR '1'='1", True),        # not an allowed value: the filter is ignored
    ("review=new;DROP TABLE doctor", True),
])
def test_queue_filters_are_parameters_not_sql(doctor, submit, query, listed):
    submit("PT-1")
    response = doctor.get(f"/doctor/?{query}")
    assert response.status_code == 200
    assert ("PT-1" in response.get_data(as_text=True)) is listed
    assert doctor.get("/doctor/").status_code == 200  # tables intact


def test_rules_treat_hostile_text_as_data(doctor, hostile_submission):
    html = doctor.get(f"/doctor/submissions/{hostile_submission(XSS[8])}").get_data(as_text=True)
    assert 'id="flag-MED-01"' in html  # an unrecognised "medicine": listed, never executed
