"""What the tests read from the clinical contract, rules.md (docs/clinical/): its rule
table, its medication classes and the rules that block the start date."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from tests.contract import CLINICAL

RULES_MD = CLINICAL / "rules.md"
RULE_ROW = re.compile(r"^\| ([A-Z]+-\d\d) \| ([^|]+) \| ([^|]+) \| ([^|]+) \| ([^|]+) \|$", re.M)
CLASS_ROW = re.compile(r"^\| `([a-z_/]+)` \|", re.M)


@dataclass(frozen=True)
class ContractRule:
    id: str
    severity: str
    urgent: bool
    trigger: str
    rationale: str
    sources: tuple[str, ...]  # evidence keys, e.g. ("S1", "S2"); empty for "—"


def contract_text() -> str:
    return RULES_MD.read_text(encoding="utf-8")


@cache
def contract_rules() -> dict[str, ContractRule]:
    rules = {}
    for rule_id, severity, trigger, rationale, source in RULE_ROW.findall(contract_text()):
        rules[rule_id] = ContractRule(
            id=rule_id,
            severity=severity.split(",")[0].strip(),
            urgent="urgent" in severity,
            trigger=trigger.strip(),
            rationale=rationale.strip(),
            sources=tuple(re.findall(r"\[(S\d+)\]", source)),
        )
    return rules


def medication_classes() -> set[str]:
    section = contract_text().split("## Medication classes", 1)[1].split("\n## ", 1)[0]
    return set(CLASS_ROW.findall(section))


def start_blocking_rules() -> set[str]:
    """The rules after which rules.md says the start date is null with opioid_block true."""
    pattern = r"null\s+with\s+`opioid_block`\s+true\s+when\s+([^:]+?)\s+fires"
    sentence = re.search(pattern, contract_text())
    assert sentence, "rules.md no longer says which rules block the start date"
    return set(re.findall(r"[A-Z]+-\d\d", sentence.group(1)))


def backticked(text: str) -> list[str]:
    return re.findall(r"`([a-z0-9_]+)`", text)
