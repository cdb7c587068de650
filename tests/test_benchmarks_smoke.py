"""The benchmark modules import, the reference apps answer, and the report is built.

No timing is asserted here: `make bench` measures; the tests only keep it runnable.
"""

from __future__ import annotations

import re
from datetime import date

from werkzeug.datastructures import MultiDict

from benchmarks import report
from benchmarks.patient_data import every_page_answers, form_fields
from benchmarks.reference_apps import VALID_POST, form_app, hello_app
from screening.questionnaire import QUESTIONNAIRE


def test_hello_reference_answers():
    response = hello_app().test_client().get("/hello")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "hello"


def test_form_reference_renders_20_fields_validates_and_inserts(tmp_path):
    client = form_app(str(tmp_path / "reference.sqlite3")).test_client()
    html = client.get("/form").get_data(as_text=True)
    assert len(re.findall(r'<div class="field">', html)) == 20
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert token
    assert client.post("/form", data=MultiDict([("csrf_token", token.group(1)), *VALID_POST])).status_code == 302
    assert client.post("/form", data=MultiDict([("csrf_token", token.group(1))])).status_code == 200  # invalid


def test_benchmark_patient_answers_cover_every_page():
    pages = every_page_answers(date(2026, 11, 26))
    assert list(pages) == [page.id for page in QUESTIONNAIRE.pages]
    assert ("conditions", "other") in form_fields(pages["reasons"])


def test_report_is_built_from_partial_results():
    results = report.summarise({
        "started_at": "2026-11-26T00:00:00+00:00", "commit": "abc", "duration_s": 1.0,
        "machine": {"cpus": 2, "python": "3.11", "load_average_at_start": [0.0]},
        "evaluate": {"evaluate_ms_median": 0.5}, "classify": {"error": "benchmarks/classify.py could not run"},
    })
    assert results["targets"]["evaluate_ms_median"]["met"] is True
    assert results["targets"]["classify_ms_median"]["met"] is None
    results["profiles"] = {}
    text = report.markdown(results)
    assert "# LDN screening: benchmark report" in text
    assert "could not run" in text
