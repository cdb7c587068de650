"""The three worked examples shared with the clinical contract give exactly the expected
flags, urgency, earliest start date and opioid block (examples/README.md)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from screening.rules import evaluate
from tests.contract import CLINICAL

EXAMPLES = CLINICAL / "examples"

# file: (flags as (rule ID, severity), urgent, earliest_start, opioid_block)
EXPECTED = {
    "clean-long-covid.json": ((), False, None, False),
    "hashimotos-co-codamol-9-days.json": (
        (("OPI-03", "warning"), ("THY-01", "warning")), False, "2026-12-03", False,
    ),
    "says-no-but-tylenol-3.json": (
        (("OPI-01", "critical"), ("OPI-02", "critical"), ("OPI-16", "warning")), False, None, True,
    ),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_shared_example(name: str) -> None:
    path = EXAMPLES / name
    document = json.loads(path.read_text(encoding="utf-8"))
    result = evaluate(document["answers"], date.fromisoformat(document["as_of"])).to_json()
    flags, urgent, earliest_start, opioid_block = EXPECTED[name]
    assert tuple((flag["rule_id"], flag["severity"]) for flag in result["flags"]) == flags
    assert result["urgent"] is urgent
    assert result["earliest_start"] == earliest_start
    assert result["opioid_block"] is opioid_block


def test_every_shared_example_is_covered() -> None:
    assert {path.name for path in EXAMPLES.glob("*.json")} == set(EXPECTED)
