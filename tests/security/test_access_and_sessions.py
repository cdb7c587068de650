"""T30–T46: mass assignment, step skipping, IDOR, tokens, method tampering, CSRF, sessions."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from screening.models import FlagDecision, Invitation, QuestionnaireResponse
from tests.doctor_fixtures import CSRF_INPUT, DoctorClient
from tests.patient.pages import TYPICAL_PAGES, typical_until
from tests.patient_client import PatientClient


def test_t30_extra_fields_are_ignored(patient, app):
    extra = {"submitted": "1", "review_status": "reviewed", "urgent": "0", "answers": "{}", "doctor_id": "2",
             "current_page": "check", "phq9_self_harm": "0"}
    patient.fill({"about_you": {**TYPICAL_PAGES["about_you"], **extra}})
    with app.extensions["db"].read() as session:
        response = session.scalars(select(QuestionnaireResponse)).one()
        assert (response.submitted, response.review_status, response.current_page) == (False, "new", "pregnancy")
        assert set(response.answers) == {"date_of_birth", "sex_at_birth"}


def test_t31_submit_with_required_pages_empty_is_refused(patient, app):
    patient.fill(typical_until("liver"))
    assert patient.submit().headers["Location"] == "/questionnaire/check"
    with app.extensions["db"].read() as session:
        assert session.scalar(select(QuestionnaireResponse.submitted)) is False


def test_t31_replaying_a_page_after_submit_changes_nothing(patient, app):
    patient.fill(TYPICAL_PAGES)
    patient.submit()
    before = patient.saved_answers(app)
    patient.post_page("symptoms", {"pain_average": "0"})
    assert patient.saved_answers(app) == before


def test_t32_a_hidden_red_flag_follow_up_cannot_be_posted(patient, app):
    patient.fill(typical_until("opioids_recent_details"))  # opioid_recent = "no"
    response = patient.post_page("opioids_recent_details", {
        "opioid_last_dose": {"day": "1", "month": "1", "year": "2020"}, "opioid_pattern": "stopped",
        "opioid_withdrawal_now": "no"})
    assert response.status_code == 302
    assert "opioid_pattern" not in patient.saved_answers(app)


def test_t33_invalid_tokens_all_look_the_same(app, make_link):
    valid = make_link()
    bodies = {app.test_client().get(f"/i/{token}").get_data(as_text=True)
              for token in ("x", "A" * 43, valid[:-1] + ("A" if valid[-1] != "A" else "B"), "1000", "A" * 200)}
    assert len(bodies) == 1


def test_t33_tokens_are_long_random_and_stored_only_as_a_hash(app, make_link):
    tokens = {make_link(patient_ref=f"P-{n}") for n in range(20)}
    assert len(tokens) == 20 and all(len(t) >= 43 for t in tokens)  # 256 bits, base64url
    with app.extensions["db"].read() as session:
        hashes = set(session.scalars(select(Invitation.token_hash)))
    assert not tokens & hashes


def test_t33_guessing_links_is_rate_limited(client):
    statuses = [client.get(f"/i/guess-{n}").status_code for n in range(40)]
    assert statuses[:30] == [404] * 30 and 429 in statuses[30:]


def test_t34_t35_ids_that_do_not_exist_or_are_not_submitted_are_not_found(doctor, patient, submit):
    submit("PT-REAL")
    for path in ("/doctor/submissions/1", "/doctor/submissions/1/summary.pdf", "/doctor/submissions/1/export.json",
                 "/doctor/submissions/1/fhir.json", "/doctor/submissions/99", "/doctor/submissions/99/evaluations/1"):
        assert doctor.get(path).status_code == 404, path
    decision = {"decision": "accepted", "version": "0"}
    assert doctor.post("/doctor/submissions/99/flags/OPI-01", decision).status_code == 404
    assert doctor.post("/doctor/submissions/99/review", {"version": "0"}).status_code == 404
    assert doctor.post("/doctor/invitations/99/revoke").status_code == 404


def test_t35_a_decision_cannot_target_another_submissions_evaluation(app, doctor, submit):
    first = submit("PT-A", {"kidney_disease": "severe"})
    second = submit("PT-B")
    assert doctor.post(f"/doctor/submissions/{second}/flags/REN-01",
                       {"decision": "accepted", "version": "0"}).status_code == 404
    with app.extensions["db"].read() as session:
        assert session.scalar(select(func.count()).select_from(FlagDecision)) == 0
    assert first != second


def test_t36_a_patient_session_cannot_open_doctor_pages(patient):
    response = patient.get("/doctor/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/doctor/login")


def test_t36_a_patient_cannot_choose_another_response(app, make_link, patient):
    other = PatientClient(app.test_client(), make_link(patient_ref="P-OTHER"))
    other.open_link()
    other.fill({"about_you": TYPICAL_PAGES["about_you"]})
    html = patient.get("/questionnaire/page/about_you?response_id=2").get_data(as_text=True)
    assert 'value="1978"' not in html


def test_t37_a_submitted_link_shows_no_answers_once_expired(app, patient):
    from datetime import UTC, datetime, timedelta

    patient.fill(TYPICAL_PAGES)
    patient.submit()
    with app.extensions["db"].write() as session:
        session.scalars(select(Invitation)).one().expires_at = datetime.now(UTC) - timedelta(seconds=1)
    html = patient.get("/questionnaire/done").get_data(as_text=True)
    assert "This link is not valid" in html and "1978" not in html


def test_t38_the_token_leaves_the_address_bar_at_once(app, make_link):
    response = app.test_client().get(f"/i/{make_link()}")
    assert response.status_code in (302, 303) and "/i/" not in response.headers["Location"]


@pytest.mark.parametrize("method, path", [
    ("GET", "/questionnaire/submit"),
    ("GET", "/doctor/logout"),
    ("GET", "/doctor/submissions/1/flags/OPI-01"),
    ("GET", "/doctor/submissions/1/reevaluate"),
    ("PUT", "/questionnaire/page/about_you"),
    ("DELETE", "/doctor/invitations/1/revoke"),
    ("TRACE", "/"),
])
def test_t39_state_changing_routes_refuse_other_methods(doctor, method, path):
    assert doctor.client.open(path, method=method).status_code == 405


def test_t40_patient_post_without_csrf_token_is_shown_again_unsaved(patient, app):
    response = patient.client.post("/questionnaire/page/about_you", data={
        "date_of_birth-day": "2", "date_of_birth-month": "4", "date_of_birth-year": "1978", "sex_at_birth": "male"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "was not saved" in html and 'value="male" checked' in html and 'value="1978"' in html
    assert CSRF_INPUT.search(html)  # with a fresh token
    assert patient.saved_answers(app) == {}


def test_t40_doctor_post_without_csrf_token_changes_nothing(app, doctor, submit):
    response_id = submit("PT-CSRF", {"kidney_disease": "severe"})
    response = doctor.client.post(f"/doctor/submissions/{response_id}/flags/REN-01",
                                  data={"decision": "accepted", "version": "0"})
    assert response.status_code == 400
    with app.extensions["db"].read() as session:
        assert session.scalar(select(func.count()).select_from(FlagDecision)) == 0


def test_t41_another_sessions_token_is_refused(app, doctor, submit, make_doctor):
    response_id = submit("PT-X", {"kidney_disease": "severe"})
    attacker = DoctorClient(app.test_client())
    foreign = attacker.csrf()
    response = doctor.client.post(f"/doctor/submissions/{response_id}/flags/REN-01",
                                  data={"csrf_token": foreign, "decision": "accepted", "version": "0"})
    assert response.status_code == 400


def test_t42_an_old_patient_page_is_never_lost(patient, app):
    # A token from a session that has since been replaced (e.g. the link reopened elsewhere).
    stale = patient.csrf_token("/questionnaire/page/about_you")
    patient.open_link()
    response = patient.client.post("/questionnaire/page/about_you", data={
        "csrf_token": stale, "revision": "0", "date_of_birth-day": "2", "date_of_birth-month": "4",
        "date_of_birth-year": "1978", "sex_at_birth": "female"})
    html = response.get_data(as_text=True)
    assert "was not saved" in html and 'value="female" checked' in html


def test_t43_https_post_with_same_origin_referer_passes_csrf(app, make_link):
    app.config["SESSION_COOKIE_SECURE"] = False  # the test client keeps cookies over https anyway
    client = app.test_client()
    client.get(f"/i/{make_link()}", base_url="https://localhost")
    html = client.get("/questionnaire/page/about_you", base_url="https://localhost").get_data(as_text=True)
    token = CSRF_INPUT.search(html).group(1)
    revision = re.search(r'name="revision" value="(\d+)"', html).group(1)
    data = {"csrf_token": token, "revision": revision, "date_of_birth-day": "2", "date_of_birth-month": "4",
            "date_of_birth-year": "1978", "sex_at_birth": "female"}
    with_referer = client.post("/questionnaire/page/about_you", data=data, base_url="https://localhost",
                               headers={"Referer": "https://localhost/questionnaire/page/about_you"})
    assert with_referer.status_code == 302
    without = client.post("/questionnaire/page/pregnancy", data={**data, "csrf_token": token},
                          base_url="https://localhost")
    assert "was not saved" in without.get_data(as_text=True)  # refused, but shown again, not lost


def test_t44_t45_fixation_and_replay(app, make_doctor):
    make_doctor()
    browser = DoctorClient(app.test_client())
    anonymous = browser.client.get_cookie("session")
    browser.login("dr.who@clinic.example")
    assert browser.client.get_cookie("session").value != (anonymous.value if anonymous else None)
    captured = browser.client.get_cookie("session").value
    browser.post("/doctor/logout")
    replay = app.test_client()
    replay.set_cookie("session", captured)
    assert replay.get("/doctor/").status_code == 302


def test_t47_login_is_rate_limited_per_account_and_address(app, make_doctor):
    # Per account *and* address (with growing delays: tests/security/test_login_limits.py):
    # failures from many addresses slow none of them, so nobody elsewhere is locked out.
    make_doctor()
    statuses = []
    for n in range(8):
        browser = DoctorClient(app.test_client())
        statuses.append(browser.login_password("dr.who@clinic.example", f"wrong-{n}",
                                               environ_base={"REMOTE_ADDR": f"192.0.2.{n}"}).status_code)
    assert statuses == [401] * 8
    one_address = DoctorClient(app.test_client())
    statuses = [one_address.login_password("dr.who@clinic.example", f"wrong-{n}").status_code for n in range(8)]
    assert statuses[:5] == [401] * 5 and set(statuses[5:]) == {429}


def test_t47_login_is_rate_limited_per_address(app, make_doctor):
    browser = DoctorClient(app.test_client())
    statuses = [browser.login_password(f"u{n}@x.example", "wrong").status_code for n in range(32)]
    assert statuses[:30] == [401] * 30 and statuses[30:] == [429, 429]


def test_t48_spoofed_forwarded_for_does_not_dodge_the_limit(client):
    statuses = [client.get(f"/i/guess-{n}", headers={"X-Forwarded-For": f"10.0.0.{n}"}).status_code
                for n in range(35)]
    assert 429 in statuses
