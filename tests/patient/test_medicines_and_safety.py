"""The medicine list without JavaScript, and the safety message for thoughts of self-harm."""

from __future__ import annotations

from tests.patient.pages import TYPICAL_PAGES, typical_until

# tests/conftest.py's CRISIS_CONTACT as the safety card shows it.
CRISIS_LINKS = ('Call <a class="contact-link" href="tel:999">999</a> or the test crisis line on '
                '<a class="contact-link" href="tel:0800000000">0800 000 000</a>.')
MEDS = [{"name": "Sertraline 50 mg", "how_often": "daily"}, {"name": "Tramadol", "how_often": "as_needed"}]


def test_add_another_medicine_keeps_what_was_typed(patient, app):
    patient.fill(typical_until("medicines_list"))
    response = patient.post_page("medicines_list", {"medications": MEDS}, add_medicine="1")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'value="Sertraline 50 mg"' in html and 'value="Tramadol"' in html
    assert 'name="medications-2-name"' in html
    assert "medications" not in patient.saved_answers(app)  # adding a row saves nothing yet


def test_remove_takes_out_one_medicine(patient):
    patient.fill(typical_until("medicines_list"))
    html = patient.post_page("medicines_list", {"medications": MEDS}, remove_medicine="0").get_data(as_text=True)
    assert "Sertraline" not in html
    assert 'value="Tramadol"' in html


def test_blank_rows_are_ignored(patient, app):
    patient.fill(typical_until("medicines_list"))
    patient.fill({"medicines_list": {"medications": [*MEDS, {"name": ""}]}})
    assert [m["name"] for m in patient.saved_answers(app)["medications"]] == ["Sertraline 50 mg", "Tramadol"]


def test_a_row_needs_how_often(patient):
    patient.fill(typical_until("medicines_list"))
    html = patient.post_page("medicines_list", {"medications": [{"name": "Tramadol"}]}).get_data(as_text=True)
    assert "Medicine 1: Choose how often you take it" in html
    assert 'href="#medications-0-how_often"' in html


def test_at_least_one_medicine_after_saying_yes(patient):
    patient.fill(typical_until("medicines_list"))
    html = patient.post_page("medicines_list", {"medications": [{"name": ""}]}).get_data(as_text=True)
    assert "Enter at least one medicine" in html


def test_medicine_names_are_limited(patient):
    patient.fill(typical_until("medicines_list"))
    long_name = "x" * 121
    answers = {"medications": [{"name": long_name, "how_often": "daily"}]}
    html = patient.post_page("medicines_list", answers).get_data(as_text=True)
    assert "120 characters or fewer" in html


def _mood_with_self_harm(score: str) -> dict:
    return {**TYPICAL_PAGES["mood"], "phq9_self_harm": score}


def test_self_harm_answer_shows_the_safety_message_next(patient, app):
    patient.fill(typical_until("mood"))
    patient.fill({"mood": _mood_with_self_harm("1")})
    html = patient.page("symptoms").get_data(as_text=True)
    assert "Please get help now if you need it" in html
    assert CRISIS_LINKS in html  # the clinic's CRISIS_CONTACT, its numbers ready to tap
    assert "not watched all the time" in html


def test_safety_message_on_check_and_confirmation_pages(patient, app):
    patient.fill({**TYPICAL_PAGES, "mood": _mood_with_self_harm("3")})
    assert "Please get help now" in patient.get("/questionnaire/check").get_data(as_text=True)
    patient.submit()
    done = patient.get("/questionnaire/done").get_data(as_text=True)
    assert "Please get help now" in done and CRISIS_LINKS in done


def test_no_safety_message_when_the_answer_is_not_at_all(patient):
    patient.fill(TYPICAL_PAGES)
    assert "Please get help now" not in patient.get("/questionnaire/check").get_data(as_text=True)


def test_safety_message_is_not_shown_before_the_question(patient):
    patient.fill({**TYPICAL_PAGES, "mood": _mood_with_self_harm("2")})
    assert "Please get help now" not in patient.page("mood").get_data(as_text=True)
