"""The one-page summary: header, earliest start, flags with their reasons, medicines, answers, chart."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from screening.models import AuditEvent
from tests.doctor_fixtures import statements_during

AS_OF = date.today() + timedelta(days=7)
THREE_SEVERITIES = {
    "takes_medications": "yes",
    "medications": [
        {"name": "Tylenol #3", "how_often": "as_needed", "last_taken": (date.today() - timedelta(days=2)).isoformat()},
        {"name": "Zorblax herbal drops", "how_often": "daily", "last_taken": None},
    ],
    "kidney_disease": "severe",
    "pain_average": 8, "fatigue": 6, "brain_fog": 3,
}


@pytest.fixture
def summary_html(doctor, submit) -> str:
    response_id = submit("PT-3SEV", THREE_SEVERITIES, AS_OF)
    return doctor.get(f"/doctor/submissions/{response_id}").get_data(as_text=True)


def test_header(summary_html):
    assert "PT-3SEV" in summary_html
    assert "<dt>Age</dt><dd>51</dd>" in summary_html or "<dt>Age</dt><dd>50</dd>" in summary_html
    assert "Female" in summary_html
    assert AS_OF.isoformat() in summary_html
    assert "Questionnaire</dt><dd>version 2026.11.1" in summary_html
    assert "Ruleset</dt><dd>version" in summary_html


def test_current_opioid_use_blocks_the_start_date(summary_html):
    assert "Not until current opioid use stops" in summary_html


def test_flags_come_first_grouped_by_severity(summary_html):
    critical = summary_html.index("Critical: do not start yet")
    warning = summary_html.index("Warning: review")
    info = summary_html.index("Note (")
    medicines = summary_html.index('id="medicines-heading"')
    assert critical < warning < info < medicines


def test_each_flag_explains_itself(summary_html):
    flag = summary_html.split('id="flag-OPI-01"')[1].split("</article>")[0]
    assert "Tylenol #3" in flag                               # the patient's own entry
    assert "Medicines listed" in flag                          # the evidence, labelled
    assert 'class="flag__rationale"' in flag
    assert "Source: <a href=\"http" in flag
    kidney = summary_html.split('id="flag-REN-01"')[1].split("</article>")[0]
    assert "Has a doctor told you that your kidneys do not work well?" in kidney
    assert "Yes, badly" in kidney


def test_medicines_show_their_class_and_unknown_ones_stand_out(summary_html):
    table = summary_html.split('id="medicines-heading"')[1].split("</table>")[0]
    assert "short-acting opioid" in table
    assert 'class="unknown-medicine"' in table and "Zorblax herbal drops" in table
    assert "Not recognised: check it" in table


def test_answers_list_only_shown_questions(summary_html):
    answers = summary_html.split('id="answers-heading"')[1]
    assert "What is your date of birth?" in answers
    assert "When did you last take one?" not in answers  # opioid_recent was "no"


def test_symptom_baseline_is_an_svg_chart(summary_html):
    chart = summary_html.split('id="baseline-heading"')[1]
    assert "<svg" in chart and "8/10" in chart and "Brain fog" in chart


def test_viewing_a_summary_is_audited(app, doctor, submit):
    response_id = submit()
    doctor.get(f"/doctor/submissions/{response_id}")
    with app.extensions["db"].read() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "summary.viewed")).one()
    assert event.target == f"response:{response_id}" and event.actor.startswith("doctor:")
    assert event.remote_addr


def test_summary_query_count_does_not_grow_with_decided_flags(app, doctor, make_doctor, submit):
    response_id = submit("PT-N1", THREE_SEVERITIES, AS_OF)
    page = f"/doctor/submissions/{response_id}"
    undecided = statements_during(app, lambda: doctor.get(page))
    rule_ids = re.findall(r'<article class="flag flag--\w+" id="flag-([A-Z0-9-]+)"',
                          doctor.get(page).get_data(as_text=True))
    assert len(rule_ids) >= 3
    for rule_id in rule_ids:
        doctor.post(f"{page}/flags/{rule_id}", {"decision": "accepted", "version": "0"})
    html = doctor.get(page).get_data(as_text=True)
    assert html.count("<strong>Accepted</strong> by dr.who@clinic.example") == len(rule_ids)
    assert len(statements_during(app, lambda: doctor.get(page))) == len(undecided)


def test_unknown_or_unsubmitted_ids_are_not_found(doctor, patient):
    assert doctor.get("/doctor/submissions/999").status_code == 404
    assert doctor.get("/doctor/submissions/1").status_code == 404  # the patient's, not submitted


def test_pdf_download_contains_the_flags(doctor, submit):
    from pypdf import PdfReader

    response_id = submit("PT-PDF", THREE_SEVERITIES, AS_OF)
    response = doctor.get(f"/doctor/submissions/{response_id}/summary.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    pages = PdfReader(io.BytesIO(response.data)).pages
    text = " ".join(page.extract_text() for page in pages).replace("\x00", "")  # some runs come out as UTF-16
    assert "PT-PDF" in text
    for rule_id in ("OPI-01", "REN-01", "MED-01"):
        assert rule_id in text


def test_print_stylesheet_hides_the_controls(doctor):
    css = doctor.get("/static/app.css").get_data(as_text=True)
    assert "@media print" in css and ".no-print" in css


# --- the medicine table shows the classes that were evaluated ---------------------------

def _stored_medicines(app, response_id: int, medicines) -> None:
    """Rewrite what the submit-time evaluation recorded, as if an older lexicon had read it."""
    from screening.models import StoredEvaluation

    with app.extensions["db"].write() as session:
        evaluation = session.scalars(select(StoredEvaluation).where(
            StoredEvaluation.response_id == response_id, StoredEvaluation.kind == "submission")).one()
        evaluation.medicines = medicines


def _medicine_row(html: str, name: str) -> str:
    return next(row for row in html.split("<tr") if name in row and 'data-label="Recognised as"' in row)


def test_submit_records_each_medicine_as_the_rules_read_it(app, submit):
    from screening.models import StoredEvaluation

    response_id = submit("PT-MEDS", THREE_SEVERITIES, AS_OF)
    with app.extensions["db"].read() as session:
        stored = session.scalars(select(StoredEvaluation).where(StoredEvaluation.response_id == response_id)).one()
    assert [(m["name"], m["class"]) for m in stored.medicines] == [
        ("Tylenol #3", "opioid/short"), ("Zorblax herbal drops", "unknown")]
    assert "codeine" in stored.medicines[0]["ingredients"]


def test_the_summary_shows_the_stored_class_not_todays_reading(app, doctor, submit):
    response_id = submit("PT-OLDLEX", THREE_SEVERITIES, AS_OF)
    _stored_medicines(app, response_id, [
        {"name": "Tylenol #3", "class": "opioid/short", "matched": "Tylenol #3", "ingredients": ["codeine"]},
        {"name": "Zorblax herbal drops", "class": "other", "matched": "Zorblax (an older lexicon's entry)",
         "ingredients": []},
    ])
    html = doctor.get(f"/doctor/submissions/{response_id}").get_data(as_text=True)
    row = _medicine_row(html, "Zorblax herbal drops")
    assert "Zorblax (an older lexicon&#39;s entry)" in row and "(no known LDN concern)" in row
    assert "Not recognised" not in row


def test_an_evaluation_stored_before_classes_were_kept_says_so(app, doctor, submit):
    response_id = submit("PT-LEGACY", THREE_SEVERITIES, AS_OF)
    _stored_medicines(app, response_id, None)
    html = doctor.get(f"/doctor/submissions/{response_id}").get_data(as_text=True)
    assert "Not recorded when this was evaluated" in _medicine_row(html, "Tylenol #3")


def test_a_reevaluation_records_its_own_reading(app, doctor, submit):
    from screening.models import StoredEvaluation

    response_id = submit("PT-REMEDS", THREE_SEVERITIES, AS_OF)
    _stored_medicines(app, response_id, [])
    doctor.post(f"/doctor/submissions/{response_id}/reevaluate")
    with app.extensions["db"].read() as session:
        fresh = session.scalars(select(StoredEvaluation).where(
            StoredEvaluation.response_id == response_id, StoredEvaluation.kind == "reevaluation")).one()
    assert [m["class"] for m in fresh.medicines] == ["opioid/short", "unknown"]


# --- the patient's own answer on an unrecognised medicine ---------------------------------

@pytest.mark.parametrize(("answer", "words", "flag"), [
    ("unsure", "the patient answered “I&#39;m not sure”", "MED-02"),
    ("yes", "the patient answered “Yes”; read as long-acting opioid", "OPI-01"),
    ("no", "the patient answered “No”", "MED-01"),
])
def test_the_summary_shows_the_patients_answer_on_an_unrecognised_medicine(doctor, submit, answer, words, flag):
    meds = [{"name": "Qzxwv drops", "how_often": "daily", "last_taken": None, "contains_opioid": answer}]
    response_id = submit("PT-ASKED", {"takes_medications": "yes", "medications": meds}, AS_OF)
    html = doctor.get(f"/doctor/submissions/{response_id}").get_data(as_text=True)
    row = _medicine_row(html, "Qzxwv drops")
    assert "Not recognised: check it" in row and words in row
    evidence = html.split(f'id="flag-{flag}"')[1].split("</article>")[0]
    assert "Qzxwv drops" in evidence


def test_the_fhir_response_carries_the_patients_answer(doctor, submit):
    import json

    meds = [{"name": "Qzxwv drops", "how_often": "daily", "last_taken": None, "contains_opioid": "unsure"}]
    response_id = submit("PT-FHIR-ASKED", {"takes_medications": "yes", "medications": meds}, AS_OF)
    resource = json.loads(doctor.get(f"/doctor/submissions/{response_id}/fhir.json").get_data(as_text=True))
    text = json.dumps(resource)
    assert '"linkId": "medications.contains_opioid"' in text
    assert '"code": "unsure"' in text
