"""The patient's check-in journey (followup.md section 2) through the test client.

The link opens on the due date and stops 14 days later; the pages are the screening's
patterns on the check-in's definition, shown on the facts of the patient's screening; the
answers are saved page by page and sent once, evaluated by the check-in rules.
"""

from __future__ import annotations

import threading
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update

from screening.models import AuditEvent, CheckIn, TreatmentPlan, utcnow
from screening.rules import CHECKIN_RULESET_VERSION
from screening.rules.severity import NO_FLAGS_RANK, SEVERITY_RANK
from tests.followup.checkin_client import (
    CHECKIN_PAGES,
    ON_THYROID_HORMONE,
    CheckinClient,
    MadeCheckin,
    make_checkin,
    stored,
    until,
)
from tests.patient.pages import TYPICAL_PAGES
from tests.patient_client import PatientClient

NOT_VALID = "This link is not valid"
SAFETY = "Please get help now if you need it"


@pytest.fixture
def made(app) -> MadeCheckin:
    return make_checkin(app)


@pytest.fixture
def patient(app, made) -> CheckinClient:  # the screening's `patient` fixture, on a check-in
    browser = CheckinClient(app.test_client(), made.token)
    browser.open_link()
    return browser


def _browser(app, made: MadeCheckin) -> CheckinClient:
    browser = CheckinClient(app.test_client(), made.token)
    browser.open_link()
    return browser


def _audit(app, action: str) -> list[AuditEvent]:
    with app.extensions["db"].read() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


# --- the link ------------------------------------------------------------------------------


def test_the_link_opens_on_its_due_date_at_a_clean_address(app, made):
    browser = CheckinClient(app.test_client(), made.token)
    response = browser.open_link()
    assert response.status_code == 302 and response.headers["Location"] == "/checkin/"
    start = browser.html("/checkin/")
    assert "Your LDN check-in" in start and "It takes about 2 minutes" in start
    assert 'href="/checkin/page/ci_taking"' in start
    # Named by the submission the plan follows (the audit page shows the patient), and the check-in.
    assert [(e.target, e.details["checkin_id"]) for e in _audit(app, "checkin.opened")] == [
        (f"response:{made.response_id}", made.checkin_id)]


def test_before_its_due_date_the_link_says_when_it_opens(app):
    due = date.today() + timedelta(days=3)
    made = make_checkin(app, due=due)
    browser = CheckinClient(app.test_client(), made.token)
    response = browser.open_link()
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"This check-in opens on {due.day} {due:%B %Y}" in html
    assert browser.get("/checkin/").status_code == 404  # no session was given


@pytest.mark.parametrize("spoil", ["expired", "unknown", "plan ended"])
def test_unusable_links_all_get_the_same_plain_page(app, spoil):
    made = make_checkin(app, due=date.today() - timedelta(days=15) if spoil == "expired" else None)
    token = made.token[:-4] + "zzzz" if spoil == "unknown" else made.token
    if spoil == "plan ended":
        with app.extensions["db"].write() as session:
            session.execute(update(TreatmentPlan).values(status="ended"))
    response = app.test_client().get(f"/c/{token}")
    assert response.status_code == 404
    assert NOT_VALID in response.get_data(as_text=True)


def test_the_last_day_is_fourteen_days_after_the_due_date(app):
    open_still = make_checkin(app, due=date.today() - timedelta(days=14), patient_ref="P-LAST")
    assert app.test_client().get(f"/c/{open_still.token}").status_code == 302


def test_a_sent_check_in_link_says_so(app, patient, made):
    patient.fill(CHECKIN_PAGES)
    patient.submit()
    response = app.test_client().get(f"/c/{made.token}")
    assert response.status_code == 200
    assert "These answers have already been sent" in response.get_data(as_text=True)


# --- the pages ------------------------------------------------------------------------------


def test_a_whole_check_in_page_by_page(app, patient, made):
    locations = []
    for page_id, answers in CHECKIN_PAGES.items():
        response = patient.post_page(page_id, answers)
        assert response.status_code == 302, page_id
        locations.append(response.headers["Location"])
    assert locations == [f"/checkin/page/{page}" for page in list(CHECKIN_PAGES)[1:]] + ["/checkin/check"]
    saved = stored(app, made.checkin_id)
    assert saved.answers["ci_dose_mg"] == 1 and saved.answers["ci_side_effects"] == ["poor_sleep"]
    assert saved.current_page == "check" and saved.revision == len(CHECKIN_PAGES) and saved.started_at


