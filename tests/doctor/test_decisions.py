"""Accepting and overriding flags, marking reviewed, and two doctors acting at once."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from screening.models import AuditEvent, FlagDecision, QuestionnaireResponse
from tests.doctor_fixtures import DoctorClient

KIDNEY = {"kidney_disease": "dialysis"}  # REN-01


@pytest.fixture
def case(submit) -> int:
    return submit("PT-DEC", KIDNEY)


def _told(browser, response, message: str) -> bool:
    """The action redirected to the summary, which shows `message` (flashed, fixed text)."""
    return message in browser.get(response.headers["Location"]).get_data(as_text=True)


def _decisions(app):
    with app.extensions["db"].read() as session:
        return session.scalars(select(FlagDecision)).all()


def test_accept_a_flag(app, doctor, case):
    response = doctor.post(f"/doctor/submissions/{case}/flags/REN-01", {"decision": "accepted", "version": "0"})
    assert _told(doctor, response, "Flag accepted.")
    [decision] = _decisions(app)
    assert (decision.rule_id, decision.decision, decision.version) == ("REN-01", "accepted", 1)
    html = doctor.get(f"/doctor/submissions/{case}").get_data(as_text=True)
    assert "<strong>Accepted</strong> by dr.who@clinic.example" in html


def test_accept_as_a_browser_posts_it_with_the_empty_reason_option(app, doctor, case):
    doctor.post(f"/doctor/submissions/{case}/flags/REN-01",
                {"decision": "accepted", "reason_code": "", "reason_text": "", "version": "0"})
    [decision] = _decisions(app)
    assert (decision.decision, decision.reason_code) == ("accepted", None)


INVALID_DECISIONS = [
    # (what the doctor sent, the field whose error shows, the message)
    ({"decision": "overridden", "reason_text": "Seen by renal team last week"}, "REN-01-reason",
     "Choose a reason for overriding this flag"),
    ({"decision": "overridden", "reason_code": "other"}, "REN-01-note", "Explain the reason in the note"),
    ({"reason_text": "Not sure yet"}, "REN-01-accept", "Choose accept or override"),
]


def _flag_card(html: str) -> str:
    return html.split('id="flag-REN-01"')[1].split("</article>")[0]


@pytest.mark.parametrize(("sent", "field", "message"), INVALID_DECISIONS)
def test_an_invalid_decision_stores_nothing(app, doctor, case, sent, field, message):
    response = doctor.post(f"/doctor/submissions/{case}/flags/REN-01", {**sent, "version": "0"})
    assert response.status_code == 400
    assert _decisions(app) == []


@pytest.mark.parametrize(("sent", "field", "message"), INVALID_DECISIONS)
def test_an_invalid_decision_reopens_its_form_with_the_error_beside_the_field(doctor, case, sent, field, message):
    card = _flag_card(doctor.post(f"/doctor/submissions/{case}/flags/REN-01",
                                  {**sent, "version": "0"}).get_data(as_text=True))
    assert '<details class="flag__decide" open>' in card
    error = f'<p class="error-message" id="{field}-error"><span class="visually-hidden">Error:</span> {message}</p>'
    assert error in card
    assert f'aria-describedby="{field}-error"' in card
    assert f'<li><a href="#{field}">{message}</a></li>' in card  # the summary links to the field


@pytest.mark.parametrize(("sent", "field", "message"), INVALID_DECISIONS)
def test_an_invalid_decision_keeps_everything_typed(doctor, case, sent, field, message):
    card = _flag_card(doctor.post(f"/doctor/submissions/{case}/flags/REN-01",
                                  {**sent, "version": "0"}).get_data(as_text=True))
    if "reason_text" in sent:
        assert f">{sent['reason_text']}</textarea>" in card
    if "decision" in sent:
        assert f'value="{sent["decision"]}" checked' in card
    if "reason_code" in sent:
        assert f'value="{sent["reason_code"]}" selected' in card


def test_an_invalid_decision_takes_focus_where_it_is(doctor, case):
    html = doctor.post(f"/doctor/submissions/{case}/flags/REN-01",
                       {"decision": "overridden", "version": "0"}).get_data(as_text=True)
    assert 'class="error-summary" role="alert" tabindex="-1" autofocus' in _flag_card(html)
    assert html.count("autofocus") == 1
    assert "Choose a reason" not in html.split('id="flag-REN-01"')[0]  # not a notice at the top


def test_other_flags_forms_stay_closed_and_empty(doctor, submit):
    response_id = submit("PT-TWO", {**KIDNEY, "immunosuppressants": "unsure"})  # REN-01 and TX-02
    html = doctor.post(f"/doctor/submissions/{response_id}/flags/REN-01",
                       {"decision": "overridden", "version": "0"}).get_data(as_text=True)
    other = html.split('id="flag-TX-02"')[1].split("</article>")[0]
    assert "<details class=\"flag__decide\">" in other and "error-message" not in other


def test_override_with_a_listed_reason_and_note(app, doctor, case):
    doctor.post(f"/doctor/submissions/{case}/flags/REN-01", {
        "decision": "overridden", "reason_code": "specialist_advice", "reason_text": "Renal team agrees",
        "version": "0",
    })
    [decision] = _decisions(app)
    assert (decision.reason_code, decision.reason_text) == ("specialist_advice", "Renal team agrees")
    html = doctor.get(f"/doctor/submissions/{case}").get_data(as_text=True)
    assert "Specialist advice obtained" in html and "Renal team agrees" in html


def test_unknown_rule_or_flag_not_raised_is_not_found(doctor, case):
    response = doctor.post(f"/doctor/submissions/{case}/flags/PREG-01", {"decision": "accepted", "version": "0"})
    assert response.status_code == 404


def test_two_doctors_deciding_at_once_never_overwrite_silently(app, doctor, make_doctor, case):
    make_doctor("second@clinic.example")
    other = DoctorClient(app.test_client())
    other.login("second@clinic.example")
    # Both opened the page at version 0; the first to save wins, the second is told.
    doctor.post(f"/doctor/submissions/{case}/flags/REN-01", {"decision": "accepted", "version": "0"})
    late = other.post(f"/doctor/submissions/{case}/flags/REN-01", {
        "decision": "overridden", "reason_code": "not_applicable", "version": "0"})
    assert _told(other, late, "Another doctor changed this flag first")
    [decision] = _decisions(app)
    assert decision.decision == "accepted"
    # Deciding again from the fresh version works.
    other.post(f"/doctor/submissions/{case}/flags/REN-01", {
        "decision": "overridden", "reason_code": "not_applicable", "version": "1"})
    [decision] = _decisions(app)
    assert (decision.decision, decision.version) == ("overridden", 2)


def test_mark_reviewed_with_a_note_and_conflict(app, doctor, case):
    doctor.post(f"/doctor/submissions/{case}/review", {"note": "Discussed dialysis plan", "version": "0"})
    stale = doctor.post(f"/doctor/submissions/{case}/review", {"note": "Overwrite?", "version": "0"})
    assert _told(doctor, stale, "Another doctor reviewed this first")
    with app.extensions["db"].read() as session:
        response = session.get(QuestionnaireResponse, case)
        assert (response.review_status, response.review_note, response.review_version) == (
            "reviewed", "Discussed dialysis plan", 1)


def test_decisions_and_reviews_are_audited(app, doctor, case):
    doctor.post(f"/doctor/submissions/{case}/flags/REN-01", {"decision": "accepted", "version": "0"})
    doctor.post(f"/doctor/submissions/{case}/review", {"note": "", "version": "0"})
    with app.extensions["db"].read() as session:
        actions = set(session.scalars(select(AuditEvent.action)))
    assert {"flag.accepted", "submission.reviewed"} <= actions
