"""Issue 12, findings 1 and 2: a patient link that really ends.

Each test uses real browsers (separate test clients, each with its own cookie jar): a
patient's phone, a laptop, someone holding a copied cookie. Re-issue, revoke and submit
end every session opened before them at once; the current link still lets a patient leave
and come back; a submitted link shows only a generic "already sent" page.
"""

from __future__ import annotations

import re

import pytest
from flask import Flask
from sqlalchemy import select

from screening.models import Invitation, QuestionnaireResponse
from screening.patient.responses import save_page_answers, store_page_save
from tests.doctor_fixtures import DoctorClient
from tests.patient.pages import TYPICAL_PAGES, typical_until
from tests.patient_client import PatientClient

NEW_LINK = re.compile(r'readonly value="http://localhost/i/([^"]+)"')
NOT_VALID = "This link is not valid"
SELF_HARM_MOOD = {**TYPICAL_PAGES["mood"], "phq9_self_harm": "3"}


def _browser(app: Flask, token: str) -> PatientClient:
    browser = PatientClient(app.test_client(), token)
    assert browser.open_link().status_code == 302
    return browser


def _invitation_id(app: Flask) -> int:
    with app.extensions["db"].read() as session:
        return int(session.scalars(select(Invitation.id)).one())


def _reissue(app: Flask, doctor: DoctorClient) -> str:
    html = doctor.post(f"/doctor/invitations/{_invitation_id(app)}/reissue").get_data(as_text=True)
    match = NEW_LINK.search(html)
    assert match, html
    return match.group(1)


def _revoke(app: Flask, doctor: DoctorClient) -> None:
    assert doctor.post(f"/doctor/invitations/{_invitation_id(app)}/revoke").status_code == 200


def _assert_dead(browser: PatientClient) -> None:
    """Every patient page, read or write, answers with the plain "not valid" page."""
    for path in ("/questionnaire/", "/questionnaire/resume", "/questionnaire/page/about_you",
                 "/questionnaire/check", "/questionnaire/done"):
        response = browser.get(path)
        assert response.status_code == 404, path
        html = response.get_data(as_text=True)
        assert NOT_VALID in html and "1978" not in html, path


def _post_reasons(browser: PatientClient, goal: str) -> int:
    """A save from this browser, with a CSRF token and revision it got while it was alive."""
    return browser.client.post("/questionnaire/page/reasons", data={
        "csrf_token": browser._csrf, "revision": "2", "conditions": "fibromyalgia", "main_goal": goal,
    }).status_code


def test_reissue_ends_the_old_session_at_once(app, make_link, doctor):
    old = make_link()
    phone = _browser(app, old)
    phone.fill(typical_until("reasons"))
    phone.csrf_token("/questionnaire/page/reasons")  # a token held from before the re-issue
    new = _reissue(app, doctor)
    _assert_dead(phone)
    assert _post_reasons(phone, "Written from the old session") == 404
    assert "main_goal" not in phone.saved_answers(app)
    laptop = _browser(app, new)  # the current link resumes, answers kept
    assert laptop.get("/questionnaire/resume").headers["Location"] == "/questionnaire/page/reasons"
    assert 'value="1978"' in laptop.page("about_you").get_data(as_text=True)


def test_revoke_ends_the_session_and_revoke_then_reissue_does_not_bring_it_back(app, make_link, doctor):
    phone = _browser(app, make_link())
    phone.fill(typical_until("reasons"))
    phone.csrf_token("/questionnaire/page/reasons")
    probe = PatientClient(app.test_client(), "")  # the same cookie in another browser: it looks, the phone does not
    probe.client.set_cookie("session", phone.client.get_cookie("session").value)
    _revoke(app, doctor)
    _assert_dead(probe)
    new = _reissue(app, doctor)  # the phone's session lay dormant through the revoke: it must stay dead
    _assert_dead(phone)
    assert _post_reasons(phone, "Written from the revoked session") == 404
    assert "main_goal" not in phone.saved_answers(app)
    assert _browser(app, new).get("/questionnaire/resume").headers["Location"] == "/questionnaire/page/reasons"