def test_the_page_shows_its_place_in_the_check_in(patient):
    html = patient.html("/checkin/page/ci_taking")
    assert "Section 1 of 5: Taking LDN" in html
    assert 'href="/checkin/"' in html  # Back goes to the start page
    assert "Save and continue" in html


def test_a_validation_error_keeps_what_was_typed(patient, app, made):
    patient.fill(until("ci_feel"))
    response = patient.post_page("ci_feel", {"pain_average": "5", "fatigue": "6"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in html and 'href="#ci_pgic"' in html
    assert '<title>Error: How you feel' in html
    assert 'value="5" checked' in html and 'value="6" checked' in html
    assert "pain_average" not in stored(app, made.checkin_id).answers


def test_a_dose_out_of_range_is_refused_in_words(patient):
    patient.fill(until("ci_taking_details"))
    html = patient.post_page("ci_taking_details", {"ci_dose_mg": "45"}).get_data(as_text=True)
    assert "There is a problem" in html and 'value="45"' in html


def test_a_later_page_cannot_be_opened_before_the_earlier_ones(patient):
    response = patient.page("ci_safety")
    assert response.status_code == 302 and response.headers["Location"] == "/checkin/page/ci_taking"


def test_an_unknown_page_is_not_found(patient):
    assert patient.page("no_such_page").status_code == 404
    assert patient.page("about_you").status_code == 404  # a screening page is not a check-in page


def _safety_questions(app, screening: dict[str, Any] | None) -> str:
    made = make_checkin(app, screening=screening)
    browser = _browser(app, made)
    browser.fill(until("ci_safety"))
    return browser.html("/checkin/page/ci_safety")


@pytest.mark.parametrize(("sex", "asked"), [("female", True), (None, True), ("male", False)],
                         ids=["female", "sex not given", "male"])
def test_pregnancy_is_asked_unless_the_screening_says_male(app, sex, asked):
    html = _safety_questions(app, {"sex_at_birth": sex, **({"pregnant": None, "trying_to_conceive": None,
                                                            "breastfeeding": None} if sex != "female" else {})})
    assert ('name="ci_pregnant"' in html) is asked


@pytest.mark.parametrize(("thyroid", "asked"), [(ON_THYROID_HORMONE, True), ({}, False)],
                         ids=["on thyroid hormone", "not on thyroid hormone"])
def test_overactive_thyroid_symptoms_are_asked_on_thyroid_hormone(app, thyroid, asked):
    html = _safety_questions(app, thyroid)
    assert ('name="ci_hyperthyroid_symptoms"' in html) is asked


def test_a_hidden_question_posted_anyway_is_not_saved(app):
    made = make_checkin(app, screening={"sex_at_birth": "male", "pregnant": None, "trying_to_conceive": None,
                                        "breastfeeding": None})
    browser = _browser(app, made)
    browser.fill(until("ci_safety"))
    browser.fill({"ci_safety": CHECKIN_PAGES["ci_safety"]})  # ci_pregnant posted, but not asked of him
    assert "ci_pregnant" not in stored(app, made.checkin_id).answers


def test_the_details_pages_follow_the_answers(patient, app, made):
    patient.fill({"ci_taking": {"ci_taking": "stopped"}})
    html = patient.html("/checkin/page/ci_taking_details")
    assert 'name="ci_stop_reason"' in html and 'name="ci_dose_mg"' not in html
    patient.fill({"ci_taking_details": {"ci_stop_reason": ["side_effects"]},
                  "ci_side_effects": {"ci_side_effects": ["none"]}})
    # "None of these": nothing to ask about side effects, so that page is skipped.
    assert patient.revision("ci_feel") == "3"
    assert patient.page("ci_side_effect_details").headers["Location"] == "/checkin/page/ci_feel"


def test_new_medicines_use_the_screenings_list_and_check(patient, app, made):
    patient.fill(until("ci_safety"))
    patient.fill({"ci_safety": {**CHECKIN_PAGES["ci_safety"], "ci_new_medicines": "yes"}})
    medicines = [{"name": "Zorblax 5 mg", "how_often": "daily"}]
    added = patient.post_page("ci_safety_details", {"ci_medications": medicines}, add_medicine="1")
    html = added.get_data(as_text=True)
    assert added.status_code == 200 and 'value="Zorblax 5 mg"' in html and 'name="ci_medications-1-name"' in html
    assert "ci_medications" not in stored(app, made.checkin_id).answers  # adding a row saves nothing yet
    saved = patient.post_page("ci_safety_details", {"ci_medications": medicines})
    assert saved.headers["Location"] == "/checkin/page/ci_medicines_check"
    check = patient.html("/checkin/page/ci_medicines_check")
    assert "Check these medicines" in check and "Zorblax 5 mg" in check


# --- save and resume, the check page ------------------------------------------------------


def test_opening_the_link_again_resumes_where_they_left_off(app, patient, made):
    patient.fill(until("ci_safety"))
    reopened = CheckinClient(app.test_client(), made.token)
    assert reopened.open_link().headers["Location"] == "/checkin/resume"
    assert reopened.get("/checkin/resume").headers["Location"] == "/checkin/page/ci_safety"
    assert 'value="5" checked' in reopened.html("/checkin/page/ci_feel")  # earlier answers are there


def test_the_check_page_lists_every_answer_with_a_change_link(patient):
    patient.fill(CHECKIN_PAGES)
    html = patient.html("/checkin/check")
    assert "Check your answers before sending them" in html
    assert "Yes, as planned" in html and "1 mg" in html and "Poor sleep" in html and "A little better" in html
    assert '/checkin/page/ci_feel?return=check&amp;answer=pain_average#pain_average' in html
    assert 'action="/checkin/submit"' in html and "Send my answers" in html
    assert "agree to share" not in html  # the screening's consent question is not the check-in's


def test_a_change_link_returns_to_the_changed_row(patient, app, made):
    patient.fill(CHECKIN_PAGES)
    response = patient.post_page("ci_feel", {**CHECKIN_PAGES["ci_feel"], "pain_average": "3"},
                                 query="?return=check&answer=pain_average")
    assert response.headers["Location"] == "/checkin/check#answer-pain_average"
    assert stored(app, made.checkin_id).answers["pain_average"] == 3


def test_a_change_that_opens_new_questions_asks_them_first(patient, app, made):
    patient.fill(CHECKIN_PAGES)
    response = patient.post_page("ci_taking", {"ci_taking": "paused"}, query="?return=check&answer=ci_taking")
    assert response.headers["Location"] == "/checkin/page/ci_taking_details?return=check&answer=ci_taking"
    assert "ci_dose_mg" not in stored(app, made.checkin_id).answers  # the hidden answer is dropped at once
    check = patient.html("/checkin/check")
    assert "Some questions still need an answer" in check and "Send my answers" not in check
    assert patient.submit().headers["Location"] == "/checkin/check"
    assert stored(app, made.checkin_id).submitted is False


def test_a_stale_tab_does_not_overwrite_newer_answers(patient, app, made):
    patient.fill(until("ci_feel"))
    old_revision = patient.revision("ci_feel")
    patient.fill({"ci_feel": CHECKIN_PAGES["ci_feel"]})
    response = patient.client.post("/checkin/page/ci_feel", data={
        "csrf_token": patient.csrf_token("/checkin/page/ci_feel"), "revision": old_revision,
        "pain_average": "9", "ci_pgic": "no_change"})
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and "changed in another window or tab" in html
    assert stored(app, made.checkin_id).answers["pain_average"] == 5


def test_a_page_posted_with_an_old_token_comes_back_unsaved(patient, app, made):
    patient.fill(until("ci_feel"))
    response = patient.client.post("/checkin/page/ci_feel", data={
        "csrf_token": "stale", "revision": patient.revision("ci_feel"), "pain_average": "4"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "this page was not saved" in html and 'value="4" checked' in html
    assert "pain_average" not in stored(app, made.checkin_id).answers


# --- the safety card ---------------------------------------------------------------------


@pytest.mark.parametrize("score", ["1", "3"])
def test_thoughts_of_self_harm_show_what_to_do_now(patient, score):
    patient.fill(until("ci_mood"))
    assert SAFETY not in patient.html("/checkin/page/ci_mood")
    patient.fill({"ci_mood": {"phq9_self_harm": score}})
    later = patient.html("/checkin/page/ci_comments")
    assert SAFETY in later and 'href="tel:999"' in later
    patient.fill({"ci_comments": {}})
    assert SAFETY in patient.html("/checkin/check")
    patient.submit()
    done = patient.html("/checkin/done")
    assert SAFETY in done and "Your answers have been sent" in done


def test_no_safety_card_when_the_answer_is_not_at_all(patient):
    patient.fill(CHECKIN_PAGES)
    assert SAFETY not in patient.html("/checkin/check")
    patient.submit()
    assert SAFETY not in patient.html("/checkin/done")


# --- submit ----------------------------------------------------------------------------------


def test_submit_stores_the_evaluation_once(patient, app, made):
    patient.fill(CHECKIN_PAGES)
    response = patient.submit()
    assert response.headers["Location"] == "/checkin/done"
    done = patient.html("/checkin/done")
    assert "Your answers have been sent" in done and "will read your answers" in done
    checkin = stored(app, made.checkin_id)
    assert checkin.submitted and checkin.submitted_at is not None
    assert checkin.ruleset_version == CHECKIN_RULESET_VERSION == checkin.evaluation["ruleset_version"]
    assert checkin.questionnaire_version == app.extensions["checkin_questionnaire"].version
    assert [flag["rule_id"] for flag in checkin.evaluation["flags"]] == ["FU-09"]
    assert checkin.evaluation["as_of"] == date.today().isoformat()  # UTC; the test runs far from midnight
    assert checkin.evaluation["days_on"] == 7 and checkin.evaluation["planned_dose_mg"] == 1.0
    assert checkin.evaluation["changes"]["pain_average"] == {"baseline": 7, "now": 5, "points": -2, "percent": -28.6}
    assert checkin.urgent is False and checkin.severity_rank == SEVERITY_RANK["info"]
    assert [(e.actor, e.target, e.details["checkin_id"]) for e in _audit(app, "checkin.submitted")] == [
        (f"patient:{made.response_id}", f"response:{made.response_id}", made.checkin_id)]


def test_an_urgent_check_in_ranks_first(patient, app, made):
    patient.fill({**CHECKIN_PAGES, "ci_mood": {"phq9_self_harm": "2"}})
    patient.submit()
    checkin = stored(app, made.checkin_id)
    assert checkin.urgent is True and checkin.severity_rank == SEVERITY_RANK["critical"]
    assert "FU-01" in [flag["rule_id"] for flag in checkin.evaluation["flags"]]


def test_a_check_in_without_flags_ranks_last(patient, app, made):
    patient.fill({**CHECKIN_PAGES, "ci_side_effects": {"ci_side_effects": ["none"]}})
    patient.submit()
    checkin = stored(app, made.checkin_id)
    assert checkin.evaluation["flags"] == [] and checkin.severity_rank == NO_FLAGS_RANK


def test_a_double_submit_stores_once_and_shows_the_done_page(patient, app, made):
    patient.fill(CHECKIN_PAGES)
    first, second = patient.submit(), patient.submit()
    assert first.headers["Location"] == second.headers["Location"] == "/checkin/done"
    assert "Your answers have been sent" in patient.html("/checkin/done")
    assert len(_audit(app, "checkin.submitted")) == 1
    # Afterwards the link and its session show the plain "already sent" page.
    assert "These answers have already been sent" in patient.html("/checkin/done")
    assert patient.page("ci_taking").headers["Location"] == "/checkin/done"


def test_two_tabs_submitting_at_once_store_once(patient, app, made):
    patient.fill(CHECKIN_PAGES)
    csrf = patient.csrf_token("/checkin/check")
    cookie = patient.client.get_cookie("session")
    assert cookie is not None
    tabs = [patient.client, app.test_client()]
    tabs[1].set_cookie("session", cookie.value)  # a second tab of the same browser
    start, results = threading.Barrier(2), []

    def send(tab: Any) -> None:
        start.wait()
        results.append(tab.post("/checkin/submit", data={"csrf_token": csrf}).headers.get("Location"))

    threads = [threading.Thread(target=send, args=(tab,)) for tab in tabs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert results == ["/checkin/done", "/checkin/done"]
    assert len(_audit(app, "checkin.submitted")) == 1


def test_a_submit_that_loses_the_race_stores_nothing(patient, app, made, monkeypatch):
    """Another tab's submit lands between this request's read and its write: the conditional
    UPDATE matches no row, so nothing of this request's evaluation is stored."""
    from screening.followup import journey

    real = journey.submit_checkin
    attempts: list[bool] = []

    def racing(session: Any, row: Any, *args: Any, **kwargs: Any) -> bool:
        session.execute(update(CheckIn).values(submitted=True, submitted_at=utcnow()))
        attempts.append(real(session, row, *args, **kwargs))
        return attempts[-1]

    from screening.patient import checkin_views

    monkeypatch.setattr(checkin_views, "submit_checkin", racing)
    patient.fill(CHECKIN_PAGES)
    assert patient.submit().headers["Location"] == "/checkin/done"
    checkin = stored(app, made.checkin_id)
    assert attempts == [False] and checkin.evaluation is None and not _audit(app, "checkin.submitted")


# --- whose session is it ----------------------------------------------------------------


def test_a_check_in_session_opens_no_screening_page(app, patient):
    for path in ("/questionnaire/", "/questionnaire/page/about_you", "/questionnaire/check", "/questionnaire/done"):
        response = patient.get(path)
        assert response.status_code == 404 and NOT_VALID in response.get_data(as_text=True), path
    assert patient.client.post("/questionnaire/submit", data={
        "csrf_token": patient.csrf_token("/checkin/page/ci_taking")}).status_code == 404
    doctor = patient.get("/doctor/")
    assert doctor.status_code == 302 and doctor.headers["Location"].startswith("/doctor/login")


def test_a_screening_session_opens_no_check_in_page(app, make_link):
    screening = PatientClient(app.test_client(), make_link())
    screening.open_link()
    screening.fill({"about_you": TYPICAL_PAGES["about_you"]})
    for path in ("/checkin/", "/checkin/page/ci_taking", "/checkin/check", "/checkin/done"):
        assert screening.get(path).status_code == 404, path


def test_a_check_in_session_reads_only_its_own_check_in(app, patient, made):
    other = make_checkin(app, patient_ref="P-OTHER")
    other_browser = _browser(app, other)
    other_browser.fill({**until("ci_comments"), "ci_comments": {"ci_comments": "Only mine to read"}})
    patient.fill(until("ci_comments"))
    assert "Only mine to read" not in patient.html("/checkin/page/ci_comments")
    patient.fill({"ci_comments": {"ci_comments": "Mine"}})
    assert stored(app, other.checkin_id).answers["ci_comments"] == "Only mine to read"
    assert "Only mine to read" not in patient.html("/checkin/check")
    # Opening the other link in this browser ends this check-in's session.
    switched = CheckinClient(patient.client, other.token)
    switched.open_link()
    assert "Only mine to read" in switched.html("/checkin/check") and ">Mine<" not in switched.html("/checkin/check")


def test_a_session_of_an_earlier_issue_of_the_link_is_refused(app, patient, made):
    patient.fill(until("ci_feel"))
    with app.extensions["db"].write() as session:
        session.execute(update(CheckIn).values(issue=CheckIn.issue + 1))
    response = patient.page("ci_feel")
    assert response.status_code == 404 and NOT_VALID in response.get_data(as_text=True)


def test_an_expired_link_ends_a_session_in_progress(app, patient, made):
    patient.fill(until("ci_feel"))
    with app.extensions["db"].write() as session:
        session.execute(update(CheckIn).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert patient.page("ci_feel").status_code == 404
    assert patient.submit().status_code == 404
    with app.extensions["db"].read() as session:
        assert session.scalar(select(func.count()).select_from(CheckIn).where(CheckIn.submitted)) == 0


def test_without_a_session_check_in_pages_say_the_link_is_not_valid(client):
    for path in ("/checkin/", "/checkin/resume", "/checkin/page/ci_taking", "/checkin/check", "/checkin/done"):
        response = client.get(path)
        assert response.status_code == 404 and NOT_VALID in response.get_data(as_text=True), path
