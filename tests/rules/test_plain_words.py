"""A flag's reason for this patient is read by a doctor: answers in words, never codes."""

from __future__ import annotations

import pytest

from screening.rules import evaluate
from screening.rules.cases import load_cases
from screening.rules.ruleset import RULE_MODULES
from tests.plain_words import leaks

CASES = load_cases(RULE_MODULES)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_every_rationale_names_answers_in_words(case) -> None:
    leaked = {flag.rule_id: leaks(flag.rationale) for flag in evaluate(case.answers, case.as_of).flags}
    assert not {rule: names for rule, names in leaked.items() if names}


@pytest.mark.parametrize(("text", "found"), [
    ("Answered opioid_pattern = as_needed.", ["as_needed", "opioid_pattern"]),
    ("Thyroid conditions: hashimotos.", ["hashimotos"]),
    ("levothyroxine (thyroid_hormone)", ["thyroid_hormone"]),
    ("co-codamol (opioid/short, daily)", ["opioid/short"]),
    ("Hashimoto's thyroiditis; sleeping badly; severe pain; not sure", []),
])
def test_the_leak_detector_finds_codes_and_only_codes(text: str, found: list[str]) -> None:
    assert leaks(text) == found
