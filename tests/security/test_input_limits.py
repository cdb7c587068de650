"""T12–T15, T19–T29: sizes, odd bytes, lenient numbers, dates and tampered choices.

Every case ends in a clear answer (a message or a 4xx page), never a 500, and the
answers already saved are unchanged.
"""

from __future__ import annotations

import pytest

from screening.questionnaire.reading import clean_text
from tests.patient.pages import TYPICAL_PAGES, typical_until


def _page_html(response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code < 500
    return response.get_data(as_text=True)


def test_t12_oversized_body_is_refused(patient, app):
    response = patient.client.post("/questionnaire/page/about_you", data=b"a=" + b"x" * 400_000,
                                   content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert "too much to send at once" in response.get_data(as_text=True)
    assert patient.saved_answers(app) == {}


def test_t13_oversized_single_field_is_refused_not_truncated(patient, app):
    patient.fill(typical_until("reasons"))
    response = patient.post_page("reasons", {"conditions": ["crps"], "main_goal": "A" * 200_000})
    assert "500 characters or fewer" in _page_html(response)
    assert "main_goal" not in patient.saved_answers(app)


def test_t14_field_count_flood_is_refused_or_ignored(patient, app):
    flood = {f"a{n}": "1" for n in range(3000)}
    response = patient.post_page("about_you", {**TYPICAL_PAGES["about_you"], **flood})
    assert response.status_code in (302, 400, 413)
    assert set(patient.saved_answers(app)) <= {"date_of_birth", "sex_at_birth"}


@pytest.mark.parametrize("field, values", [
    ("sex_at_birth", ["female", "male"]),
])
def test_t15_a_repeated_single_answer_is_refused(patient, app, field, values):
    data = {"csrf_token": patient.csrf_token("/questionnaire/page/about_you"),
            "revision": patient.revision("about_you"), "date_of_birth-day": "2", "date_of_birth-month": "4",
            "date_of_birth-year": "1978", field: values}
    html = _page_html(patient.client.post("/questionnaire/page/about_you", data=data))
    assert "Give only one answer" in html
    assert patient.saved_answers(app) == {}


@pytest.mark.parametrize("text", ["abc\x00def", "line\x1bescape", "bad \ufffd byte"])
def test_t19_t20_control_characters_and_bad_bytes_in_text_get_a_message(patient, text):
    patient.fill(typical_until("reasons"))
    html = _page_html(patient.post_page("reasons", {"conditions": ["crps"], "main_goal": text}))
    assert "Remove the unusual characters" in html


def test_t20_invalid_utf8_in_a_raw_body_never_reaches_the_database_as_bad_text(patient, app):
    patient.fill(typical_until("reasons"))
    body = (f"csrf_token={patient.csrf_token('/questionnaire/page/reasons')}&revision={patient.revision('reasons')}"
            "&conditions=crps&main_goal=%FF%FE%ED%A0%80%C0%AF").encode()
    response = patient.client.post("/questionnaire/page/reasons", data=body,
                                   content_type="application/x-www-form-urlencoded")
    _page_html(response)
    saved = patient.saved_answers(app).get("main_goal", "")
    saved.encode("utf-8")  # valid text (Werkzeug keeps undecodable escapes literally), or refused
    assert "\ufffd" not in saved


@pytest.mark.parametrize("path", ["/i/abc%00def", "/doctor/?q=abc%00def", "/doctor/audit?actor=%00"])
def test_t19_nul_in_urls_is_a_plain_400_or_404(client, doctor, path):
    response = doctor.get(path) if path.startswith("/doctor") else client.get(path)
    assert response.status_code in (400, 404)


@pytest.mark.parametrize("text", [
    "Allergies: none\u202e ;nillicinep",        # T21 bidi
    "Jo\u200bhn J\u043ehn \uff4a\uff4f\uff48\uff4e",   # T22 zero-width, homoglyph, full-width
    "\U0001f642\U0001f468\u200d\U0001f469\u200d\U0001f467 \u80f8\u75db",  # T24 emoji and CJK
])
def test_t21_t22_t24_unusual_but_meaningful_text_round_trips(patient, app, text):
    """Kept as typed, less the invisible format characters questionnaire.md says go."""
    patient.fill(typical_until("reasons"))
    patient.fill({"reasons": {"conditions": ["crps"], "main_goal": text}})
    assert patient.saved_answers(app)["main_goal"] == clean_text(text)


def test_t23_combining_mark_flood_counts_code_points(patient):
    patient.fill(typical_until("reasons"))
    html = _page_html(patient.post_page("reasons", {"conditions": ["crps"], "main_goal": "e" + "\u0301" * 600}))
    assert "500 characters or fewer" in html


@pytest.mark.parametrize("typed", ["-5", "1e309", "NaN", "Infinity", "0x10", "4_2", "४२", "42abc", "1" * 30])
def test_t26_lenient_numbers_are_refused(patient, typed):
    patient.fill(typical_until("liver_tests"))
    html = _page_html(patient.post_page("liver_tests", {"liver_test_abnormal": "no", "alt_value": typed}))
    assert 'href="#alt_value"' in html


@pytest.mark.parametrize("parts", [
    {"day": "1", "month": "1", "year": "2999"},
    {"day": "1", "month": "1", "year": "1800"},
    {"day": "30", "month": "2", "year": "2024"},
    {"day": "1", "month": "13", "year": "2023"},
    {"day": "0", "month": "0", "year": "0000"},
    {"day": "", "month": "", "year": "20240101"},
])
def test_t28_impossible_dates_are_refused(patient, parts):
    html = _page_html(patient.post_page("about_you", {"date_of_birth": parts, "sex_at_birth": "female"}))
    assert 'href="#date_of_birth"' in html


@pytest.mark.parametrize("value", ["maybe", "<script>", "male_or_female", "pcos", ""])
def test_t29_tampered_choices_are_refused(patient, app, value):
    html = _page_html(patient.post_page("about_you", {**TYPICAL_PAGES["about_you"], "sex_at_birth": value}))
    assert 'href="#sex_at_birth"' in html
    assert patient.saved_answers(app) == {}
