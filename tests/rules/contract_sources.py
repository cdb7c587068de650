"""What the tests read from the clinical contract's sources.md (docs/clinical/): the
citation list doctors see (key, what it supports, citation, link, kind), the keys removed
from it, the keys that no longer support a rule, and the basis table."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from tests.contract import CLINICAL

SOURCES_MD = CLINICAL / "sources.md"
CITATION_ROW = re.compile(r"^\| (S\d+) \| ([^|]+) \| ([^|]+) \| ([^|]+) \| ([^|]+) \|$", re.M)
SAME_LINK = re.compile(r"as (S\d+)")  # "as S1": the link S1 gives
LINK = re.compile(r"(https?://\S+)(?: \((.+)\))?")  # a URL, then perhaps "(search REVIA)"
BASIS_ROW = re.compile(r"^\| ([a-z][a-z ,]*) \| ([^|]+) \|$", re.M)
RULE_ID = re.compile(r"[A-Z]+-\d\d")


@dataclass(frozen=True)
class ContractSource:
    key: str
    supports: str
    citation: str
    url: str
    note: str | None  # what the link's cell says after the URL, in brackets
    kind: str


def sources_text() -> str:
    return SOURCES_MD.read_text(encoding="utf-8")


def _section(heading: str) -> str:
    text = sources_text()
    assert heading in text, f"sources.md no longer has the section {heading!r}"
    return text.split(heading, 1)[1].split("\n## ", 1)[0]


@cache
def contract_sources() -> dict[str, ContractSource]:
    """sources.md's citation list, key by key, "as S1" links resolved."""
    found: dict[str, ContractSource] = {}
    for key, supports, citation, link, kind in CITATION_ROW.findall(_section("## Citation list")):
        link = link.strip()
        if same := SAME_LINK.fullmatch(link):
            url, note = found[same.group(1)].url, found[same.group(1)].note
        else:
            parsed = LINK.fullmatch(link)
            assert parsed, f"sources.md: {key}'s link is not a URL: {link!r}"
            url, note = parsed.group(1), parsed.group(2)
        assert key not in found, f"sources.md lists {key} twice"
        found[key] = ContractSource(key, supports.strip(), citation.strip(), url, note, kind.strip())
    assert found, "sources.md's citation list is gone"
    return found


@cache
def removed_keys() -> frozenset[str]:
    """"Removed from what doctors see: S35 and S37 (…)"."""
    sentence = re.search(r"Removed from what doctors see:\s+([^(]+)\(", sources_text())
    assert sentence, "sources.md no longer says which keys are removed"
    return frozenset(re.findall(r"S\d+", sentence.group(1)))


@cache
def withdrawn_support() -> dict[str, frozenset[str]]:
    """Rule ID -> keys that no longer support it ("S16 no longer supports ANT-01's …")."""
    withdrawn: dict[str, set[str]] = {}
    for key, rule_id in re.findall(r"(S\d+) no longer supports ([A-Z]+-\d\d)", sources_text()):
        withdrawn.setdefault(rule_id, set()).add(key)
    return {rule_id: frozenset(keys) for rule_id, keys in withdrawn.items()}


@cache
def contract_bases() -> dict[str, str]:
    """Rule ID -> its basis, from the table "The basis of each rule". Notes in brackets
    after a rule ID ("OPI-08 (365 days)") are not rule IDs."""
    bases: dict[str, str] = {}
    for basis, cell in BASIS_ROW.findall(_section("## The basis of each rule")):
        if basis.strip() == "basis":  # the header row
            continue
        for rule_id in RULE_ID.findall(re.sub(r"\([^)]*\)", "", cell)):
            assert rule_id not in bases, f"sources.md gives {rule_id} two bases"
            bases[rule_id] = basis.strip()
    assert bases, "sources.md's basis table is gone"
    return bases
