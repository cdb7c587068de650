"""A stale second tab cannot silently overwrite answers saved since it was opened."""

from __future__ import annotations

from tests.patient.pages import TYPICAL_PAGES, typical_until


def test_a_stale_tab_is_told_and_saves_nothing(patient, app):
    patient.fill(typical_until("reasons"))
    old_revision = patient.revision("about_you")                 # tab B opened here
    patient.fill({"reasons": TYPICAL_PAGES["reasons"]})          # tab A moves on
    response = patient.client.post("/questionnaire/page/about_you", data={
        "csrf_token": patient.csrf_token("/questionnaire/page/about_you"), "revision": old_revision,
        "date_of_birth-day": "2", "date_of_birth-month": "4", "date_of_birth-year": "1978", "sex_at_birth": "male"})
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "changed in another window or tab" in html and 'value="male" checked' in html
    answers = patient.saved_answers(app)
    assert answers["sex_at_birth"] == "female" and answers["pregnant"] == "no"


def test_pressing_again_after_the_warning_saves(patient, app):
    patient.fill(typical_until("reasons"))
    patient.fill({"about_you": {**TYPICAL_PAGES["about_you"], "sex_at_birth": "intersex"}})
    assert patient.saved_answers(app)["sex_at_birth"] == "intersex"
