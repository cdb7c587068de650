"""Every check-in rule case kept beside the rules (screening/rules/followup.cases.yaml)
holds, and every rationale names the patient's answers in words, never codes."""

from __future__ import annotations

import pytest

from screening.rules import evaluate_checkin
from screening.rules.cases import checkin_base, load_checkin_cases
from screening.rules.checkin import CHECKIN_RULE_MODULES
from screening.rules.plan import plan_from_json
from tests.plain_words import leaks

CASES = load_checkin_cases(CHECKIN_RULE_MODULES)


def test_the_base_check_in_raises_no_flag() -> None:
    base = checkin_base()
    result = evaluate_checkin(base.answers, base.as_of, plan_from_json(base.plan), base.screening_answers)
    assert result.flags == () and not result.urgent


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_case(case) -> None:
    result = evaluate_checkin(case.answers, case.as_of, case.plan, case.screening_answers)
    flags = {flag.rule_id: flag for flag in result.flags}
    fired = set(flags)
    assert not set(case.fires) - fired, f"expected to fire: {sorted(set(case.fires) - fired)}"
    assert not set(case.silent) & fired, f"expected silent: {sorted(set(case.silent) & fired)}"
    for rule_id, texts in case.says.items():
        for text in texts:
            assert text in flags[rule_id].rationale, f"{rule_id} does not say {text!r}"
    assert result.urgent is ("FU-01" in fired)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_every_rationale_names_answers_in_words(case) -> None:
    result = evaluate_checkin(case.answers, case.as_of, case.plan, case.screening_answers)
    leaked = {flag.rule_id: leaks(flag.rationale) for flag in result.flags}
    assert not {rule: names for rule, names in leaked.items() if names}


def test_the_leak_detector_knows_the_check_in_codes() -> None:
    assert leaks("Answered ci_taking = lower_dose; poor_sleep.") == ["ci_taking", "lower_dose", "poor_sleep"]
    assert leaks("Headache, feeling sick (nausea), mild") == []
