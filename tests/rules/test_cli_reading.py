"""`evaluate` reads free text as the page forms do (questionnaire.md "Typing text"): invisible
format characters removed and NFC before the rules read a name, control characters
refused. A current "Oxy\\u00adcodone 10mg" is oxycodone, not an unknown product."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from screening.questionnaire import QUESTIONNAIRE, AnswerError, validate_answers
from screening.rules.cases import base_answers
from screening.rules.cli import evaluate_command
from tests.hidden_characters import TRICK_IDS, TRICKS

AS_OF = "2026-12-01"
AS_OF_DATE = date.fromisoformat(AS_OF)


def run_one(tmp_path: Path, **overrides: Any) -> Any:
    answers, _ = base_answers()
    path = tmp_path / "case.json"
    path.write_text(json.dumps({"as_of": AS_OF, "answers": {**answers, **overrides}}), encoding="utf-8")
    return CliRunner().invoke(evaluate_command, [str(path)])


def taking(name: str) -> dict[str, Any]:
    return {"takes_medications": "yes", "medications": [{"name": name, "how_often": "daily", "last_taken": None}]}


def flags_for(tmp_path: Path, name: str) -> list[dict[str, Any]]:
    result = run_one(tmp_path, **taking(name))
    assert result.exit_code == 0, result.output
    flags: list[dict[str, Any]] = json.loads(result.stdout)["flags"]
    return flags


@pytest.mark.parametrize("typed", [typed for _, typed in TRICKS], ids=TRICK_IDS)
def test_a_hidden_character_does_not_hide_a_current_opioid(tmp_path: Path, typed: str) -> None:
    flags = flags_for(tmp_path, f"{typed} 10mg")
    fired = [flag["rule_id"] for flag in flags]
    assert "OPI-01" in fired
    assert "MED-01" not in fired and "MED-02" not in fired  # read as oxycodone, not as an unknown product
    assert flags == flags_for(tmp_path, "Oxycodone 10mg")  # exactly what the plain name raises


def test_the_evidence_names_the_medicine_as_read(tmp_path: Path) -> None:
    (opi01,) = [flag for flag in flags_for(tmp_path, "Oxy\u00adcodone 10mg") if flag["rule_id"] == "OPI-01"]
    assert "\u00ad" not in json.dumps(opi01, ensure_ascii=False)
    assert "Oxycodone 10mg" in json.dumps(opi01["evidence"])


def test_a_name_is_read_in_nfc() -> None:
    answers, _ = base_answers()
    kept, _dropped = validate_answers(QUESTIONNAIRE, {**answers, **taking("Ibuprofe\u0300ne")}, AS_OF_DATE)
    assert kept["medications"][0]["name"] == "Ibuprof\u00e8ne"


def test_validate_answers_returns_the_answers_as_read() -> None:
    """What the CLI (and rules/cases.py) evaluate is what validate_answers returns."""
    answers, _ = base_answers()
    given = {
        **answers, **taking("\ufeffOxy\u00adcodone 10mg"), "main_goal": "Sle\u200bep  ",
        "conditions": ["other"], "conditions_other": "Cafe\u0301",
    }
    kept, _dropped = validate_answers(QUESTIONNAIRE, given, AS_OF_DATE)
    assert kept["medications"] == [{"name": "Oxycodone 10mg", "how_often": "daily", "last_taken": None}]
    assert kept["main_goal"] == "Sleep  "  # surrounding space is kept in JSON answers
    assert kept["conditions_other"] == "Caf\u00e9"
    assert given["medications"][0]["name"] == "\ufeffOxy\u00adcodone 10mg"  # the input is not changed


def test_an_entry_keeps_its_other_keys() -> None:
    answers, _ = base_answers()
    entry = {"name": "Zorblax\u200b drops", "how_often": "daily", "last_taken": "2026-11-20", "contains_opioid": "no"}
    kept, _dropped = validate_answers(QUESTIONNAIRE, {**answers, "takes_medications": "yes", "medications": [entry]},
                                      AS_OF_DATE)
    assert kept["medications"] == [{**entry, "name": "Zorblax drops"}]


@pytest.mark.parametrize(("overrides", "where"), [
    (taking("\u200b\u00ad"), "'name' must be non-empty text"),
    (taking("Oxy\x00codone"), "medications[1].name: contains control characters"),
    (taking("Oxy\x1bcodone"), "medications[1].name: contains control characters"),
    (taking("Oxy\x85codone"), "medications[1].name: contains control characters"),
    ({"main_goal": "hello\x07"}, "main_goal: contains control characters"),
    (taking("x" * 120 + "\u00ad"), None),  # 120 characters once read: accepted
    ({"main_goal": "a" * 500 + "\u200b"}, None),
    ({"main_goal": "a" * 501}, "main_goal: longer than 500 characters"),
])
def test_free_text_is_checked_as_read(tmp_path: Path, overrides: dict[str, Any], where: str | None) -> None:
    result = run_one(tmp_path, **overrides)
    if where is None:
        assert result.exit_code == 0, result.output
        return
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert where in line


def test_a_bad_text_answer_is_an_answer_error() -> None:
    answers, _ = base_answers()
    with pytest.raises(AnswerError, match="contains control characters"):
        validate_answers(QUESTIONNAIRE, {**answers, "other_allergies": "nuts\x00"}, AS_OF_DATE)
