"""The three worked check-in examples (tests/followup/examples, README.md there) give
exactly the flags their README says, through `evaluate-checkin` itself."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from screening.rules import CHECKIN_RULESET_VERSION
from screening.rules.cli import evaluate_checkin_command

EXAMPLES = Path(__file__).with_name("examples")

# file: (flags as (rule ID, severity), urgent, days_on, planned_dose_mg, changes)
EXPECTED = {
    "section-6-poor-sleep.json": (
        (("FU-09", "info"),), False, 45, 3.5,
        {"pain_average": {"baseline": 7, "now": 5, "points": -2, "percent": -28.6}},
    ),
    "codeine-and-thyroid-over-replacement.json": (
        (("FU-02", "critical"), ("FU-10", "warning")), False, 28, 2.5,
        {"pain_average": {"baseline": 6, "now": 5, "points": -1, "percent": -16.7},
         "fatigue": {"baseline": 7, "now": 6, "points": -1, "percent": -14.3}},
    ),
    "day-84-no-response.json": (
        (("FU-13", "warning"), ("FU-12", "info")), False, 84, 4.5,
        {"pain_average": {"baseline": 6, "now": 6, "points": 0, "percent": 0.0},
         "fatigue": {"baseline": 5, "now": 8, "points": 3, "percent": 60.0},
         "sleep_problems": {"baseline": 4, "now": 4, "points": 0, "percent": 0.0}},
    ),
}


def test_every_example_is_covered() -> None:
    assert {path.name for path in EXAMPLES.glob("*.json")} == set(EXPECTED)


def test_the_readme_lists_each_example_with_its_flags() -> None:
    readme = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    for name, (flags, *_rest) in EXPECTED.items():
        row = next(line for line in readme.splitlines() if line.startswith(f"| `{name}` |"))
        assert ", ".join(f"{rule_id} ({severity})" for rule_id, severity in flags) in row


def test_evaluate_checkin_gives_exactly_the_expected_flags() -> None:
    names = sorted(EXPECTED)
    result = CliRunner().invoke(evaluate_checkin_command, [str(EXAMPLES / name) for name in names])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [Path(line["file"]).name for line in lines] == names
    for name, line in zip(names, lines, strict=True):
        flags, urgent, days_on, planned, changes = EXPECTED[name]
        assert tuple((flag["rule_id"], flag["severity"]) for flag in line["flags"]) == flags, name
        assert (line["urgent"], line["days_on"], line["planned_dose_mg"]) == (urgent, days_on, planned), name
        assert line["changes"] == changes, name
        assert line["ruleset_version"] == CHECKIN_RULESET_VERSION


@pytest.mark.parametrize("name", ["section-6-poor-sleep.json"])
def test_the_contracts_example_is_followup_mds_own(name: str) -> None:
    from tests.followup.contract_followup import followup_text

    text = followup_text()
    written = text.split("A check-in document:\n\n```json\n", 1)[1].split("```", 1)[0]
    assert json.loads(written) == json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
