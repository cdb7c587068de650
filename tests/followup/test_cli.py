"""`evaluate-checkin FILE...` (followup.md section 6): what is its own, its line's fields
(days on the plan, planned dose, changes since the screening), its flags' order, its
examples and its documents' validation messages. What it shares with `evaluate` (one line
per file in input order, one error line per invalid file, exit 2; answers to hidden
questions ignored with a note) is specified once in tests/test_cli_contract.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from screening.rules.cases import checkin_base
from tests.cli_contract import CHECKIN_AS_OF as AS_OF
from tests.cli_contract import EVALUATE_CHECKIN, accepted, assert_rejected, note, rule_ids, write
from tests.cli_contract import checkin_document as document

KEYS = ["file", "ruleset_version", "as_of", "urgent", "days_on", "planned_dose_mg", "flags", "changes"]


def evaluated(tmp_path: Path, content: dict[str, Any]) -> dict[str, Any]:
    """The line `evaluate-checkin` prints for a valid check-in document."""
    return accepted(EVALUATE_CHECKIN.run(write(tmp_path, "c.json", content)))


def test_a_line_has_the_contracts_fields_in_order(tmp_path: Path) -> None:
    assert list(evaluated(tmp_path, document())) == KEYS


@pytest.mark.parametrize(("as_of", "days_on", "planned_dose_mg"), [
    ("2026-12-01", 0, 0.5),  # day 0 is the plan's start_date
    ("2027-01-15", 45, 3.5),
], ids=["day 0 is the start date", "day 45"])
def test_days_on_and_the_planned_dose_follow_the_plan(
    tmp_path: Path, as_of: str, days_on: int, planned_dose_mg: float
) -> None:
    line = evaluated(tmp_path, document(as_of=as_of, ci_dose_mg=planned_dose_mg))
    assert (line["as_of"], line["days_on"], line["planned_dose_mg"], line["flags"]) == (
        as_of, days_on, planned_dose_mg, [])


def test_changes_compare_the_symptoms_with_the_screenings(tmp_path: Path) -> None:
    assert evaluated(tmp_path, document())["changes"] == {
        "pain_average": {"baseline": 7, "now": 4, "points": -3, "percent": -42.9},
        "fatigue": {"baseline": 6, "now": 5, "points": -1, "percent": -16.7},
        "sleep_problems": {"baseline": 5, "now": 4, "points": -1, "percent": -20.0},
    }


def test_flags_are_sorted_critical_warning_info_then_by_id(tmp_path: Path) -> None:
    flags = evaluated(tmp_path, document(
        ci_taking="stopped", ci_stop_reason=["side_effects", "surgery_or_procedure"], ci_pregnant="yes",
        ci_liver_symptoms=["jaundice"], ci_surgery_planned="unsure", ci_opioid_since="unsure"))["flags"]
    assert [(f["severity"], f["rule_id"]) for f in flags] == [
        ("critical", "FU-02"), ("critical", "FU-03"), ("critical", "FU-04"),
        ("warning", "FU-06"), ("warning", "FU-08"), ("info", "FU-07"), ("info", "FU-14")]


def new_medicine(contains_opioid: str | None) -> dict[str, Any]:
    """A new, unrecognised medicine with the patient's answer to "does it contain an opioid?"."""
    entry = {"name": "Qzxwv drops", "how_often": "daily", "last_taken": None}
    medicine = entry if contains_opioid is None else {**entry, "contains_opioid": contains_opioid}
    return {"ci_new_medicines": "yes", "ci_medications": [medicine]}


FLAGGED = [  # what the answers say, the answers, the flags they raise
    ("paused for no benefit", {"ci_taking": "paused", "ci_stop_reason": ["no_benefit"]}, ["FU-14"]),
    ("a future surgery date is accepted", {"ci_surgery_planned": "yes", "ci_surgery_date": "2027-01-20"}, ["FU-06"]),
    # the new medicines are classified, and an unrecognised one is read by its contains_opioid
    ("new medicine, contains an opioid", new_medicine("yes"), ["FU-02"]),
    ("new medicine, no opioid", new_medicine("no"), ["FU-15"]),
    ("new medicine, unsure", new_medicine("unsure"), ["FU-15"]),
    ("new medicine, not asked", new_medicine(None), ["FU-15"]),
]


@pytest.mark.parametrize(("answers", "flags"), [row[1:] for row in FLAGGED], ids=[row[0] for row in FLAGGED])
def test_the_answers_raise_their_flags(tmp_path: Path, answers: dict[str, Any], flags: list[str]) -> None:
    assert rule_ids(evaluated(tmp_path, document(**answers))) == flags


