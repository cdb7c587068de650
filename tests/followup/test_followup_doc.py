"""docs/followup.md names every check-in rule as the code has it: a clinic reads the page."""

from __future__ import annotations

from pathlib import Path

import pytest

from screening.rules import CHECKIN_RULES_BY_ID

DOC = (Path(__file__).resolve().parents[2] / "docs" / "followup.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("rule_id", sorted(CHECKIN_RULES_BY_ID))
def test_each_check_in_rule_is_explained_with_its_summary_and_advice(rule_id: str) -> None:
    rule = CHECKIN_RULES_BY_ID[rule_id]
    row = next((line for line in DOC.splitlines() if line.startswith(f"| {rule_id} |")), "")
    assert rule.summary in row and rule.why in row and rule.basis in row


def test_the_page_says_what_the_product_cannot_say() -> None:
    assert "LDN's benefit is uncertain" in DOC and "each patient's own change" in DOC
