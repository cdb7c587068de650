"""The citations doctors see and the basis of each rule are sources.md's, exactly: every
key, citation, link and kind of its citation list; no removed key anywhere; each rule's
basis from its basis table; and both readable from a flag's rule ID."""

from __future__ import annotations

import pytest

from screening.rules import BASIS_LABELS, RULES, RULES_BY_ID, SOURCES, evaluate
from screening.rules.basis import BASES
from screening.rules.cases import base_answers
from screening.rules.sources import SOURCE_KINDS
from tests.contract import CLINICAL
from tests.rules.contract_rules import contract_rules
from tests.rules.contract_sources import (
    contract_bases,
    contract_sources,
    removed_keys,
    withdrawn_support,
)

POLICY = "policy"  # the service's own rule behind DATA-01 (rules.md's source "—")
# The service's own rules, which cite no publication: DATA-01's (and FU-16's), and the
# follow-up rules' that followup.md gives without a key (tests/followup/test_invariants.py).
SERVICE_POLICIES = {POLICY, "followup"}
CONTRACT_KEYS = sorted(contract_sources(), key=lambda key: int(key[1:]))


# --- the citation list is sources.md's ---------------------------------------------------

def test_the_keys_are_the_contracts() -> None:
    ours = set(SOURCES) - SERVICE_POLICIES
    theirs = set(contract_sources())
    assert not theirs - ours, f"in sources.md, missing from sources.yaml: {sorted(theirs - ours)}"
    assert not ours - theirs, f"in sources.yaml, not in sources.md: {sorted(ours - theirs)}"


@pytest.mark.parametrize("key", CONTRACT_KEYS)
def test_each_source_is_the_contracts(key: str) -> None:
    expected, source = contract_sources()[key], SOURCES.get(key)
    assert source is not None, f"{key}: missing from sources.yaml"
    assert source.label == expected.citation, f"{key}: label differs from sources.md's citation"
    assert source.url == expected.url, f"{key}: link differs from sources.md's"
    assert source.note == expected.note, f"{key}: the note beside the link differs"
    assert source.kind == expected.kind, f"{key}: kind differs from sources.md's"
    assert source.supports == expected.supports, f"{key}: 'what it supports' differs"


def test_the_yaml_keeps_sources_mds_order() -> None:
    assert [key for key in SOURCES if key not in SERVICE_POLICIES] == list(contract_sources())


@pytest.mark.parametrize("key", sorted(SOURCES))
def test_every_kind_is_a_known_one(key: str) -> None:
    assert set(SOURCES[key].kinds) <= set(SOURCE_KINDS), key


def test_the_services_own_policy_has_no_link_and_backs_data_01_only() -> None:
    for key in SERVICE_POLICIES:
        assert (SOURCES[key].url, SOURCES[key].kind) == (None, "service policy")
    assert [rule.id for rule in RULES if POLICY in rule.sources] == ["DATA-01"]
    assert contract_rules()["DATA-01"].sources == ()


def test_removed_keys_are_gone_from_the_sources_and_every_rule() -> None:
    assert removed_keys() == {"S35", "S37"}, "sources.md changed its removed keys: check them"
    assert not removed_keys() & set(SOURCES)
    for rule in RULES:
        assert not removed_keys() & set(rule.sources), rule.id


@pytest.mark.parametrize("key", sorted(key for key in SOURCES if key not in SERVICE_POLICIES))
def test_each_key_has_its_research_trail_in_evidence_md(key: str) -> None:
    evidence = (CLINICAL / "evidence.md").read_text(encoding="utf-8")
    assert f"\n- [{key}] " in evidence, f"{key} has no entry in evidence.md"


# --- each rule cites rules.md's keys, less the ones sources.md takes away -----------------

@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.id)
def test_rule_cites_the_contracts_sources(rule) -> None:
    dropped = removed_keys() | withdrawn_support().get(rule.id, frozenset())
    expected = tuple(key for key in contract_rules()[rule.id].sources if key not in dropped)
    assert rule.sources == (expected or (POLICY,))


def test_ant_01_no_longer_cites_s16() -> None:
    assert withdrawn_support() == {"ANT-01": {"S16"}}
    assert RULES_BY_ID["ANT-01"].sources == ("S57", "S58", "S29")


# --- the basis of each rule -----------------------------------------------------------------

def test_the_basis_table_names_every_rule_once() -> None:
    assert set(contract_bases()) == set(contract_rules())


def test_the_bases_are_the_contracts() -> None:
    assert set(contract_bases().values()) == set(BASES)
    assert set(BASIS_LABELS) == set(BASES)


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.id)
def test_rule_has_the_contracts_basis(rule) -> None:
    assert rule.basis == contract_bases()[rule.id]


def test_the_doctor_is_told_when_a_basis_is_not_the_label() -> None:
    assert BASIS_LABELS["convention"] == "Basis: service convention — not from the label"
    assert "not from the label" in BASIS_LABELS["expert opinion"]
    assert "convention" in BASIS_LABELS["label, extended by convention"]


def test_thy_01_says_the_evidence_runs_against_it() -> None:
    """sources.md: the only cohort data (S40) show no change in thyroid hormone use."""
    assert "S40" in RULES_BY_ID["THY-01"].sources
    assert "do not show a change" in RULES_BY_ID["THY-01"].explanation


# --- read back from a flag's rule ID (for the doctor's summary) ----------------------------

@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.id)
def test_a_rules_basis_and_source_kind_read_from_its_id(rule) -> None:
    found = RULES_BY_ID[rule.id]
    assert found.basis in BASIS_LABELS
    assert found.source is SOURCES[rule.sources[0]]
    assert found.source.kind


def test_a_flag_shows_its_rules_first_source() -> None:
    answers, as_of = base_answers()
    (flag,) = evaluate({**answers, "liver_test_abnormal": "unsure"}, as_of).flags
    assert flag.rule_id == "LIV-08"
    rule = RULES_BY_ID[flag.rule_id]
    assert flag.to_json()["source"] == {"label": rule.source.label, "url": rule.source.url}
    assert (rule.basis, rule.source.kind) == ("convention", "label")