def test_a_copied_cookie_dies_with_the_reissue(app, make_link, doctor):
    phone = _browser(app, make_link())
    phone.fill(typical_until("reasons"))
    copied = app.test_client()
    copied.set_cookie("session", phone.client.get_cookie("session").value)
    assert copied.get("/questionnaire/page/about_you").status_code == 200  # a stolen cookie works until...
    _reissue(app, doctor)
    assert copied.get("/questionnaire/page/about_you").status_code == 404  # ...the clinic re-issues


def test_leave_and_come_back_through_the_current_link(app, make_link):
    token = make_link()
    phone = _browser(app, token)
    phone.fill(typical_until("reasons"))
    again = _browser(app, token)  # the same link, another day or another device
    assert again.get("/questionnaire/resume").headers["Location"] == "/questionnaire/page/reasons"
    again.fill({"reasons": TYPICAL_PAGES["reasons"]})
    assert again.saved_answers(app)["main_goal"] == TYPICAL_PAGES["reasons"]["main_goal"]


def test_after_submit_the_link_and_every_session_show_only_a_generic_page(app, make_link):
    token = make_link()
    phone, laptop = _browser(app, token), _browser(app, token)
    phone.fill({**TYPICAL_PAGES, "mood": SELF_HARM_MOOD})
    laptop.csrf_token("/questionnaire/page/reasons")
    assert phone.submit().headers["Location"] == "/questionnaire/done"
    right_after = phone.get("/questionnaire/done").get_data(as_text=True)
    assert "Your answers have been sent" in right_after
    assert "Please get help now" in right_after  # the patient who just sent them still sees the card

    for later in (phone.get("/questionnaire/done"), laptop.get("/questionnaire/done"),
                  app.test_client().get(f"/i/{token}")):
        html = later.get_data(as_text=True)
        assert later.status_code in (200, 404)
        assert "Please get help now" not in html and "tel:0800000000" not in html
        assert "hurting yourself" not in html and "1978" not in html and "Walk my dog" not in html
    reopened = app.test_client().get(f"/i/{token}")
    assert reopened.status_code == 200 and "already been sent" in reopened.get_data(as_text=True)
    assert "already been sent" in phone.get("/questionnaire/done").get_data(as_text=True)
    for path in ("/questionnaire/", "/questionnaire/check", "/questionnaire/page/about_you"):
        html = phone.get(path, follow_redirects=True).get_data(as_text=True)
        assert "1978" not in html and "Please get help now" not in html, path
    assert _post_reasons(laptop, "After the submit") in (302, 404)
    assert phone.saved_answers(app)["main_goal"] == TYPICAL_PAGES["reasons"]["main_goal"]


def test_opening_a_submitted_link_starts_no_session(app, make_link):
    token = make_link()
    phone = _browser(app, token)
    phone.fill(TYPICAL_PAGES)
    phone.submit()
    stranger = app.test_client()
    stranger.get(f"/i/{token}")
    for path in ("/questionnaire/check", "/questionnaire/page/about_you"):
        assert stranger.get(path).status_code == 404, path


@pytest.mark.parametrize("action", ["reissue", "revoke"])
def test_a_save_validated_before_the_link_changed_never_lands(app, make_link, doctor, action):
    """The conditional UPDATE itself refuses a save from a session whose issue has ended."""
    phone = _browser(app, make_link())
    phone.fill(typical_until("reasons"))
    with app.extensions["db"].read() as session:
        response = session.scalars(select(QuestionnaireResponse)).one()
        issue = session.scalars(select(Invitation)).one().issue
        response_id, revision, answers = response.id, response.revision, dict(response.answers)
    save = save_page_answers(app.extensions["questionnaire"], answers, "reasons",
                             {"conditions": ["fibromyalgia"], "main_goal": "Raced in"})
    if action == "reissue":
        _reissue(app, doctor)
    else:
        _revoke(app, doctor)
        _reissue(app, doctor)  # active again: only the issue tells the old session apart
    with app.extensions["db"].write() as session:
        assert store_page_save(session, response_id, revision, issue, save) is False
    assert "main_goal" not in phone.saved_answers(app)
