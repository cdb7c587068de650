"""What the tests read from the follow-up contract, followup.md (docs/clinical/): the plan's
fields (section 1), the check-in's questions (section 2) and the check-in rules (section 3)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from tests.contract import contract_file

RULE_ROW = re.compile(r"^\| (FU-\d\d) \| ([^|]+) \| ([^|]+) \| ([^|]+) \| ([^|]+) \|$", re.M)
# followup.md's "basis / source" words, as sources.md's bases: the service's policy is a
# convention (as PREG-01's is), and so is a rule with no basis given ("—", as DATA-01).
BASIS_WORDS = {"label": "label", "service policy": "convention", "convention": "convention",
               "expert opinion": "expert opinion", "—": "convention"}


def followup_text() -> str:
    return contract_file("followup.md").read_text(encoding="utf-8")


def _section(start: str, end: str) -> str:
    text = followup_text()
    assert start in text and end in text, f"followup.md no longer has {start!r} … {end!r}"
    return text.split(start, 1)[1].split(end, 1)[0]


def _rows(block: str) -> list[list[str]]:
    rows = []
    for line in block.splitlines():
        if line.startswith("| `") or line.startswith("| FU-"):
            rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return rows


@dataclass(frozen=True)
class ContractRule:
    id: str
    severity: str
    urgent: bool
    trigger: str
    rationale: str
    basis: str  # as sources.md names bases
    sources: tuple[str, ...]  # evidence keys, e.g. ("S1", "S8"); empty when none is given


@cache
def followup_rules() -> dict[str, ContractRule]:
    rules = {}
    for rule_id, severity, trigger, rationale, source in RULE_ROW.findall(_section("## 3.", "## 4.")):
        words = re.split(r"[\[(]", source, maxsplit=1)[0].strip()
        assert words in BASIS_WORDS, f"{rule_id}: unknown basis {words!r}"
        rules[rule_id] = ContractRule(
            id=rule_id,
            severity=severity.split(",")[0].strip(),
            urgent="urgent" in severity,
            trigger=trigger.strip(),
            rationale=rationale.strip(),
            basis=BASIS_WORDS[words],
            sources=tuple(re.findall(r"\[(S\d+)\]", source)),
        )
    assert len(rules) == 16, "followup.md's rule table was not read"
    return rules


@dataclass(frozen=True)
class ContractQuestion:
    id: str
    type: str  # the base type: "text (300)" is text
    limit: str  # what is in brackets after the type ("300", "future allowed"), or ""
    options: str  # the "options / range" cell
    codes: tuple[str, ...]  # the backticked codes of a single or multi question
    shown_when: str
    asks: str


@cache
def followup_questions() -> dict[str, ContractQuestion]:
    questions = {}
    for cells in _rows(_section("### Questions", "The safety card")):
        ids, kind, options, shown_when, asks = cells
        base, _, limit = kind.partition(" (")
        codes = tuple(re.findall(r"`([a-z0-9_]+)`", options)) if base in ("single", "multi") else ()
        for qid in re.findall(r"`([a-z0-9_]+)`", ids):
            questions[qid] = ContractQuestion(qid, base, limit.rstrip(")"), options, codes, shown_when, asks)
    assert len(questions) > 20, "followup.md's question table was not read"
    return questions


@dataclass(frozen=True)
class ContractPlanField:
    name: str
    type: str
    range_default: str


@cache
def plan_fields() -> dict[str, ContractPlanField]:
    fields = {}
    for cells in _rows(_section("## 1.", "The **planned dose**")):
        name, kind, range_default, _meaning = cells
        fields[name.strip("`")] = ContractPlanField(name.strip("`"), kind, range_default)
    assert len(fields) == 6, "followup.md's plan table was not read"
    return fields


def backticked(text: str) -> list[str]:
    return re.findall(r"`([a-z0-9_]+)`", text)