def test_answers_to_hidden_questions_are_ignored_with_a_note(tmp_path: Path) -> None:
    path = write(tmp_path, "h.json", document(
        screening={"sex_at_birth": "male"}, ci_hyperthyroid_symptoms=["tremor"], ci_stop_reason=["other"]))
    result = EVALUATE_CHECKIN.run(path)
    assert accepted(result)["flags"] == []
    assert result.stderr.strip() == note(path, "ci_hyperthyroid_symptoms", "ci_pregnant", "ci_stop_reason")


def test_hidden_screening_answers_are_noted_too(tmp_path: Path) -> None:
    levothyroxine = [{"name": "levothyroxine", "how_often": "daily", "last_taken": None}]
    path = write(tmp_path, "h.json", document(screening={"medications": levothyroxine},
                                              ci_hyperthyroid_symptoms=["tremor"]))
    result = EVALUATE_CHECKIN.run(path)
    assert accepted(result)["flags"] == []
    assert result.stderr.strip() == note(path, "ci_hyperthyroid_symptoms", "screening.medications")


def test_the_screening_is_optional(tmp_path: Path) -> None:
    """No screening answers: no baseline, and the pregnancy question counts as asked."""
    document_without = document()
    del document_without["screening"]
    del document_without["answers"]["ci_pregnant"]
    line = evaluated(tmp_path, document_without)
    assert rule_ids(line) == ["FU-16"]
    assert line["changes"] == {}


def answers(**given: Any) -> dict[str, Any]:
    return {"as_of": AS_OF, "plan": checkin_base().plan, "answers": given}


CODEINE_LATER = {"name": "Tylenol #3", "how_often": "daily", "last_taken": "2027-01-16"}
INVALID = [  # what is wrong, the file, what the error line says
    ("missing plan", {"as_of": AS_OF, "answers": {}}, "missing 'plan'"),
    ("as_of before the plan's start", {**answers(), "as_of": "2026-11-30"}, "before the plan's start_date"),
    ("plan not an object", {**answers(), "plan": [1]}, "plan: plan: must be an object"),
    ("plan without a start", {**answers(), "plan": {"step_mg": 0.5}}, "plan: start_date"),
    ("plan out of range", {**answers(), "plan": {"start_date": "2026-12-01", "step_days": 1}}, "step_days"),
    ("plan with an unknown field", {**answers(), "plan": {"start_date": "2026-12-01", "dose": 1}},
     "unknown fields ['dose']"),
    ("a screening question in the check-in", answers(opioid_recent="no"), "unknown question ID 'opioid_recent'"),
    ("unknown code", answers(ci_taking="sometimes"), "unknown code"),
    ("malformed date", answers(ci_opioid_since="yes", ci_opioid_last_dose="10/01/2027"), "ci_opioid_last_dose"),
    ("date after as_of", answers(ci_opioid_since="yes", ci_opioid_last_dose="2027-01-16"), "after as_of"),
    ("medicine taken after as_of", answers(ci_new_medicines="yes", ci_medications=[CODEINE_LATER]), "after as_of"),
    ("surgery before as_of", answers(ci_surgery_planned="yes", ci_surgery_date="2027-01-14"), "ci_surgery_date"),
    ("surgery beyond a year", answers(ci_surgery_planned="yes", ci_surgery_date="2028-01-16"), "ci_surgery_date"),
    ("dose out of range", answers(ci_taking="as_planned", ci_dose_mg=11), "ci_dose_mg"),
    ("number too large", answers(ci_taking="as_planned", ci_dose_mg=10**400), "ci_dose_mg"),
    ("screening not an object", {**answers(), "screening": "female"}, "'screening' must be an object"),
    ("screening answer unknown", {**answers(), "screening": {"answers": {"sex": "female"}}},
     "screening: unknown question ID 'sex'"),
    ("screening code unknown", {**answers(), "screening": {"answers": {"sex_at_birth": "f"}}}, "screening: "),
    ("screening as_of not a date", {**answers(), "screening": {"as_of": "soon", "answers": {}}}, "screening.as_of"),
]


@pytest.mark.parametrize(("content", "problem"), [row[1:] for row in INVALID], ids=[row[0] for row in INVALID])
def test_an_invalid_document_is_an_input_error(tmp_path: Path, content: Any, problem: str) -> None:
    path = write(tmp_path, "bad.json", content)
    assert_rejected(EVALUATE_CHECKIN.run(path), path, problem)
