"""A patient goes from the invitation link to a submitted questionnaire."""

from __future__ import annotations

from tests.patient.pages import TYPICAL_PAGES, typical_until


def test_link_swaps_token_for_session_and_clean_url(patient, app, make_link):
    fresh = app.test_client()
    response = fresh.get(f"/i/{make_link()}")
    assert response.status_code == 302
    assert response.headers["Location"] == "/questionnaire/"
    assert "/i/" not in response.headers["Location"]


def test_start_page_says_how_long_and_how_to_come_back(patient):
    html = patient.get("/questionnaire/").get_data(as_text=True)
    assert "It takes about" in html
    assert "Open your link again" in html


def test_every_page_saves_and_redirects_to_the_next(patient, app):
    first = patient.post_page("about_you", TYPICAL_PAGES["about_you"])
    assert first.status_code == 302
    assert first.headers["Location"] == "/questionnaire/page/pregnancy"
    assert patient.saved_answers(app) == {"date_of_birth": "1978-04-02", "sex_at_birth": "female"}


def test_whole_questionnaire_in_contract_format(patient, app):
    patient.fill(TYPICAL_PAGES)
    answers = patient.saved_answers(app)
    assert answers["medications"] == [
        {"name": "Levothyroxine 100 mcg", "how_often": "daily", "last_taken": "2026-01-01"},
        {"name": "Vitamin D", "how_often": "daily", "last_taken": None},
    ]
    assert answers["conditions"] == ["fibromyalgia", "hashimotos"]
    assert answers["phq4_tired"] == 3
    assert answers["alt_value"] == 22
    assert answers["pain_average"] == 6
    assert "pain_interference" not in answers  # optional and left blank: absent, not 0


def test_last_page_leads_to_check_answers(patient):
    pages = dict(TYPICAL_PAGES)
    confirm = pages.pop("confirm")
    patient.fill(pages)
    response = patient.post_page("confirm", confirm)
    assert response.headers["Location"] == "/questionnaire/check"


def test_progress_shows_the_section(patient):
    patient.fill(typical_until("opioids_recent"))
    html = patient.page("opioids_recent").get_data(as_text=True)
    assert "Section 4 of 10: Strong painkillers (opioids)" in html


def test_back_link_goes_to_the_previous_shown_page(patient):
    patient.fill({"about_you": {**TYPICAL_PAGES["about_you"], "sex_at_birth": "male"}})
    patient.fill({"reasons": TYPICAL_PAGES["reasons"]})
    html = patient.page("medicines").get_data(as_text=True)
    assert 'href="/questionnaire/page/reasons"' in html  # pregnancy and reasons_other skipped


def test_submit_locks_answers_and_shows_what_happens_next(patient, app):
    patient.fill(TYPICAL_PAGES)
    response = patient.submit()
    assert response.headers["Location"] == "/questionnaire/done"
    html = patient.get("/questionnaire/done").get_data(as_text=True)
    assert "What happens next" in html
    # A locked questionnaire: pages now lead to the confirmation.
    assert patient.page("about_you").headers["Location"] == "/questionnaire/done"
    again = patient.post_page("about_you", {"sex_at_birth": "male"})
    assert again.headers["Location"] == "/questionnaire/done"
    assert patient.saved_answers(app)["sex_at_birth"] == "female"
