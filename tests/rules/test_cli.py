"""`evaluate FILE...` (rules.md "Interfaces that external test suites rely on"): one JSON
line per valid file in input order, a one-line error per invalid file, exit 2 if any."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from screening.rules import RULESET_VERSION
from screening.rules.cases import base_answers
from screening.rules.cli import evaluate_command

AS_OF = "2026-12-01"


def write(tmp_path: Path, name: str, content: Any) -> str:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return str(path)


def document(**overrides: Any) -> dict[str, Any]:
    answers, _ = base_answers()
    return {"as_of": AS_OF, "answers": {**answers, **overrides}}


def run(*files: str) -> Any:
    return CliRunner().invoke(evaluate_command, list(files))


def test_prints_one_json_line_per_file_in_input_order(tmp_path: Path) -> None:
    first = write(tmp_path, "b.json", document(kidney_disease="severe"))
    second = write(tmp_path, "a.json", document())
    result = run(first, second)
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["file"] for line in lines] == [first, second]
    assert list(lines[0]) == [
        "file", "ruleset_version", "as_of", "urgent", "earliest_start", "opioid_block", "flags"
    ]
    assert lines[0]["ruleset_version"] == RULESET_VERSION
    assert lines[0]["as_of"] == AS_OF
    assert [flag["rule_id"] for flag in lines[0]["flags"]] == ["REN-01"]
    assert lines[1]["flags"] == []


def test_the_file_is_reported_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "case.json", document())
    assert json.loads(run("case.json").stdout)["file"] == "case.json"


def test_a_flag_has_the_contracts_fields(tmp_path: Path) -> None:
    result = run(write(tmp_path, "f.json", document(phq9_self_harm=2)))
    line = json.loads(result.stdout)
    assert line["urgent"] is True
    (flag,) = line["flags"]
    assert flag["rule_id"] == "PSY-01" and flag["severity"] == "critical"
    assert set(flag["source"]) == {"label", "url"}
    assert flag["evidence"] == {"phq9_self_harm": 2}


def answers(**given: Any) -> dict[str, Any]:
    return {"as_of": AS_OF, "answers": given}


CODEINE_LATER = {"name": "Tylenol #3", "how_often": "daily", "last_taken": "2026-12-05"}
INVALID = [
    ("bad JSON", '{"as_of": "2026-12-01", "answers": {', "not valid JSON"),
    ("not an object", "[1, 2]", "expected a JSON object"),
    ("missing as_of", {"answers": {}}, "missing 'as_of'"),
    ("missing answers", {"as_of": AS_OF}, "missing 'answers'"),
    ("as_of not a date", {"as_of": "1 December 2026", "answers": {}}, "as_of"),
    ("as_of impossible", {"as_of": "2026-02-30", "answers": {}}, "not a real date"),
    ("answers not an object", {"as_of": AS_OF, "answers": []}, "answers"),
    ("unknown question", answers(favourite_colour="blue"), "unknown question"),
    ("unknown code", answers(opioid_recent="maybe"), "unknown code"),
    ("malformed date", answers(date_of_birth="01/02/1980"), "date_of_birth"),
    ("impossible date", answers(date_of_birth="1980-02-30"), "not a real date"),
    ("date after as_of",
     answers(opioid_recent="yes", opioid_last_dose="2026-12-02"), "after as_of"),
    ("medicine taken after as_of",
     answers(takes_medications="yes", medications=[CODEINE_LATER]), "after as_of"),
    ("number too large for a float",
     answers(liver_test_when="within_12_months", alt_value=10**400), "alt_value"),
    ("JSON nested too deeply", "[" * 100000, "not valid JSON"),
    ("surgery beyond its range",
     answers(surgery_planned="yes", surgery_date="2029-01-01"), "surgery_date"),
]


@pytest.mark.parametrize(("content", "problem"), [row[1:] for row in INVALID],
                         ids=[row[0] for row in INVALID])
def test_an_invalid_file_is_one_line_on_stderr_and_exit_2(
    tmp_path: Path, content: Any, problem: str
) -> None:
    path = write(tmp_path, "bad.json", content)
    result = run(path)
    assert result.exit_code == 2
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"{path}: ") and problem in line


def test_an_unreadable_file_is_reported(tmp_path: Path) -> None:
    missing = str(tmp_path / "nowhere.json")
    result = run(missing)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{missing}: error: cannot read the file")


def test_valid_files_are_still_evaluated_when_another_is_invalid(tmp_path: Path) -> None:
    good = write(tmp_path, "good.json", document())
    bad = write(tmp_path, "bad.json", "not json")
    result = run(bad, good)
    assert result.exit_code == 2
    assert [json.loads(line)["file"] for line in result.stdout.splitlines()] == [good]
    assert len(result.stderr.splitlines()) == 1


def test_a_future_surgery_date_is_accepted(tmp_path: Path) -> None:
    path = write(tmp_path, "s.json", document(surgery_planned="yes", surgery_date="2026-12-10"))
    result = run(path)
    assert result.exit_code == 0
    assert [flag["rule_id"] for flag in json.loads(result.stdout)["flags"]] == ["SURG-01"]


def test_answers_to_hidden_questions_are_ignored_with_a_note(tmp_path: Path) -> None:
    path = write(tmp_path, "h.json", document(sex_at_birth="male", pregnant="yes"))
    result = run(path)
    assert result.exit_code == 0
    assert json.loads(result.stdout)["flags"] == []
    assert result.stderr.strip() == f"{path}: note: ignored answers to questions not shown: " \
        "breastfeeding, pregnant, trying_to_conceive"


def test_every_question_of_the_contract_is_accepted(tmp_path: Path) -> None:
    path = write(tmp_path, "all.json", document(
        consent_share="yes", main_goal="Sleep", conditions=["long_covid", "menopause_symptoms"],
        hot_flushes_per_day=4, post_exertional_malaise="yes", brain_fog=5,
    ))
    assert run(path).exit_code == 0


def test_needs_at_least_one_file() -> None:
    assert run().exit_code == 2


# --- contains_opioid in the evaluate input (questionnaire.md "Answer formats") -------------

UNRECOGNISED = {"name": "Qzxwv drops", "how_often": "daily", "last_taken": None}


@pytest.mark.parametrize(("answer", "rule_ids"), [
    ("yes", ["OPI-01", "OPI-05", "OPI-16"]), ("unsure", ["MED-02"]), ("no", ["MED-01"]), (None, ["MED-01"]),
])
def test_the_patients_answer_on_an_unrecognised_medicine_is_read(tmp_path: Path, answer, rule_ids) -> None:
    entry = UNRECOGNISED if answer is None else {**UNRECOGNISED, "contains_opioid": answer}
    result = run(write(tmp_path, "m.json", document(takes_medications="yes", medications=[entry])))
    assert result.exit_code == 0, result.output
    assert [flag["rule_id"] for flag in json.loads(result.stdout)["flags"]] == rule_ids


def test_an_unknown_contains_opioid_code_is_an_input_error(tmp_path: Path) -> None:
    entry = {**UNRECOGNISED, "contains_opioid": "maybe"}
    result = run(write(tmp_path, "m.json", document(takes_medications="yes", medications=[entry])))
    assert result.exit_code == 2
    assert "unknown contains_opioid code 'maybe'" in result.output
