"""Leaving and coming back, changing answers from the check page, and submitting once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from screening.models import Invitation, QuestionnaireResponse, StoredEvaluation
from tests.patient.pages import TYPICAL_PAGES, typical_until
from tests.patient_client import PatientClient


def test_opening_the_link_again_resumes_where_they_left_off(app, patient):
    patient.fill(typical_until("opioids_recent"))
    browser_reopened = PatientClient(app.test_client(), patient.token)
    first = browser_reopened.open_link()
    assert first.headers["Location"] == "/questionnaire/resume"
    resumed = browser_reopened.get("/questionnaire/resume")
    assert resumed.headers["Location"] == "/questionnaire/page/opioids_recent"
    html = browser_reopened.page("about_you").get_data(as_text=True)
    assert 'value="1978"' in html  # earlier answers are there to review


def test_check_page_lists_every_answer_with_a_change_link(patient):
    patient.fill(TYPICAL_PAGES)
    html = patient.get("/questionnaire/check").get_data(as_text=True)
    assert "2 April 1978" in html
    assert "Levothyroxine 100 mcg: Every day, last taken 1 January 2026" in html
    assert "Fibromyalgia" in html and "Hashimoto&#39;s (an autoimmune thyroid illness)" in html
    assert '/questionnaire/page/about_you?return=check&amp;answer=date_of_birth#date_of_birth' in html
    assert "Send my answers" in html


def test_change_link_returns_to_the_check_page(patient, app):
    patient.fill(TYPICAL_PAGES)
    response = patient.post_page("symptoms", {"pain_average": "9"}, query="?return=check&answer=pain_average")
    assert response.headers["Location"] == "/questionnaire/check#answer-pain_average"
    assert patient.saved_answers(app)["pain_average"] == 9


def test_a_change_that_opens_new_questions_asks_them_first(patient):
    patient.fill(TYPICAL_PAGES)
    response = patient.post_page("opioids_recent", {"opioid_recent": "yes"}, query="?return=check")
    assert response.headers["Location"] == "/questionnaire/page/opioids_recent_details?return=check"
    check = patient.get("/questionnaire/check").get_data(as_text=True)
    assert "Some questions still need an answer" in check
    assert "Send my answers" not in check


def test_an_incomplete_questionnaire_cannot_be_submitted(patient, app):
    patient.fill(typical_until("mood"))
    patient.submit()
    with app.extensions["db"].read() as session:
        assert session.scalar(select(QuestionnaireResponse.submitted)) is False


def test_sharing_must_be_agreed_to_submit(patient, app):
    patient.fill({**TYPICAL_PAGES, "confirm": {"consent_share": "no"}})
    html = patient.get("/questionnaire/check").get_data(as_text=True)
    assert "you need to agree to share them" in html
    assert patient.submit().headers["Location"] == "/questionnaire/check"
    with app.extensions["db"].read() as session:
        assert session.scalar(select(QuestionnaireResponse.submitted)) is False


def test_double_submit_makes_one_submission(patient, app):
    patient.fill(TYPICAL_PAGES)
    first, second = patient.submit(), patient.submit()
    assert first.headers["Location"] == second.headers["Location"] == "/questionnaire/done"
    with app.extensions["db"].read() as session:
        assert session.scalar(select(func.count()).select_from(StoredEvaluation)) == 1
        assert session.scalar(select(QuestionnaireResponse.submitted)) is True


def test_submission_is_evaluated_and_stored(patient, app):
    patient.fill(TYPICAL_PAGES)
    patient.submit()
    with app.extensions["db"].read() as session:
        evaluation = session.scalars(select(StoredEvaluation)).one()
        assert evaluation.kind == "submission"
        assert evaluation.ruleset_version


def _expire(app, token_hash_filter=None):
    with app.extensions["db"].write() as session:
        for invitation in session.scalars(select(Invitation)):
            invitation.expires_at = datetime.now(UTC) - timedelta(minutes=1)


def _revoke(app):
    with app.extensions["db"].write() as session:
        for invitation in session.scalars(select(Invitation)):
            invitation.status = "revoked"


@pytest.mark.parametrize("spoil", [None, _expire, _revoke])
def test_unusable_links_all_get_the_same_plain_page(app, make_link, spoil):
    token = make_link(patient_ref="SECRET-REF-42")
    if spoil:
        spoil(app)
    else:
        token = token[:-4] + "zzzz"
    response = app.test_client().get(f"/i/{token}")
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "This link is not valid" in html
    assert "SECRET-REF-42" not in html


def test_an_expired_link_ends_a_session_in_progress(app, patient):
    patient.fill(typical_until("reasons"))
    _expire(app)
    response = patient.page("reasons")
    assert response.status_code == 404
    assert "This link is not valid" in response.get_data(as_text=True)


def test_without_a_session_pages_say_the_link_is_not_valid(client):
    for path in ("/questionnaire/", "/questionnaire/page/about_you", "/questionnaire/check", "/questionnaire/done"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "This link is not valid" in response.get_data(as_text=True)


def test_unknown_page_is_not_found(patient):
    assert patient.page("no_such_page").status_code == 404
