"""Every rule test case kept beside the rules (screening/rules/*.cases.yaml) holds."""

from __future__ import annotations

import pytest

from screening.rules import evaluate
from screening.rules.cases import base_answers, load_cases
from screening.rules.ruleset import RULE_MODULES

CASES = load_cases(RULE_MODULES)


def test_the_base_answers_raise_no_flag() -> None:
    answers, as_of = base_answers()
    assert evaluate(answers, as_of).flags == ()


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_case(case) -> None:
    flags = {flag.rule_id: flag for flag in evaluate(case.answers, case.as_of).flags}
    fired = set(flags)
    assert not set(case.fires) - fired, f"expected to fire: {sorted(set(case.fires) - fired)}"
    assert not set(case.silent) & fired, f"expected silent: {sorted(set(case.silent) & fired)}"
    for rule_id, texts in case.says.items():
        for text in texts:
            assert text in flags[rule_id].rationale, f"{rule_id} does not say {text!r}"
