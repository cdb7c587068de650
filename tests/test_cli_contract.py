"""The file handling `evaluate FILE...` (rules.md, "Interfaces that external test suites rely
on") and `evaluate-checkin FILE...` (followup.md section 6: "the same error behaviour as
`evaluate`") share, specified once and run against both: one JSON line per valid file in
input order, the file named as given; for each invalid file one line on standard error
naming it, nothing on standard output for it, and exit 2, the valid files still evaluated.

Each command's own output fields, examples and validation messages are in
tests/rules/test_cli.py and tests/followup/test_cli.py."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from screening import create_app
from tests.cli_contract import COMMANDS, Command, accepted, assert_rejected, lines, rule_ids, write

Spoil = Callable[[dict[str, Any]], Any]  # a valid document -> the content of an invalid file


@pytest.fixture(params=COMMANDS, ids=[command.name for command in COMMANDS])
def command(request: pytest.FixtureRequest) -> Command:
    return request.param


def test_one_json_line_per_file_in_input_order(command: Command, tmp_path: Path) -> None:
    first = write(tmp_path, "b.json", command.document(phq9_self_harm=2))
    second = write(tmp_path, "a.json", command.document())
    result = command.run(first, second)
    assert result.exit_code == 0, result.output
    assert [(line["file"], rule_ids(line)) for line in lines(result)] == [
        (first, [command.self_harm_rule]), (second, [])]


def test_a_line_gives_the_ruleset_version_and_as_of(command: Command, tmp_path: Path) -> None:
    document = command.document()
    line = accepted(command.run(write(tmp_path, "v.json", document)))
    assert (line["ruleset_version"], line["as_of"]) == (command.ruleset_version, document["as_of"])


def test_the_file_is_reported_as_given(command: Command, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "case.json", command.document())
    assert accepted(command.run("case.json"))["file"] == "case.json"


def test_a_flag_has_the_contracts_fields_and_self_harm_is_urgent(command: Command, tmp_path: Path) -> None:
    line = accepted(command.run(write(tmp_path, "f.json", command.document(phq9_self_harm=2))))
    assert line["urgent"] is True
    (flag,) = line["flags"]
    assert (flag["rule_id"], flag["severity"]) == (command.self_harm_rule, "critical")
    assert set(flag) == {"rule_id", "severity", "summary", "rationale", "source", "evidence"}
    assert set(flag["source"]) == {"label", "url"}
    assert flag["evidence"] == {"phq9_self_harm": 2}


def raw(text: str) -> Spoil:
    return lambda _document: text


def without(key: str) -> Spoil:
    return lambda document: {name: value for name, value in document.items() if name != key}


def replacing(**fields: Any) -> Spoil:
    return lambda document: {**document, **fields}


INVALID: list[tuple[str, Spoil, str]] = [  # what is wrong, how, what the error line says
    ("bad JSON", raw('{"as_of": "2026-12-01", "answers": {'), "not valid JSON"),
    ("JSON nested too deeply", raw("[" * 100000), "not valid JSON (nested too deeply)"),
    ("not an object", raw("[1, 2]"), "expected a JSON object"),
    ("missing as_of", without("as_of"), "missing 'as_of'"),
    ("missing answers", without("answers"), "missing 'answers'"),
    ("as_of not a date", replacing(as_of="1 December 2026"), "as_of: '1 December 2026' is not a date"),
    ("as_of impossible", replacing(as_of="2026-02-30"), "not a real date"),
    ("answers not an object", replacing(answers=[]), "'answers' must be an object"),
    ("unknown question", replacing(answers={"favourite_colour": "blue"}), "unknown question"),
]


@pytest.mark.parametrize(("spoil", "problem"), [row[1:] for row in INVALID], ids=[row[0] for row in INVALID])
def test_an_invalid_file_is_one_line_on_stderr_and_exit_2(
    command: Command, tmp_path: Path, spoil: Spoil, problem: str
) -> None:
    path = write(tmp_path, "bad.json", spoil(command.document()))
    assert_rejected(command.run(path), path, problem)


@pytest.mark.parametrize("make", [lambda directory: directory / "nowhere.json", lambda directory: directory],
                         ids=["missing", "a directory"])
def test_an_unreadable_file_is_reported(command: Command, tmp_path: Path, make: Callable[[Path], Path]) -> None:
    path = str(make(tmp_path))
    assert_rejected(command.run(path), path, "cannot read the file")


def test_valid_files_are_still_evaluated_when_another_is_invalid(command: Command, tmp_path: Path) -> None:
    good = write(tmp_path, "good.json", command.document())
    bad = write(tmp_path, "bad.json", "not json")
    result = command.run(bad, good)
    assert result.exit_code == 2
    assert [line["file"] for line in lines(result)] == [good]
    (error,) = result.stderr.splitlines()
    assert error.startswith(f"{bad}: error: ")


def test_needs_at_least_one_file(command: Command) -> None:
    assert command.run().exit_code == 2


def test_the_app_registers_the_command(command: Command, tmp_path: Path) -> None:
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}"})
    path = write(tmp_path, "c.json", command.document())
    result = app.test_cli_runner().invoke(args=[command.name, path])
    assert result.exit_code == 0, result.output
    assert accepted(result)["file"] == path
