"""Every "shown when" condition of questionnaire.md shows and hides its questions."""

from __future__ import annotations

import pytest

from screening.questionnaire import QUESTIONNAIRE
from tests.patient.pages import TYPICAL_PAGES

# question, answers that show it, answers that hide it
CONDITIONS = [
    ("pregnant", {"sex_at_birth": "female"}, {"sex_at_birth": "male"}),
    ("pregnant", {"sex_at_birth": "intersex"}, {"sex_at_birth": "male"}),
    ("pregnant", {"sex_at_birth": "prefer_not_to_say"}, {"sex_at_birth": "male"}),
    ("trying_to_conceive", {"sex_at_birth": "female"}, {"sex_at_birth": "male"}),
    ("breastfeeding", {"sex_at_birth": "female"}, {"sex_at_birth": "male"}),
    ("conditions_other", {"conditions": ["pcos", "other"]}, {"conditions": ["pcos"]}),
    ("medications", {"takes_medications": "yes"}, {"takes_medications": "no"}),
    ("opioid_last_dose", {"opioid_recent": "yes"}, {"opioid_recent": "no"}),
    ("opioid_last_dose", {"opioid_recent": "unsure"}, {"opioid_recent": "no"}),
    ("opioid_pattern", {"opioid_recent": "yes"}, {"opioid_recent": "no"}),
    ("opioid_withdrawal_now", {"opioid_recent": "unsure"}, {"opioid_recent": "no"}),
    ("opioid_treatment_last_dose", {"opioid_treatment": "current"}, {"opioid_treatment": "never"}),
    ("opioid_treatment_last_dose", {"opioid_treatment": "past"}, {"opioid_treatment": "prefer_not_to_say"}),
    ("depot_buprenorphine_12m", {"opioid_treatment": "past"}, {"opioid_treatment": "never"}),
    ("kratom_tianeptine_daily_12m", {"kratom_tianeptine": "over_90_days"}, {"kratom_tianeptine": "never"}),
    ("surgery_date", {"surgery_planned": "yes"}, {"surgery_planned": "unsure"}),
    ("cirrhosis_complications", {"liver_conditions": ["cirrhosis"]}, {"liver_conditions": ["fatty_liver"]}),
    ("liver_test_abnormal", {"liver_test_when": "over_12_months"}, {"liver_test_when": "unsure"}),
    ("alt_value", {"liver_test_when": "unsure"}, {"liver_test_when": "never"}),
    ("alt_uln", {"liver_test_when": "within_12_months"}, {"liver_test_when": "never"}),
    ("ast_value", {"liver_test_when": "within_12_months"}, {"liver_test_when": "never"}),
    ("ast_uln", {"liver_test_when": "within_12_months"}, {"liver_test_when": "never"}),
    ("bilirubin_value", {"liver_test_when": "within_12_months"}, {"liver_test_when": "never"}),
    ("bilirubin_uln", {"liver_test_when": "within_12_months"}, {"liver_test_when": "never"}),
    ("audit_c_typical", {"audit_c_frequency": "monthly_or_less"}, {"audit_c_frequency": "never"}),
    ("audit_c_six_plus", {"audit_c_frequency": "4_plus_per_week"}, {"audit_c_frequency": "never"}),
    ("alcohol_withdrawal_history", {"audit_c_frequency": "2_3_per_week"}, {"audit_c_frequency": "never"}),
    ("thyroid_medication", {"thyroid_conditions": ["unsure"]}, {"thyroid_conditions": ["none"]}),
    ("hyperthyroid_symptoms", {"thyroid_conditions": ["graves"]}, {"thyroid_conditions": ["none"]}),
    (
        "thyroid_dose_changed_6m",
        {"thyroid_conditions": ["hypothyroidism"], "thyroid_medication": ["levothyroxine"]},
        {"thyroid_conditions": ["hypothyroidism"], "thyroid_medication": ["none"]},
    ),
    (
        "thyroid_dose_changed_6m",
        {"thyroid_conditions": ["hypothyroidism"], "thyroid_medication": ["levothyroxine"]},
        {"thyroid_conditions": ["none"], "thyroid_medication": ["levothyroxine"]},  # stale branch
    ),
    ("vivitrol_last_injection", {"current_antagonist": ["vivitrol"]}, {"current_antagonist": ["none"]}),
    ("hot_flushes_per_day", {"conditions": ["menopause_symptoms"]}, {"conditions": ["fibromyalgia"]}),
    ("post_exertional_malaise", {"conditions": ["long_covid"]}, {"conditions": ["crps"]}),
    ("post_exertional_malaise", {"conditions": ["me_cfs"]}, {"conditions": ["crps"]}),
]


@pytest.mark.parametrize(("question", "shows", "hides"), CONDITIONS)
def test_condition_shows_and_hides(question, shows, hides):
    assert question in QUESTIONNAIRE.visible_ids(shows)
    assert question not in QUESTIONNAIRE.visible_ids(hides)


def test_every_conditional_question_is_in_the_table():
    conditional = {q.id for q in QUESTIONNAIRE.questions.values() if q.shown_when}
    assert conditional == {row[0] for row in CONDITIONS}


def test_page_shows_only_the_questions_that_apply(patient):
    patient.fill({"about_you": TYPICAL_PAGES["about_you"], "pregnancy": TYPICAL_PAGES["pregnancy"],
                  "reasons": TYPICAL_PAGES["reasons"], "medicines": {"takes_medications": "no"},
                  "opioids_recent": {"opioid_recent": "no"}})
    patient.fill({"opioids_history": {**TYPICAL_PAGES["opioids_history"], "kratom_tianeptine": "over_90_days"}})
    html = patient.page("opioids_followup").get_data(as_text=True)
    assert 'name="kratom_tianeptine_daily_12m"' in html
    assert 'name="surgery_date-day"' not in html
    assert 'name="opioid_treatment_last_dose-day"' not in html


def test_a_page_with_nothing_to_ask_is_skipped(patient):
    patient.fill({"about_you": {**TYPICAL_PAGES["about_you"], "sex_at_birth": "male"}})
    assert patient.page("pregnancy").headers["Location"] == "/questionnaire/page/reasons"
    response = patient.post_page("reasons", {"conditions": ["long_covid"]})
    assert response.headers["Location"] == "/questionnaire/page/medicines"


def test_changing_an_earlier_answer_drops_the_hidden_answers(patient, app):
    patient.fill({"about_you": TYPICAL_PAGES["about_you"], "pregnancy": {
        "pregnant": "unsure", "trying_to_conceive": "yes", "breastfeeding": "no"}})
    assert patient.saved_answers(app)["pregnant"] == "unsure"
    patient.fill({"about_you": {**TYPICAL_PAGES["about_you"], "sex_at_birth": "male"}})
    answers = patient.saved_answers(app)
    assert not {"pregnant", "trying_to_conceive", "breastfeeding"} & set(answers)


def test_hidden_answers_posted_anyway_are_discarded(patient, app):
    patient.fill({"about_you": TYPICAL_PAGES["about_you"], "pregnancy": TYPICAL_PAGES["pregnancy"],
                  "reasons": {"conditions": ["pcos"], "conditions_other": "Smuggled in"}})
    assert "conditions_other" not in patient.saved_answers(app)


def test_a_later_page_cannot_be_reached_by_skipping(patient):
    patient.fill({"about_you": TYPICAL_PAGES["about_you"]})
    response = patient.page("mood")
    assert response.headers["Location"] == "/questionnaire/page/pregnancy"
    posted = patient.post_page("mood", TYPICAL_PAGES["mood"])
    assert posted.headers["Location"] == "/questionnaire/page/pregnancy"
