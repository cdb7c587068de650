"""`evaluate FILE...` (rules.md "Interfaces that external test suites rely on"): what is its
own, its line's fields, its examples and its answers' validation messages. The behaviour it
shares with `evaluate-checkin` (one line per file in input order, one error line per invalid
file, exit 2) is specified once in tests/test_cli_contract.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.cli_contract import EVALUATE, accepted, assert_rejected, note, rule_ids, write
from tests.cli_contract import SCREENING_AS_OF as AS_OF
from tests.cli_contract import screening_document as document

KEYS = ["file", "ruleset_version", "as_of", "urgent", "earliest_start", "opioid_block", "flags"]


def test_a_line_has_the_contracts_fields_in_order(tmp_path: Path) -> None:
    assert list(accepted(EVALUATE.run(write(tmp_path, "k.json", document())))) == KEYS


UNRECOGNISED = {"name": "Qzxwv drops", "how_often": "daily", "last_taken": None}


def unrecognised_medicine(contains_opioid: str | None) -> dict[str, Any]:
    """An unrecognised medicine with the patient's answer to "does it contain an opioid?"."""
    entry = UNRECOGNISED if contains_opioid is None else {**UNRECOGNISED, "contains_opioid": contains_opioid}
    return {"takes_medications": "yes", "medications": [entry]}


FLAGGED = [  # what the answers say, the answers, the flags they raise
    ("severe kidney disease", {"kidney_disease": "severe"}, ["REN-01"]),
    ("a future surgery date is accepted", {"surgery_planned": "yes", "surgery_date": "2026-12-10"}, ["SURG-01"]),
    # contains_opioid on an unrecognised medicine is read (questionnaire.md "Answer formats")
    ("unrecognised, contains an opioid", unrecognised_medicine("yes"), ["OPI-01", "OPI-05", "OPI-16"]),
    ("unrecognised, unsure", unrecognised_medicine("unsure"), ["MED-02"]),
    ("unrecognised, no opioid", unrecognised_medicine("no"), ["MED-01"]),
    ("unrecognised, not asked", unrecognised_medicine(None), ["MED-01"]),
]


@pytest.mark.parametrize(("answers", "flags"), [row[1:] for row in FLAGGED], ids=[row[0] for row in FLAGGED])
def test_the_answers_raise_their_flags(tmp_path: Path, answers: dict[str, Any], flags: list[str]) -> None:
    assert rule_ids(accepted(EVALUATE.run(write(tmp_path, "e.json", document(**answers))))) == flags


def test_answers_to_hidden_questions_are_ignored_with_a_note(tmp_path: Path) -> None:
    path = write(tmp_path, "h.json", document(sex_at_birth="male", pregnant="yes"))
    result = EVALUATE.run(path)
    assert accepted(result)["flags"] == []
    assert result.stderr.strip() == note(path, "breastfeeding", "pregnant", "trying_to_conceive")


def test_every_question_of_the_contract_is_accepted(tmp_path: Path) -> None:
    path = write(tmp_path, "all.json", document(
        consent_share="yes", main_goal="Sleep", conditions=["long_covid", "menopause_symptoms"],
        hot_flushes_per_day=4, post_exertional_malaise="yes", brain_fog=5,
    ))
    assert EVALUATE.run(path).exit_code == 0


def answers(**given: Any) -> dict[str, Any]:
    return {"as_of": AS_OF, "answers": given}


CODEINE_LATER = {"name": "Tylenol #3", "how_often": "daily", "last_taken": "2026-12-05"}
INVALID = [  # what is wrong, the file, what the error line says
    ("unknown code", answers(opioid_recent="maybe"), "unknown code"),
    ("malformed date", answers(date_of_birth="01/02/1980"), "date_of_birth"),
    ("impossible date", answers(date_of_birth="1980-02-30"), "not a real date"),
    ("date after as_of", answers(opioid_recent="yes", opioid_last_dose="2026-12-02"), "after as_of"),
    ("medicine taken after as_of", answers(takes_medications="yes", medications=[CODEINE_LATER]), "after as_of"),
    ("number too large for a float", answers(liver_test_when="within_12_months", alt_value=10**400), "alt_value"),
    ("surgery beyond its range", answers(surgery_planned="yes", surgery_date="2029-01-01"), "surgery_date"),
    ("unknown contains_opioid code", document(**unrecognised_medicine("maybe")),
     "unknown contains_opioid code 'maybe'"),
]


@pytest.mark.parametrize(("content", "problem"), [row[1:] for row in INVALID], ids=[row[0] for row in INVALID])
def test_an_invalid_answer_is_an_input_error(tmp_path: Path, content: Any, problem: str) -> None:
    path = write(tmp_path, "bad.json", content)
    assert_rejected(EVALUATE.run(path), path, problem)
