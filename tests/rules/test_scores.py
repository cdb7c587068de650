"""The header of numbers: totals and their readings, liver multiples, last doses, age."""

from __future__ import annotations

from datetime import date

import pytest

from screening.rules.cases import base_answers
from screening.rules.scores import labs, last_doses, numbers, phq9_band, scores

TODAY, APPOINTMENT = date(2026, 11, 30), date(2026, 12, 9)
PHQ9 = ("phq1_interest", "phq2_down", "phq3_sleep", "phq4_tired", "phq5_appetite", "phq6_failure",
        "phq7_concentration", "phq8_movement", "phq9_self_harm")


def answers(**changes):
    given, _ = base_answers()
    merged = {**given, **changes}
    return {key: value for key, value in merged.items() if value is not None}


def score(name, **changes):
    return next(s for s in scores(answers(**changes)) if s.name == name)


def phq9_of(total: int) -> dict[str, int]:
    items = dict.fromkeys(PHQ9, 0)
    for index in range(total):
        items[PHQ9[index % 9]] += 1
    return items


@pytest.mark.parametrize(("total", "band"), [
    (0, "minimal (0–4)"), (4, "minimal (0–4)"), (5, "mild (5–9)"), (9, "mild (5–9)"),
    (10, "moderate (10–14)"), (14, "moderate (10–14)"), (15, "moderately severe (15–19)"),
    (19, "moderately severe (15–19)"), (20, "severe (20–27)"), (27, "severe (20–27)"),
])
def test_phq9_total_reads_with_its_band(total: int, band: str) -> None:
    found = score("PHQ-9", **phq9_of(total))
    assert (found.total, found.reading) == (total, band) and phq9_band(total) == band


@pytest.mark.parametrize(("name", "items", "reading"), [
    ("PHQ-2", {"phq1_interest": 1, "phq2_down": 1}, "negative (under 3)"),
    ("PHQ-2", {"phq1_interest": 2, "phq2_down": 1}, "positive (3 or more)"),
    ("GAD-2", {"gad1_nervous": 0, "gad2_worry": 2}, "negative (under 3)"),
    ("GAD-2", {"gad1_nervous": 3, "gad2_worry": 0}, "positive (3 or more)"),
])
def test_two_item_screens_are_positive_from_3(name: str, items: dict, reading: str) -> None:
    assert score(name, **items).reading == reading


@pytest.mark.parametrize(("sex", "frequency", "typical", "six_plus", "total", "word", "threshold"), [
    ("male", "2_4_per_month", "3_4", "never", 3, "negative", 4),
    ("male", "2_3_per_week", "1_2", "never", 3, "negative", 4),
    ("male", "2_3_per_week", "3_4", "never", 4, "positive", 4),
    ("female", "2_4_per_month", "1_2", "never", 2, "negative", 3),
    ("female", "2_4_per_month", "3_4", "never", 3, "positive", 3),
    (None, "2_4_per_month", "3_4", "never", 3, "positive", 3),  # not given: the lower bar
    ("female", "never", None, None, 0, "negative", 3),  # the other two are not asked
])
def test_audit_c_reads_against_this_patients_threshold(sex, frequency, typical, six_plus, total, word,
                                                       threshold) -> None:
    found = score("AUDIT-C", sex_at_birth=sex, audit_c_frequency=frequency, audit_c_typical=typical,
                  audit_c_six_plus=six_plus)
    assert found.total == total
    assert found.reading.startswith(f"{word} (positive from {threshold},")


@pytest.mark.parametrize(("name", "removed", "reading"), [
    ("PHQ-9", "phq4_tired", "not scored: 8 of 9 questions answered"),
    ("GAD-2", "gad2_worry", "not scored: 1 of 2 questions answered"),
    ("AUDIT-C", "audit_c_frequency", "not scored: 0 of 3 questions answered"),
])
def test_a_total_with_a_missing_item_is_not_scored(name: str, removed: str, reading: str) -> None:
    found = score(name, **{removed: None}, audit_c_typical=None, audit_c_six_plus=None) \
        if name == "AUDIT-C" else score(name, **{removed: None})
    assert (found.total, found.reading) == (None, reading)


@pytest.mark.parametrize(("value", "limit", "shown"), [
    (40, 40, "1.00"), (41, 40, "1.02"), (120, 40, "3.00"), (121, 40, "3.02"),
    (2.4, 1.2, "2.00"), (100, 33, "3.03"), (1001, 1000, "just over 1.00"), (30, None, None),
])
def test_liver_results_read_as_multiples_of_the_patients_own_limit(value, limit, shown) -> None:
    (alt,) = labs({"alt_value": value, **({"alt_uln": limit} if limit else {})})
    assert (alt.name, alt.times_limit) == ("ALT", shown)


def test_every_liver_result_given_is_shown_and_none_invented() -> None:
    found = labs({"alt_value": 50, "alt_uln": 40, "bilirubin_value": 30, "bilirubin_uln": 20})
    assert [(lab.name, lab.times_limit) for lab in found] == [("ALT", "1.25"), ("Bilirubin", "1.50")]


TRAMADOL = {"name": "tramadol 50mg", "how_often": "stopped", "last_taken": "2026-11-28"}
OXY_NOW = {"name": "oxycodone", "how_often": "daily"}
SERTRALINE = {"name": "sertraline", "how_often": "daily", "last_taken": "2026-11-30"}


@pytest.mark.parametrize(("given", "classes", "expected"), [
    ({"opioid_last_dose": "2026-11-28"}, None,
     [("Any opioid (opioid questions)", "28 November 2026: 2 days before today, 11 days before the appointment")]),
    ({"medications": [TRAMADOL, SERTRALINE]}, ["opioid/short", "other"],
     [("tramadol 50mg", "28 November 2026: 2 days before today, 11 days before the appointment")]),
    ({"medications": [OXY_NOW]}, ["opioid/long"], [("oxycodone", "Taking now (no date of the last dose)")]),
    ({"medications": [TRAMADOL]}, None, []),  # not recorded when evaluated: never re-read here
    ({"opioid_treatment_last_dose": "2026-11-29"}, None,
     [("Methadone or buprenorphine (treatment question)",
       "29 November 2026: 1 day before today, 10 days before the appointment")]),
])
def test_each_last_opioid_dose_counts_back_from_today_and_the_appointment(given, classes, expected) -> None:
    found = last_doses(given, classes, TODAY, APPOINTMENT)
    assert [(dose.what, dose.text) for dose in found] == expected


def test_without_an_appointment_days_count_from_today_only() -> None:
    (dose,) = last_doses({"opioid_last_dose": "2026-11-20"}, None, TODAY, None)
    assert dose.text == "20 November 2026: 10 days before today"


@pytest.mark.parametrize(("born", "years"), [("1980-11-30", 46), ("1980-12-01", 45), ("2008-02-29", 18)])
def test_age_is_counted_to_today(born: str, years: int) -> None:
    assert numbers({"date_of_birth": born}, None, TODAY, None).age == years


def test_the_numbers_travel_as_json() -> None:
    data = numbers(answers(opioid_last_dose="2026-11-28"), None, TODAY, APPOINTMENT).to_json()
    assert data["today"] == "2026-11-30" and data["last_doses"][0]["last"] == "2026-11-28"
    assert [s["key"] for s in data["scores"]] == ["phq9", "phq2", "gad2", "audit_c"]
