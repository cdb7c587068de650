"""The benchmark modules import, the reference apps answer, and the report is built.

No timing is asserted here: `make bench` measures; the tests only keep it runnable.
"""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import create_engine, select
from werkzeug.datastructures import MultiDict

from benchmarks import doctor_pages, report
from benchmarks.http_pages import CHECK_ROW, CHECKIN, SCREENING, profile_page, selected_pages
from benchmarks.patient_data import every_checkin_page_answers, every_page_answers, form_fields
from benchmarks.reference_apps import VALID_POST, form_app, hello_app
from benchmarks.seed import variants
from benchmarks.seed_followup import THE_PLAN_DAYS
from screening.models import CheckIn
from screening.questionnaire import CHECKIN_QUESTIONNAIRE, QUESTIONNAIRE


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


def test_benchmark_checkin_answers_cover_every_checkin_page():
    pages = every_checkin_page_answers(date(2026, 11, 26))
    assert list(pages) == [page.id for page in CHECKIN_QUESTIONNAIRE.pages]
    assert ("ci_medications-1-name", "Qzxwv herbal drops") in form_fields(pages["ci_safety_details"])


def test_bench_pages_selects_from_either_journey(monkeypatch):
    assert CHECK_ROW in selected_pages(CHECKIN) and CHECK_ROW not in selected_pages(SCREENING)
    monkeypatch.setenv("BENCH_PAGES", "about_you,ci_feel,check")
    assert list(selected_pages(SCREENING)) == ["about_you"]
    assert list(selected_pages(CHECKIN)) == ["ci_feel", CHECK_ROW]
    assert selected_pages(CHECKIN)[CHECK_ROW] is None  # the check page: a GET alone


def test_checkin_pages_save_in_process_and_profile(tmp_path):
    """prepare_database fills every page of both journeys through the test client (each must
    save), then a check-in page's POST and the check page's GET run as the profiler would."""
    post, _repeat = profile_page(tmp_path / "post", "ci_safety_details", "POST", journey="checkin")
    post()
    get, _repeat = profile_page(tmp_path / "get", CHECK_ROW, "GET", journey="checkin")
    get()


def test_plan_page_with_12_checkins_is_seeded_and_timed(database_url, monkeypatch):
    """The doctor pages at a tiny size: submissions, plans and check-ins seeded, every page
    (the plan page with its 12 check-ins among them) answered 200 and timed."""
    monkeypatch.setattr(doctor_pages, "SUBMISSIONS", 400)
    monkeypatch.setattr(doctor_pages, "ITERATIONS", 4)
    monkeypatch.setattr(doctor_pages, "WARMUP", 1)
    result = doctor_pages.measure_database(database_url, variants(), log=lambda _message: None)
    seeded = result["seed"]
    assert seeded["plans"] == 1 + 400 // 100 and seeded["plan_checkins"] == len(THE_PLAN_DAYS) == 12
    assert seeded["plan_flagged_checkins"] >= 1 and seeded["checkins_sent"] >= 12
    assert {"queue", "summary", "plan", "checkin"} <= set(result["pages"])
    engine = create_engine(database_url)
    with engine.connect() as connection:
        sent = connection.execute(select(CheckIn.submitted, CheckIn.evaluation)
                                  .where(CheckIn.plan_id == seeded["plan_id"])).all()
    engine.dispose()
    assert len(sent) == 12 and all(submitted and evaluation["ruleset_version"] for submitted, evaluation in sent)


def _page(ratio: float, post: float | None = None) -> dict:
    figures = {"rps": 100.0, "p50_ms": 10.0, "p99_ms": 20.0, "errors": 0}
    entry = {"GET": figures, "reference_GET": figures, "GET_ratio": ratio}
    if post is not None:
        entry.update({"POST": figures, "reference_POST": figures, "POST_ratio": post})
    return entry


def test_report_holds_checkin_pages_and_the_plan_page_to_their_targets():
    raw = {
        "started_at": "2026-12-01T00:00:00+00:00", "commit": "abc", "duration_s": 1.0,
        "machine": {"cpus": 2, "python": "3.11", "load_average_at_start": [0.0]},
        "http": {
            "pages": {"about_you": _page(2.0, 1.0)}, "hello_GET": [{"rps": 1000.0}], "connections": 4, "rounds": 3,
            "window_s": 0.8, "warmup_s": 0.2, "worker_peak_rss_mb": {"product": [100.0]},
            "checkin_pages": {"ci_taking": _page(1.9, 0.79), "ci_feel": _page(1.5, 0.9), CHECK_ROW: _page(1.3)},
        },
        "doctor": {"submissions": 400, "variants": {}, "sqlite": {
            "seed": {"seconds": 1.0},
            "pages": {name: {"median_ms": ms, "p90_ms": ms, "min_ms": ms} for name, ms in
                      (("queue", 10.0), ("summary", 5.0), ("plan", 31.0))}}},
    }
    results = report.summarise(raw)
    targets = results["targets"]
    assert targets["checkin_get_ratio_vs_reference"]["value"] == 1.5  # the check page counts among the GETs
    assert targets["checkin_post_ratio_vs_reference"]["value"] == 0.845
    assert targets["checkin_min_ratio"]["met"] is False
    assert results["checkin_slowest_page"] == {"page": "ci_taking", "method": "POST", "ratio": 0.79}
    assert targets["page_ratio_median_all"]["value"] == 1.5  # the screening's figures are its own
    assert targets["plan_ms_median.sqlite"]["met"] is False and targets["plan_ms_median.postgresql"]["met"] is None
    results["profiles"] = {}
    text = report.markdown(results)
    assert "| check | 100.0 | 100.0 | 1.30 | 10.0 / 20.0 | — | — | — | — | 0 |" in text
    assert "plan page with 12 check-ins" in text


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
