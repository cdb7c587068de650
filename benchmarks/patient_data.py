"""A patient whose answers show every questionnaire page, as a browser would post them.

The HTTP benchmark needs every page to be reachable and shown, so this patient takes
each branch: female (pregnancy), "other" and menopause/long-COVID conditions (free text,
hot flushes, post-exertional malaise), medicines (one unrecognised, so "Check these
medicines" is shown), recent opioids, past treatment,
kratom, planned surgery, a liver test, alcohol, thyroid treatment and Vivitrol. Dates
are relative to today, so the date validators accept them on any day.

The same patient's check-in (`every_checkin_page_answers`) shows every check-in page:
her screening says female and on levothyroxine (so the pregnancy and overactive-thyroid
questions are asked), and she reports side effects (one "something else"), an opioid
since starting, a new medicine the classifier cannot recognise (so "Check these
medicines" is shown) and an operation to come.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any


def _parts(day: date) -> dict[str, str]:
    return {"day": str(day.day), "month": str(day.month), "year": str(day.year)}


def every_page_answers(today: date | None = None) -> dict[str, dict[str, Any]]:
    """Page ID -> the answers for that page (form-shaped: dates as day/month/year parts)."""
    today = today or date.today()
    ago = lambda days: _parts(today - timedelta(days=days))  # noqa: E731
    return {
        "about_you": {"date_of_birth": {"day": "2", "month": "4", "year": "1978"}, "sex_at_birth": "female"},
        "pregnancy": {"pregnant": "no", "trying_to_conceive": "no", "breastfeeding": "no"},
        "reasons": {
            "conditions": ["fibromyalgia", "long_covid", "menopause_symptoms", "hashimotos", "other"],
            "main_goal": "Walk my dog again and sleep through the night",
        },
        "reasons_other": {"conditions_other": "Migraines most weeks"},
        "medicines": {"takes_medications": "yes"},
        "medicines_list": {"medications": [
            {"name": "Levothyroxine 100 mcg", "how_often": "daily", "last_taken": ago(1)},
            {"name": "Tylenol #3", "how_often": "as_needed", "last_taken": ago(12)},
            {"name": "Vitamin D", "how_often": "daily"},
            {"name": "Qzxwv herbal drops", "how_often": "daily"},
        ]},
        "medicines_check": {"entries": [{"position": "3", "name": "Qzxwv herbal drops", "contains_opioid": "unsure"}]},
        "opioids_recent": {"opioid_recent": "yes"},
        "opioids_recent_details": {
            "opioid_last_dose": ago(12), "opioid_pattern": "as_needed", "opioid_withdrawal_now": "no",
        },
        "opioids_history": {
            "opioid_treatment": "past", "kratom_tianeptine": "over_90_days", "illicit_opioid_12m": "no",
            "opioid_use_disorder": "no", "loperamide_use": "occasionally", "surgery_planned": "yes",
            "expects_opioid_pain_relief": "no",
        },
        "opioids_followup": {
            "opioid_treatment_last_dose": ago(400), "depot_buprenorphine_12m": "no",
            "kratom_tianeptine_daily_12m": "no", "surgery_date": _parts(today + timedelta(days=90)),
        },
        "liver": {
            "liver_conditions": ["fatty_liver"], "liver_symptoms_now": ["none"],
            "liver_test_when": "within_12_months",
        },
        "liver_tests": {
            "liver_test_abnormal": "no", "alt_value": "22", "alt_uln": "40", "ast_value": "25",
            "ast_uln": "40", "bilirubin_value": "0.8", "bilirubin_uln": "1.2",
        },
        "alcohol": {"audit_c_frequency": "monthly_or_less"},
        "alcohol_details": {"audit_c_typical": "1_2", "audit_c_six_plus": "never", "alcohol_withdrawal_history": "no"},
        "thyroid": {"thyroid_conditions": ["hashimotos"]},
        "thyroid_details": {"thyroid_medication": ["levothyroxine"], "hyperthyroid_symptoms": ["none"]},
        "thyroid_dose": {"thyroid_dose_changed_6m": "no"},
        "other_health": {
            "kidney_disease": "none", "transplant": "no", "immunosuppressants": "no",
            "naltrexone_reaction": "none", "current_antagonist": ["vivitrol"],
            "other_allergies": "Penicillin (rash)", "other_conditions": "Asthma, well controlled",
        },
        "vivitrol": {"vivitrol_last_injection": ago(200)},
        "mood": {
            "phq1_interest": "1", "phq2_down": "1", "phq3_sleep": "2", "phq4_tired": "3", "phq5_appetite": "0",
            "phq6_failure": "0", "phq7_concentration": "2", "phq8_movement": "0", "phq9_self_harm": "0",
            "gad1_nervous": "1", "gad2_worry": "1", "suicide_attempt_history": "no",
        },
        "symptoms": {
            "pain_average": "6", "pain_interference": "5", "fatigue": "8", "brain_fog": "7",
            "sleep_problems": "6", "low_mood": "3", "anxiety": "4", "hot_flushes_per_day": "4",
            "post_exertional_malaise": "yes",
        },
        "confirm": {"consent_share": "yes"},
    }


def every_checkin_page_answers(today: date | None = None) -> dict[str, dict[str, Any]]:
    """Check-in page ID -> the answers for that page (form-shaped), for the screening above."""
    today = today or date.today()
    return {
        "ci_taking": {"ci_taking": "as_planned"},
        "ci_taking_details": {"ci_dose_mg": "1"},
        "ci_side_effects": {"ci_side_effects": ["vivid_dreams", "poor_sleep", "other"]},
        "ci_side_effect_details": {"ci_side_effect_other": "A dry mouth in the mornings",
                                   "ci_side_effect_impact": "mild"},
        "ci_feel": {
            "pain_average": "5", "pain_interference": "4", "fatigue": "6", "brain_fog": "5", "sleep_problems": "6",
            "low_mood": "3", "anxiety": "3", "ci_pgic": "minimally_improved",
        },
        "ci_safety": {
            "ci_opioid_since": "yes", "ci_new_medicines": "yes", "ci_surgery_planned": "yes", "ci_pregnant": "no",
            "ci_hyperthyroid_symptoms": ["none"], "ci_liver_symptoms": ["none"],
        },
        "ci_safety_details": {
            "ci_opioid_last_dose": _parts(today - timedelta(days=3)),
            "ci_medications": [
                {"name": "Ibuprofen 200 mg", "how_often": "as_needed", "last_taken": _parts(today - timedelta(days=3))},
                {"name": "Qzxwv herbal drops", "how_often": "daily"},
            ],
            "ci_surgery_date": _parts(today + timedelta(days=60)),
        },
        "ci_medicines_check": {"entries": [{"position": "1", "name": "Qzxwv herbal drops", "contains_opioid": "no"}]},
        "ci_mood": {"phq9_self_harm": "0"},
        "ci_comments": {"ci_comments": "Sleeping a bit worse, but the pain is easier."},
    }


def form_fields(answers: dict[str, Any]) -> list[tuple[str, str]]:
    """Page answers -> the (name, value) pairs a browser posts (lists repeat the name)."""
    pairs: list[tuple[str, str]] = []
    for qid, value in answers.items():
        if isinstance(value, dict):
            pairs.extend((f"{qid}-{part}", str(text)) for part, text in value.items())
        elif qid == "entries":  # "Check these medicines": one row per unrecognised name
            for index, row in enumerate(value):
                pairs.extend((f"entries-{index}-{key}", text) for key, text in row.items())
        elif qid in ("medications", "ci_medications"):  # a medicine list: rows of name, how often, last taken
            for index, entry in enumerate(value):
                pairs.append((f"{qid}-{index}-name", entry["name"]))
                if entry.get("how_often"):
                    pairs.append((f"{qid}-{index}-how_often", entry["how_often"]))
                for part, text in (entry.get("last_taken") or {}).items():
                    pairs.append((f"{qid}-{index}-last_taken-{part}", str(text)))
        elif isinstance(value, list):
            pairs.extend((qid, str(item)) for item in value)
        else:
            pairs.append((qid, str(value)))
    return pairs
