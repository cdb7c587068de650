"""Ready-made page answers for a typical patient, as a browser would send them."""

from __future__ import annotations

from typing import Any

TYPICAL_PAGES: dict[str, dict[str, Any]] = {
    "about_you": {"date_of_birth": {"day": "2", "month": "4", "year": "1978"}, "sex_at_birth": "female"},
    "pregnancy": {"pregnant": "no", "trying_to_conceive": "no", "breastfeeding": "no"},
    "reasons": {"conditions": ["fibromyalgia", "hashimotos"], "main_goal": "Walk my dog again"},
    "medicines": {"takes_medications": "yes"},
    "medicines_list": {"medications": [
        {"name": "Levothyroxine 100 mcg", "how_often": "daily",
         "last_taken": {"day": "1", "month": "1", "year": "2026"}},
        {"name": "Vitamin D", "how_often": "daily"},
    ]},
    "opioids_recent": {"opioid_recent": "no"},
    "opioids_history": {
        "opioid_treatment": "never", "kratom_tianeptine": "never", "illicit_opioid_12m": "no",
        "opioid_use_disorder": "no", "loperamide_use": "never", "surgery_planned": "no",
        "expects_opioid_pain_relief": "no",
    },
    "liver": {"liver_conditions": ["none"], "liver_symptoms_now": ["none"], "liver_test_when": "within_12_months"},
    "liver_tests": {"liver_test_abnormal": "no", "alt_value": "22", "alt_uln": "40"},
    "alcohol": {"audit_c_frequency": "monthly_or_less"},
    "alcohol_details": {"audit_c_typical": "1_2", "audit_c_six_plus": "never", "alcohol_withdrawal_history": "no"},
    "thyroid": {"thyroid_conditions": ["hashimotos"]},
    "thyroid_details": {"thyroid_medication": ["levothyroxine"], "hyperthyroid_symptoms": ["none"]},
    "thyroid_dose": {"thyroid_dose_changed_6m": "no"},
    "other_health": {
        "kidney_disease": "none", "transplant": "no", "immunosuppressants": "no",
        "naltrexone_reaction": "none", "current_antagonist": ["none"],
    },
    "mood": {
        "phq1_interest": "1", "phq2_down": "1", "phq3_sleep": "2", "phq4_tired": "3", "phq5_appetite": "0",
        "phq6_failure": "0", "phq7_concentration": "2", "phq8_movement": "0", "phq9_self_harm": "0",
        "gad1_nervous": "1", "gad2_worry": "1", "suicide_attempt_history": "no",
    },
    "symptoms": {"pain_average": "6", "fatigue": "8", "brain_fog": "7"},
    "confirm": {"consent_share": "yes"},
}


def typical_until(page_id: str) -> dict[str, dict[str, Any]]:
    """The typical answers for every page before `page_id`."""
    pages: dict[str, dict[str, Any]] = {}
    for key, value in TYPICAL_PAGES.items():
        if key == page_id:
            break
        pages[key] = value
    return pages
