"""The queue: urgent first, then highest severity, then appointment; filters; paging; no N+1."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from screening.doctor.queue import PAGE_SIZE
from tests.doctor_fixtures import statements_during

TODAY = date.today()
SELF_HARM = {"phq9_self_harm": 1}                                  # PSY-01: urgent, critical
PREGNANT = {"pregnant": "yes"}                                      # PREG-01: critical
SEVERE_KIDNEY = {"kidney_disease": "severe"}                        # REN-01: warning
MILD_KIDNEY = {"kidney_disease": "mild_or_moderate"}                # REN-02: info


def _order(html: str) -> list[str]:
    return re.findall(r'<a href="/doctor/submissions/\d+">([^<]+)</a>', html)


@pytest.fixture
def mixed_queue(submit):
    submit("INFO-SOON", MILD_KIDNEY, TODAY + timedelta(days=1))
    submit("CLEAN", None, TODAY + timedelta(days=1))
    submit("WARN-LATE", SEVERE_KIDNEY, TODAY + timedelta(days=9))
    submit("CRIT-LATE", PREGNANT, TODAY + timedelta(days=20))
    submit("WARN-SOON", SEVERE_KIDNEY, TODAY + timedelta(days=2))
    submit("URGENT", SELF_HARM, TODAY + timedelta(days=30))


def test_queue_orders_urgent_then_severity_then_appointment(doctor, mixed_queue):
    html = doctor.get("/doctor/").get_data(as_text=True)
    assert _order(html) == ["URGENT", "CRIT-LATE", "WARN-SOON", "WARN-LATE", "INFO-SOON", "CLEAN"]
    assert "Urgent: same-day contact" in html


def test_rows_show_counts_and_earliest_start(doctor, submit):
    submit("OPIOID", {"opioid_recent": "yes", "opioid_last_dose": (TODAY - timedelta(days=8)).isoformat(),
                      "opioid_pattern": "stopped", "opioid_withdrawal_now": "no"}, TODAY)
    html = doctor.get("/doctor/").get_data(as_text=True)
    assert "0 critical</span>, <span class=\"count\">1 warning</span>" in html
    assert (TODAY + timedelta(days=3)).isoformat() in html  # last dose + 11 days


@pytest.mark.parametrize("query, expected", [
    ("severity=critical", ["URGENT", "CRIT-LATE"]),
    ("severity=warning", ["WARN-SOON", "WARN-LATE"]),
    ("severity=none", ["CLEAN"]),
    ("q=WARN", ["WARN-SOON", "WARN-LATE"]),
    ("q=warn-s", ["WARN-SOON"]),  # from the start of the reference, in any case
    (f"from={(TODAY + timedelta(days=2)).isoformat()}&to={(TODAY + timedelta(days=20)).isoformat()}",
     ["CRIT-LATE", "WARN-SOON", "WARN-LATE"]),
    ("review=reviewed", []),
    ("q=%25", []),  # a SQL wildcard is a literal character here
])
def test_filters(doctor, mixed_queue, query, expected):
    assert _order(doctor.get(f"/doctor/?{query}").get_data(as_text=True)) == expected


def test_reviewed_filter(doctor, submit):
    first = submit("A")
    submit("B")
    doctor.post(f"/doctor/submissions/{first}/review", {"version": "0", "note": ""})
    assert _order(doctor.get("/doctor/?review=reviewed").get_data(as_text=True)) == ["A"]
    assert _order(doctor.get("/doctor/?review=new").get_data(as_text=True)) == ["B"]


def test_unsubmitted_questionnaires_are_not_in_the_queue(doctor, patient):
    assert _order(doctor.get("/doctor/").get_data(as_text=True)) == []


def test_pagination(doctor, submit):
    for number in range(PAGE_SIZE + 3):
        submit(f"P-{number:03d}", None, TODAY + timedelta(days=number))
    first = doctor.get("/doctor/").get_data(as_text=True)
    second = doctor.get("/doctor/?page=2").get_data(as_text=True)
    assert len(_order(first)) == PAGE_SIZE and "Next page" in first
    assert _order(second) == [f"P-{n:03d}" for n in range(PAGE_SIZE, PAGE_SIZE + 3)]
    assert "Previous page" in second and "Next page" not in second


@pytest.mark.parametrize("query", ["page=-1", "page=abc", "from=2026-13-45", "severity=<script>"])
def test_bad_filter_values_are_ignored_not_errors(doctor, mixed_queue, query):
    assert doctor.get(f"/doctor/?{query}").status_code == 200


def test_queue_query_count_does_not_grow_with_rows(app, doctor, submit):
    def count_queries(n_rows: int) -> int:
        for number in range(n_rows):
            submit(f"N{n_rows}-{number}")
        return len(statements_during(app, lambda: doctor.client.get("/doctor/")))

    assert count_queries(2) == count_queries(10)
