"""Bad input gets a clear message beside the field and in the summary, and nothing typed is lost."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.patient.pages import TYPICAL_PAGES, typical_until

DOB = TYPICAL_PAGES["about_you"]["date_of_birth"]
TOMORROW = date.today() + timedelta(days=1)


@pytest.mark.parametrize(
    ("dob", "message"),
    [
        ({"day": "31", "month": "2", "year": "1980"}, "Enter a real date"),
        ({"day": "x", "month": "2", "year": "1980"}, "Use numbers only"),
        ({"day": "3", "month": "", "year": "1980"}, "must include a month"),
        ({"day": "", "month": "", "year": "1980"}, "must include a day and a month"),
        ({"day": "3", "month": "2", "year": "80"}, "The year must have 4 numbers"),
        ({"day": "3", "month": "2", "year": "1899"}, "on or after 1 January 1900"),
        ({"day": str(TOMORROW.day), "month": str(TOMORROW.month), "year": str(TOMORROW.year)},
         "today or in the past"),
        ({"day": "", "month": "", "year": ""}, "Enter a date"),
    ],
)
def test_bad_date_of_birth_is_explained_and_kept(patient, app, dob, message):
    response = patient.post_page("about_you", {"date_of_birth": dob, "sex_at_birth": "female"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in html
    assert 'class="error-summary"' in html and 'href="#date_of_birth"' in html
    assert 'value="female" checked' in html  # the other answer on the page is kept
    assert f'name="date_of_birth-year" type="text" inputmode="numeric" value="{dob["year"]}"' in html
    assert patient.saved_answers(app) == {}


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("0", "Enter a number from 1 to 10000"),
        ("20000", "Enter a number from 1 to 10000"),
        ("NaN", "Enter a number, like 42"),
        ("1e309", "Enter a number, like 42"),
        ("४२", "Type the number with the digits 0 to 9"),  # never converted (questionnaire.md "Typing numbers")
        ("4_2", "Enter a number, like 42"),
        ("-5", "Enter a number, like 42"),
        ("forty", "Enter a number, like 42"),
    ],
)
def test_bad_lab_numbers_are_rejected_with_the_page_kept(patient, typed, message):
    patient.fill(typical_until("liver_tests"))
    response = patient.post_page("liver_tests", {"liver_test_abnormal": "yes", "alt_value": typed, "alt_uln": "40"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in html
    assert 'value="40"' in html
    assert 'value="yes" checked' in html


def test_a_decimal_comma_is_never_guessed(patient, app):
    # questionnaire.md "Typing numbers": "1,200" could mean 1200 or 1.2, so a comma is
    # refused with a message saying what to type (tests/patient/test_typing_numbers.py).
    patient.fill(typical_until("liver_tests"))
    response = patient.post_page(
        "liver_tests", {"liver_test_abnormal": "no", "bilirubin_value": "0,8", "bilirubin_uln": "1.2"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Type the number without commas or spaces" in html and 'value="0,8"' in html
    assert "bilirubin_value" not in patient.saved_answers(app)
    patient.fill({"liver_tests": {"liver_test_abnormal": "no", "bilirubin_value": "0.8", "bilirubin_uln": "1.2"}})
    answers = patient.saved_answers(app)
    assert (answers["bilirubin_value"], answers["bilirubin_uln"]) == (0.8, 1.2)


@pytest.mark.parametrize(
    ("page", "answers", "field"),
    [
        ("about_you", {"date_of_birth": DOB, "sex_at_birth": "alien"}, "sex_at_birth"),
        ("reasons", {"conditions": ["fibromyalgia", "not_a_code"]}, "conditions"),
    ],
)
def test_unknown_codes_are_rejected(patient, page, answers, field):
    patient.fill(typical_until(page))
    html = patient.post_page(page, answers).get_data(as_text=True)
    assert "Choose one of the answers shown" in html
    assert f'href="#{field}"' in html


def test_scale_answers_accept_only_ascii_digits(patient):
    patient.fill(typical_until("mood"))
    html = patient.post_page("mood", {**TYPICAL_PAGES["mood"], "phq2_down": "३"}).get_data(as_text=True)
    assert 'href="#phq2_down"' in html


def test_over_long_text_is_rejected_and_kept(patient):
    patient.fill(typical_until("reasons"))
    long_goal = "a" * 501
    html = patient.post_page("reasons", {"conditions": ["crps"], "main_goal": long_goal}).get_data(as_text=True)
    assert "500 characters or fewer" in html
    assert long_goal in html
    assert 'value="crps" checked' in html


def test_control_characters_are_rejected(patient):
    patient.fill(typical_until("reasons"))
    html = patient.post_page("reasons", {"conditions": ["crps"], "main_goal": "hello\x00world"}).get_data(as_text=True)
    assert "Remove the unusual characters" in html


def test_none_cannot_be_combined(patient):
    patient.fill(typical_until("liver"))
    answers = {**TYPICAL_PAGES["liver"], "liver_conditions": ["none", "cirrhosis"]}
    html = patient.post_page("liver", answers).get_data(as_text=True)
    assert "Choose &#39;None of these&#39; on its own" in html or "Choose 'None of these' on its own" in html


def test_required_questions_are_named_in_the_summary(patient):
    html = patient.post_page("about_you", {}).get_data(as_text=True)
    assert 'href="#date_of_birth"' in html and 'href="#sex_at_birth"' in html
    assert "What sex were you given at birth?: Choose an answer" in html


def test_surgery_may_be_in_the_future_but_not_years_away(patient, app):
    patient.fill(typical_until("opioids_followup"))
    patient.fill({"opioids_history": {**TYPICAL_PAGES["opioids_history"], "surgery_planned": "yes"}})
    soon = date.today() + timedelta(days=20)
    far = date.today() + timedelta(days=1000)
    as_parts = lambda d: {"day": str(d.day), "month": str(d.month), "year": str(d.year)}  # noqa: E731
    rejected = patient.post_page("opioids_followup", {"surgery_date": as_parts(far)})
    assert "The date must be on or before" in rejected.get_data(as_text=True)
    patient.fill({"opioids_followup": {"surgery_date": as_parts(soon)}})
    assert patient.saved_answers(app)["surgery_date"] == soon.isoformat()
