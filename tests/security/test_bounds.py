"""Issue 12, finding 7: out-of-range input is a 404 or a 400 (or a message), never a 500.

Integer path parameters beyond the database's integer range, out-of-range dates in
filters and forms, pagination and other query-string keys that reached `url_for`, CR/LF
in a rule ID, and text planted in the summary through `?message=`.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from screening.models import Invitation

HUGE_IDS = [2**31, 2**63 - 1, 2**63, 2**64, 10**30, int("9" * 400)]


def _integer_routes(app):  # type: ignore[no-untyped-def]
    for rule in app.url_map.iter_rules():
        if "<int:" in rule.rule:
            yield rule


def test_every_integer_route_is_listed(app):
    endpoints = {rule.endpoint for rule in _integer_routes(app)}
    assert {"doctor.summary", "doctor.decide", "doctor.reevaluation", "doctor.revoke_invitation"} <= endpoints


@pytest.mark.parametrize("huge", HUGE_IDS, ids=lambda n: f"{len(str(n))}-digits")
def test_ids_beyond_the_integer_range_are_not_found_on_every_integer_route(app, doctor, submit, huge):
    submit("PT-1", {"kidney_disease": "severe"})
    with app.extensions["db"].read() as session:  # a real invitation, so only the huge number can be wrong
        real_invitation = session.scalar(select(Invitation.id))
    for rule in _integer_routes(app):
        path = re.sub(r"<int:\w+>", str(huge), rule.rule).replace("<rule_id>", "REN-01")
        response = doctor.get(path) if "GET" in rule.methods else doctor.post(path, {
            "decision": "accepted", "version": "0"})
        assert response.status_code == 404, (rule.endpoint, path, response.status_code)
        if rule.endpoint.endswith("_invitation"):  # and the real one right next to it still works
            real = rule.rule.replace("<int:invitation_id>", str(real_invitation))
            assert doctor.post(real).status_code in (200, 409), real


def test_an_id_with_other_digits_is_not_found(doctor, submit):
    response_id = submit("PT-1")
    assert doctor.get(f"/doctor/submissions/{response_id}").status_code == 200
    for odd in ("\u0661", "\u00b2", "\uff11", "0" * 30 + str(response_id)):  # Arabic-Indic, superscript, full-width
        assert doctor.get(f"/doctor/submissions/{odd}").status_code == 404, odd


@pytest.mark.parametrize("query", [
    "to=9999-12-31", "from=9999-12-31", "from=0001-01-01", "to=0001-01-01", "from=0001-01-01&to=9999-12-31",
    "to=10000-01-01", "to=2024-W01-1", "to=20240101", "to=-2024-01-01",
])
@pytest.mark.parametrize("path", ["/doctor/audit", "/doctor/"])
def test_out_of_range_filter_dates_are_a_400_or_ignored(doctor, submit, path, query):
    submit("PT-1")
    assert doctor.get(f"{path}?{query}").status_code in (200, 400)


@pytest.mark.parametrize("query", [
    "page=2&endpoint=x", "page=2&_external=1", "page=2&_anchor=x", "page=2&_method=POST",
    "page=2&_scheme=javascript", "page=2&response_id=1", "page=2&values=1",
    "page=\u00b2", "page=" + "9" * 5000, "page=-1", "page=0", "page=1e3", "page=\u0664\u0662",
])
@pytest.mark.parametrize("path", ["/doctor/audit", "/doctor/"])
def test_query_string_keys_never_reach_url_for(doctor, submit, path, query):
    submit("PT-1")
    response = doctor.get(f"{path}?{query}")
    assert response.status_code in (200, 400), response.status_code
    html = response.get_data(as_text=True)
    for planted in ("endpoint=", "_external", "_anchor", "_method", "_scheme", "response_id=", "values="):
        assert planted not in html


def test_pagination_keeps_the_real_filters(doctor, submit):
    for n in range(30):
        submit(f"PT-{n:02d}")
    html = doctor.get("/doctor/?review=new&q=PT&endpoint=x").get_data(as_text=True)
    (next_link,) = re.findall(r'href="(/doctor/\?[^"]*page=2[^"]*)"', html)
    assert "review=new" in next_link and "q=PT" in next_link and "endpoint" not in next_link


@pytest.mark.parametrize("rule_id", ["OPI-01%0D%0ALocation:%20https://evil.example", "OPI-01%0A", "%0D%0A",
                                     "REN-01%0D%0ASet-Cookie:%20x=1"])
def test_cr_lf_in_a_rule_id_is_not_found(doctor, submit, rule_id):
    response_id = submit("PT-1", {"kidney_disease": "severe"})
    assert doctor.post(f"/doctor/submissions/{response_id}/flags/{rule_id}",
                       {"decision": "accepted", "version": "0"}).status_code == 404
    assert doctor.post(f"/doctor/submissions/{response_id}/flags/{rule_id}", {}).status_code == 404


def test_the_summary_shows_no_text_from_the_query_string(doctor, submit):
    response_id = submit("PT-1")
    html = doctor.get(f"/doctor/submissions/{response_id}?message=Call+0900+123+FAKE+LINE+now").get_data(as_text=True)
    assert "FAKE LINE" not in html


def test_decisions_and_reviews_report_back_with_fixed_flashed_messages(doctor, submit):
    response_id = submit("PT-1", {"kidney_disease": "severe"})
    decided = doctor.post(f"/doctor/submissions/{response_id}/flags/REN-01", {"decision": "accepted", "version": "0"})
    assert decided.status_code == 302 and "message" not in decided.headers["Location"]
    assert decided.headers["Location"].endswith(f"/doctor/submissions/{response_id}#flag-REN-01")
    assert "Flag accepted." in doctor.get(f"/doctor/submissions/{response_id}").get_data(as_text=True)
    reviewed = doctor.post(f"/doctor/submissions/{response_id}/review", {"version": "0"})
    assert "message" not in reviewed.headers["Location"]
    assert "Marked as reviewed" in doctor.get(reviewed.headers["Location"]).get_data(as_text=True)
    invalid = doctor.post(f"/doctor/submissions/{response_id}/flags/REN-01", {"version": "0"})
    assert invalid.status_code == 400 and "Location" not in invalid.headers
    assert "Choose accept or override" in invalid.get_data(as_text=True)


def _invite(doctor, patient_ref="PT-DATES", **fields):  # type: ignore[no-untyped-def]
    return doctor.post("/doctor/invitations", {"patient_ref": patient_ref, **fields})


def _invitations(app) -> int:  # type: ignore[no-untyped-def]
    with app.extensions["db"].read() as session:
        return int(session.scalar(select(func.count()).select_from(Invitation)) or 0)


@pytest.mark.parametrize("field, value, message", [
    ("appointment_date", "9999-12-31", "within 2 years"),
    ("expires_on", "9999-12-31", "within 2 years"),
    ("appointment_date", (date.today() + timedelta(days=731)).isoformat(), "within 2 years"),
    ("appointment_date", (date.today() - timedelta(days=1)).isoformat(), "in the past"),
    ("appointment_date", "0001-01-01", "in the past"),
])
def test_invitation_dates_are_bounded_with_a_message(app, doctor, field, value, message):
    response = _invite(doctor, **{field: value})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _invitations(app) == 0


@pytest.mark.parametrize("days", [0, 730])
def test_invitation_dates_inside_the_bounds_are_accepted(app, doctor, days):
    day = (date.today() + timedelta(days=days)).isoformat()
    assert _invite(doctor, appointment_date=day, expires_on=day).status_code == 201
    assert _invite(doctor, "PT-DATES-2", appointment_date=day).status_code == 201
