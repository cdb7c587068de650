"""What the doctor sees of check-ins (followup.md section 4): one check-in's page (flags as
on the screening summary, each symptom against baseline in points and percent, PGIC in
words, the answers), a plan's trend (a chart and a table per symptom, the planned dose as a
step line), and marking a check-in reviewed. Plain words only, and readable in print."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from flask import render_template_string
from sqlalchemy import select

import screening.doctor.checkin_views  # noqa: F401  (registers the pages until screening.doctor imports it)
from screening.doctor.checkin_list import load_plan_for_trend
from screening.doctor.checkin_summary import change_words
from screening.doctor.checkin_trend import dose_segments, trend_section
from screening.models import AuditEvent, CheckIn, PlanChange, TreatmentPlan
from screening.rules.plan import Plan
from screening.rules.sources import SOURCES
from tests.doctor.test_summary_header import visible_text
from tests.doctor_fixtures import CSRF_INPUT, statements_during
from tests.followup.checkin_rows import START, add_checkin, make_plan, send_checkin
from tests.plain_words import leaks

BASELINE = {"pain_average": 7, "fatigue": 6, "sleep_problems": 0, "low_mood": 4}
BUSY = {  # FU-02 critical, FU-13 warning (fatigue 6 → 9), FU-09 and FU-11 info
    "pain_average": 5, "fatigue": 9, "sleep_problems": 3, "ci_pgic": "minimally_improved",
    "ci_dose_mg": 2.5, "ci_side_effects": ["vivid_dreams", "headache"], "ci_side_effect_impact": "mild",
    "ci_opioid_since": "yes", "ci_opioid_last_dose": (START + timedelta(days=10)).isoformat(),
    "ci_new_medicines": "yes", "ci_medications": [{"name": "Tylenol #3", "how_often": "as_needed"}],
}
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def plan_id(app, submit) -> int:
    return make_plan(app, submit("PT-CI", BASELINE))


@pytest.fixture
def busy(app, plan_id) -> int:
    return send_checkin(app, plan_id, 14, BUSY)


def page(doctor, checkin_id: int) -> str:
    response = doctor.get(f"/doctor/checkins/{checkin_id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def card(html: str, rule_id: str) -> str:
    return html.split(f'id="flag-{rule_id}"')[1].split("</article>")[0]


# --- one check-in --------------------------------------------------------------------------

def test_the_header_names_the_patient_the_day_and_the_planned_dose(doctor, busy):
    html = page(doctor, busy)
    assert "<h1>Check-in: PT-CI, day 14</h1>" in html
    assert f"<dt>Plan started</dt><dd>{START.day} {START:%B %Y}</dd>" in html
    assert "<dt>Day on LDN</dt><dd>14</dd>" in html
    assert "<dt>Planned dose that day</dt><dd>1.5 mg</dd>" in html  # 0.5 + 2 steps of 0.5
    assert "<dt>Dose taken (patient)</dt><dd>2.5 mg</dd>" in html


def test_flags_come_first_by_severity_and_explain_themselves(doctor, busy):
    html = page(doctor, busy)
    order = [html.index(marker) for marker in (
        'flag-group--critical', 'flag-group--warning', 'flag-group--info', 'id="changes-heading-',
        'id="pgic-heading-', 'id="answers-heading"')]
    assert order == sorted(order)
    opioid = card(html, "FU-02")
    assert 'class="flag__rationale"' in opioid and "Opioids are blocked by naltrexone" in opioid
    assert "Since you started LDN, have you taken any opioid?" in opioid  # the evidence, as asked
    assert "New medicines listed" in opioid and "Tylenol #3" in opioid
    source = SOURCES["S1"]
    assert f'Source: <a href="{source.url}"' in opioid and f"({source.kind})" in opioid
    assert "Basis: the medicine" in opioid


def test_evidence_from_the_screening_and_the_plan_is_labelled(doctor, busy):
    html = page(doctor, busy)
    worse = card(html, "FU-13")
    assert "<dt>Tiredness</dt>" in worse and "<dt>Tiredness (at screening)</dt>" in worse
    assert "9 out of 10" in worse and "6 out of 10" in worse
    dose = card(html, "FU-11")
    assert "<dt>Planned dose that day</dt>" in dose and "1.5 mg" in dose
    assert "Basis: service convention" in dose


def test_a_source_without_a_page_is_not_a_link(doctor, busy):
    dose = card(page(doctor, busy), "FU-11")
    assert 'href="None"' not in dose and 'href=""' not in dose
    assert "Source: Service policy: follow-up after starting LDN" in dose and "(service policy)" in dose


def test_changes_against_baseline_in_points_and_percent(doctor, busy):
    html = page(doctor, busy)
    table = html.split('id="changes-heading-')[1].split("</table>")[0]
    rows = dict(re.findall(r'<tr>\s*<th scope="row">([^<]+)(.*?)</tr>', table, re.S))
    assert "−2 points (−28.6 %)" in rows["Pain"]
    assert "+3 points (+50.0 %)" in rows["Tiredness"]
    assert "+3 points (no percentage: the score before LDN was 0)" in rows["Sleep problems"]
    assert "Not answered" in rows["Low mood"]
    assert "Your pain on average" in rows["Pain"]  # the question, where it says more than the name
    assert "Brain fog" not in table  # scored neither before nor now


def test_pgic_is_in_words(doctor, busy):
    html = page(doctor, busy)
    section = html.split('id="pgic-heading-')[1].split("</section>")[0]
    assert "<strong>A little better</strong>" in section
    assert "how would you describe the change in your health overall?" in section


def test_answers_are_in_words_and_nothing_internal_leaks(doctor, busy):
    html = page(doctor, busy)
    answers = html.split('id="answers-heading"')[1]
    assert "Are you taking LDN as planned?" in answers and "Yes, as planned" in answers
    assert "Vivid dreams" in answers and "Headache" in answers
    assert leaks(visible_text(html)) == []


def test_a_check_in_without_flags_says_no_concerns(app, doctor, plan_id):
    quiet = send_checkin(app, plan_id, 7, {"pain_average": 6})
    html = page(doctor, quiet)
    assert "No concerns: the rules raised no flags on this check-in." in html
    assert "−1 point (−14.3 %)" in html
    assert leaks(visible_text(html)) == []


def test_a_check_in_not_sent_yet_has_a_page_without_answers(app, doctor, plan_id):
    waiting = add_checkin(app, plan_id, date.today() + timedelta(days=3))
    html = page(doctor, waiting)
    assert "This check-in has not been sent yet (not open yet)" in html
    assert 'id="flags-heading-' not in html and "Mark reviewed" not in html


def test_an_unknown_check_in_is_404(doctor):
    assert doctor.get("/doctor/checkins/999").status_code == 404


def test_a_clinician_opens_it_and_the_view_is_audited(app, clinician, busy, plan_id):
    assert clinician.get(f"/doctor/checkins/{busy}").status_code == 200
    with app.extensions["db"].read() as session:
        response_id = session.get(TreatmentPlan, plan_id).response_id
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "checkin.viewed")).one()
    assert (event.target, event.details) == (f"response:{response_id}", {"checkin_id": busy})


# --- marking one reviewed ------------------------------------------------------------------

def _review_token(doctor, checkin_id: int) -> str:
    form = page(doctor, checkin_id).split('id="review-heading"')[1]
    match = CSRF_INPUT.search(form)
    assert match and 'name="version" value="0"' in form
    return match.group(1)


def test_mark_reviewed_once_then_a_second_doctor_is_told(app, doctor, busy, make_doctor):
    token = _review_token(doctor, busy)
    done = doctor.client.post(f"/doctor/checkins/{busy}/review", data={"csrf_token": token, "version": "0"})
    assert done.status_code == 302 and done.headers["Location"] == f"/doctor/checkins/{busy}"
    html = page(doctor, busy)
    assert "Check-in marked as reviewed." in html
    assert "Reviewed by dr.who@clinic.example on" in html and "Mark reviewed</button>" not in html
    # A second tab, opened while it was new, posts the version it saw.
    again = doctor.client.post(f"/doctor/checkins/{busy}/review", data={"csrf_token": token, "version": "0"})
    assert again.status_code == 302
    assert "Another doctor reviewed this check-in first." in page(doctor, busy)
    with app.extensions["db"].read() as session:
        row = session.get(CheckIn, busy)
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == "checkin.reviewed")).all()
    assert (row.review_status, row.reviewed_by_id) == ("reviewed", 1)
    assert [event.details for event in events] == [{"checkin_id": busy}]


def test_mark_reviewed_needs_the_csrf_token(app, doctor, busy):
    refused = doctor.client.post(f"/doctor/checkins/{busy}/review", data={"version": "0"})
    assert refused.status_code == 400
    with app.extensions["db"].read() as session:
        assert session.get(CheckIn, busy).review_status == "new"


def test_a_check_in_not_sent_cannot_be_reviewed(app, doctor, plan_id):
    waiting = add_checkin(app, plan_id, date.today() + timedelta(days=3))
    assert doctor.post(f"/doctor/checkins/{waiting}/review", {"version": "0"}).status_code == 404


# --- the plan's trend ----------------------------------------------------------------------

@pytest.fixture
def trend_plan(app, plan_id) -> int:
    send_checkin(app, plan_id, 7, {"pain_average": 6, "fatigue": 6})
    send_checkin(app, plan_id, 14, BUSY)
    send_checkin(app, plan_id, 28, {"pain_average": 4, "fatigue": 5, "sleep_problems": 1})
    add_checkin(app, plan_id, date.today() + timedelta(days=26))  # day 56, not open yet
    return plan_id


def trend_page(doctor, plan_id: int) -> str:
    response = doctor.get(f"/doctor/plans/{plan_id}/trend")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def symptom(html: str, label: str) -> str:
    return html.split(f'<h3 class="trend__title">{label}')[1].split('<div class="trend">')[0]


def test_a_chart_and_a_table_for_each_symptom_scored(doctor, trend_plan):
    html = trend_page(doctor, trend_plan)
    titles = re.findall(r'<h3 class="trend__title">([^<]+)', html)
    assert [title.strip() for title in titles] == ["Pain", "Tiredness", "Sleep problems", "Low mood"]
    assert "Never scored: Pain gets in the way, Brain fog, Anxiety." in html
    pain = symptom(html, "Pain")
    svg = ET.fromstring(re.search(r"<svg xmlns.*?</svg>", pain, re.S).group(0))
    assert svg.find("{http://www.w3.org/2000/svg}title").text.startswith("Pain: score before LDN")
    rows = [re.findall(r"<td>(.*?)</td>", row) for row in re.findall(r"<tr><td>.*?</tr>", pain)]
    assert [row[1:] for row in rows] == [
        ["Before LDN", "7", "The baseline", "None (before LDN)"],
        ["Day 7", "6", "−1 point (−14.3 %)", "1 mg"],
        ["Day 14", "5", "−2 points (−28.6 %)", "1.5 mg"],
        ["Day 28", "4", "−3 points (−42.9 %)", "2.5 mg"],
    ]
    assert rows[1][0] == f"{(START + timedelta(days=7)).day} {START + timedelta(days=7):%B %Y}"


def test_the_check_ins_are_listed_in_order_with_status_and_a_line_each(doctor, trend_plan):
    html = trend_page(doctor, trend_plan)
    listing = html.split('class="trend-checkins"')[1].split("</table>")[0]
    lines = [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in re.findall(r"<tr class=.*?</tr>", listing, re.S)]
    assert len(lines) == 4
    assert "No concerns. Overall: Much better." in lines[0]
    assert "Critical 4 flags: An opioid since starting LDN, and 3 more. Overall: A little better." in lines[1]
    assert "Sent; new" in lines[2]
    assert lines[3].startswith(f"{(date.today() + timedelta(days=26)).day} ") and "Not open yet" in lines[3]
    assert re.findall(r'href="/doctor/checkins/(\d+)"', listing) == ["1", "2", "3"]  # the sent ones open


def test_the_trend_page_is_plain_words_and_audited(app, doctor, trend_plan):
    html = trend_page(doctor, trend_plan)
    assert leaks(visible_text(html)) == []
    with app.extensions["db"].read() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "plan.trend_viewed")).one()
    assert event.details == {"plan_id": trend_plan}


def test_the_trend_page_costs_the_same_queries_with_more_check_ins(app, doctor, submit):
    def count(checkins: int) -> int:
        plan = make_plan(app, submit(f"Q-{checkins}", BASELINE))
        for number in range(checkins):
            send_checkin(app, plan, 7 * (number + 1), {"pain_average": number % 10})
        return len(statements_during(app, lambda: doctor.client.get(f"/doctor/plans/{plan}/trend")))

    assert count(1) == count(12)


def test_an_unknown_plan_is_404(doctor):
    assert doctor.get("/doctor/plans/999/trend").status_code == 404


def test_the_plan_page_can_include_the_section(app, doctor, trend_plan):
    """The API for the plan page: trend_section(plan) and the macros of doctor/_trend.html."""
    with app.extensions["db"].read() as session, app.test_request_context():
        section = trend_section(load_plan_for_trend(session, trend_plan))
        html = render_template_string(
            '{% from "doctor/_trend.html" import trend_charts, checkin_list %}'
            "{{ checkin_list(trend, 3) }}{{ trend_charts(trend, 3) }}", trend=section)
    assert '<h3 id="trend-checkins-' in html and '<h4 class="trend__title">Pain' in html
    assert html.count("<svg xmlns") == 4 and leaks(visible_text(html)) == []


# --- the planned dose follows the plan's history --------------------------------------------

def _at(day: int) -> datetime:
    return datetime.combine(START + timedelta(days=day), datetime.min.time(), tzinfo=UTC)


def test_the_dose_line_follows_each_change_from_the_day_it_was_made():
    first = Plan(start_date=START)  # 0.5 mg, +0.5 mg a week
    fixed = Plan(start_date=START, start_dose_mg=Decimal("1"), step_mg=Decimal("0"))
    plan = TreatmentPlan(id=1, terms=fixed.to_json(), status="active", changes=[
        PlanChange(action="started", terms=first.to_json(), at=_at(-5)),
        PlanChange(action="changed", terms=fixed.to_json(), at=_at(17)),
    ])
    assert [(s.start_day, s.end_day, s.dose_mg) for s in dose_segments(plan, fixed)] == [
        (0, 6, Decimal("0.5")), (7, 13, Decimal("1.0")), (14, 16, Decimal("1.5")), (17, None, Decimal("1.0"))]


def test_an_ended_plan_has_no_dose_after_its_end():
    terms = Plan(start_date=START, step_mg=Decimal("0"))
    plan = TreatmentPlan(id=1, terms=terms.to_json(), status="ended", ended_at=_at(20),
                         changes=[PlanChange(action="started", terms=terms.to_json(), at=_at(-1))])
    assert [(s.start_day, s.end_day, s.dose_mg) for s in dose_segments(plan, terms)] == [(0, 20, Decimal("0.5"))]


@pytest.mark.parametrize(("points", "percent", "words"), [
    (-2, -28.6, "−2 points (−28.6 %)"),
    (3, 50.0, "+3 points (+50.0 %)"),
    (-1, Decimal("-14.3"), "−1 point (−14.3 %)"),
    (0, 0.0, "No change (0 points)"),
    (2, None, "+2 points (no percentage: the score before LDN was 0)"),
])
def test_change_words(points, percent, words):
    assert change_words(points, percent) == words


# --- print ---------------------------------------------------------------------------------

def test_the_pages_print_readably(doctor, busy, plan_id):
    """No JavaScript needed, forms and buttons hidden on paper, the chart a fixed size with
    its numbers in text, each symptom kept on one page with its table."""
    checkin_html, trend_html = page(doctor, busy), trend_page(doctor, plan_id)
    assert '<div class="actions no-print">' in checkin_html and '<form class="no-print"' in checkin_html
    assert 'class="print-only">Not reviewed yet.' in checkin_html
    assert re.search(r'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart--trend" role="img" '
                     r'viewBox="0 0 520 230" width="520" height="230"', trend_html)
    css = (ROOT / "static" / "app.css").read_text(encoding="utf-8")
    printing = "".join(re.findall(r"@media print \{(.*?)\n\}", css, re.S))
    assert ".no-print" in printing and ".print-only { display: block; }" in printing
    assert ".trend, .trend-checkins tr { break-inside: avoid;" in printing
