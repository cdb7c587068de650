"""What `evaluate` (rules.md, "Interfaces that external test suites rely on") and
`evaluate-checkin` (followup.md section 6) have in common, for their tests: how to run
either on files, a valid input document for each, and the checks of an accepted file, a
rejected file and a note about ignored answers.

tests/test_cli_contract.py specifies the behaviour the two share once, against both;
tests/rules/test_cli.py and tests/followup/test_cli.py keep what is each command's own.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from click.testing import CliRunner, Result

from screening.rules import CHECKIN_RULESET_VERSION, RULESET_VERSION
from screening.rules.cases import base_answers, checkin_base
from screening.rules.cli import evaluate_checkin_command, evaluate_command

SCREENING_AS_OF = "2026-12-01"
CHECKIN_AS_OF = "2027-01-15"


def write(directory: Path, name: str, content: Any) -> str:
    """Writes content (a str as it is, anything else as JSON) to directory/name; its path."""
    path = directory / name
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return str(path)


def screening_document(**answers: Any) -> dict[str, Any]:
    """A valid `evaluate` input that raises no flag; answers given replace the base's."""
    base, _ = base_answers()
    return {"as_of": SCREENING_AS_OF, "answers": {**base, **answers}}


def checkin_document(screening: dict[str, Any] | None = None, plan: dict[str, Any] | None = None,
                     as_of: str = CHECKIN_AS_OF, **answers: Any) -> dict[str, Any]:
    """A valid `evaluate-checkin` input that raises no flag; what is given replaces the base's."""
    base = checkin_base()
    return {
        "as_of": as_of,
        "plan": {**base.plan, **(plan or {})},
        "screening": {"as_of": base.screening_as_of.isoformat(),
                      "answers": {**base.screening_answers, **(screening or {})}},
        "answers": {**base.answers, **answers},
    }


@dataclass(frozen=True)
class Command:
    name: str  # as typed after `flask --app screening`
    click_command: click.Command
    ruleset_version: str
    document: Callable[..., dict[str, Any]]  # a valid input; keyword arguments replace answers
    self_harm_rule: str  # the one flag phq9_self_harm = 2 raises: critical and urgent

    def run(self, *files: str) -> Result:
        return CliRunner().invoke(self.click_command, list(files))


EVALUATE = Command("evaluate", evaluate_command, RULESET_VERSION, screening_document, "PSY-01")
EVALUATE_CHECKIN = Command("evaluate-checkin", evaluate_checkin_command, CHECKIN_RULESET_VERSION,
                           checkin_document, "FU-01")
COMMANDS = (EVALUATE, EVALUATE_CHECKIN)


def lines(result: Result) -> list[dict[str, Any]]:
    """The JSON lines on standard output."""
    return [json.loads(line) for line in result.stdout.splitlines()]


def accepted(result: Result) -> dict[str, Any]:
    """The one JSON line of a successful run on one file."""
    assert result.exit_code == 0, result.output
    (line,) = lines(result)
    return line


def rule_ids(line: dict[str, Any]) -> list[str]:
    return [flag["rule_id"] for flag in line["flags"]]


def assert_rejected(result: Result, path: str, problem: str) -> None:
    """The file is invalid: exit 2, nothing on standard output, one error line naming it."""
    assert result.exit_code == 2
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"{path}: error: ") and problem in line, line


def note(path: str, *question_ids: str) -> str:
    """The line on standard error about answers to hidden questions ignored in path."""
    return f"{path}: note: ignored answers to questions not shown: {', '.join(question_ids)}"
