"""The engine core: rules read only what they declare, flags are sorted and shaped as the
contract says, and the ruleset version is a deterministic function of the rules."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from screening.rules import RULESET_VERSION, Finding, UndeclaredInput, evaluate, ruleset
from screening.rules.cases import base_answers
from screening.rules.engine import Inputs, Registry, run
from screening.rules.facts import age

AS_OF = date(2026, 12, 1)
ANSWERS = {"opioid_recent": "yes", "conditions": ("fibromyalgia",)}


def view(*declared: str) -> Inputs:
    return Inputs(ANSWERS, frozenset(declared), "TEST-01")


@pytest.mark.parametrize("read", [
    lambda a: a["conditions"],
    lambda a: a.get("conditions"),
    lambda a: "conditions" in a,
    lambda a: a.is_("conditions", "fibromyalgia"),
    lambda a: a.meds,
], ids=["subscript", "get", "in", "is_", "medications"])
def test_reading_an_undeclared_input_raises(read) -> None:
    with pytest.raises(UndeclaredInput, match="TEST-01 read"):
        read(view("opioid_recent"))


def test_a_declared_input_reads_normally_and_absent_is_absent() -> None:
    a = view("opioid_recent", "opioid_last_dose")
    assert a["opioid_recent"] == "yes"
    assert a.get("opioid_last_dose") is None
    assert dict(a) == {"opioid_recent": "yes"}


def test_the_view_cannot_be_written() -> None:
    with pytest.raises(TypeError):
        view("opioid_recent")["opioid_recent"] = "no"  # type: ignore[index]


def test_evidence_must_be_declared_too() -> None:
    registry = Registry("test")

    @registry.rule("TEST-01", "info", summary="s", why="w", sources=("S1",), basis="label",
                   inputs=("opioid_recent",))
    def leaky(a: Inputs, as_of: date) -> Finding:
        return Finding("r", {"conditions": ["fibromyalgia"]})

    with pytest.raises(UndeclaredInput, match="evidence"):
        run(registry, ANSWERS, AS_OF)


def test_a_rule_must_cite_known_sources() -> None:
    with pytest.raises(ValueError, match="sources"):
        Registry("test").rule(
            "TEST-01", "info", summary="s", why="w", sources=("S999",), basis="label", inputs=()
        )(lambda a, as_of: None)


def test_a_rule_must_declare_a_known_basis() -> None:
    with pytest.raises(ValueError, match="basis"):
        Registry("test").rule(
            "TEST-01", "info", summary="s", why="w", sources=("S1",),
            basis="hearsay", inputs=(),  # type: ignore[arg-type]  # the point of the test
        )(lambda a, as_of: None)


def test_a_caveat_follows_the_rationale_on_every_flag() -> None:
    registry = Registry("test")
    registry.rule("TEST-01", "info", summary="s", why="Why.", sources=("S1",), basis="label",
                  inputs=(), caveat="But.")(lambda a, as_of: Finding("Because.", {}))
    (flag,) = run(registry, {}, AS_OF)
    assert flag.rationale == "Because. Why. But."


def test_flags_are_sorted_by_severity_then_rule_id() -> None:
    registry = Registry("test")
    for rule_id, severity in [("B-01", "info"), ("A-02", "warning"), ("C-01", "critical"),
                              ("A-01", "info"), ("B-02", "critical")]:
        registry.rule(rule_id, severity, summary="s", why="w", sources=("S1",), basis="label",
                      inputs=())(
            lambda a, as_of: Finding("r", {})
        )
    assert [flag.rule_id for flag in run(registry, {}, AS_OF)] == [
        "B-02", "C-01", "A-02", "A-01", "B-01"
    ]


def test_the_json_is_the_contracts_shape() -> None:
    answers, as_of = base_answers()
    document = evaluate({**answers, "kidney_disease": "severe"}, as_of).to_json()
    assert list(document) == [
        "ruleset_version", "as_of", "urgent", "earliest_start", "opioid_block", "flags"
    ]
    flag = document["flags"][0]
    assert list(flag) == ["rule_id", "severity", "summary", "rationale", "source", "evidence"]
    assert list(flag["source"]) == ["label", "url"]
    assert json.loads(json.dumps(document)) == document


def test_a_flag_shows_its_first_source_and_keeps_them_all() -> None:
    answers, as_of = base_answers()
    # REN-01 cites S14, S13 and S20
    (flag,) = evaluate({**answers, "kidney_disease": "dialysis"}, as_of).flags
    assert flag.source.key == "S14"
    assert [source.key for source in flag.sources] == ["S14", "S13", "S20"]
    assert [source.kind for source in flag.sources] == ["label", "label", "label"]
    assert flag.to_json()["evidence"] == {"kidney_disease": "dialysis"}


def test_urgent_when_psy_01_fires() -> None:
    answers, as_of = base_answers()
    assert evaluate({**answers, "phq9_self_harm": 1}, as_of).urgent is True
    assert evaluate(answers, as_of).urgent is False


def test_answers_to_hidden_questions_are_ignored() -> None:
    answers, as_of = base_answers()
    result = evaluate({**answers, "sex_at_birth": "male", "pregnant": "yes"}, as_of)
    assert "PREG-01" not in {flag.rule_id for flag in result.flags}


def test_evaluate_leaves_the_answers_unchanged() -> None:
    answers, as_of = base_answers()
    before = json.dumps(answers, sort_keys=True)
    evaluate(answers, as_of)
    assert json.dumps(answers, sort_keys=True) == before


@pytest.mark.parametrize(("born", "on", "years"), [
    ("1980-06-15", "2026-06-14", 45),
    ("1980-06-15", "2026-06-15", 46),
    ("2008-02-29", "2026-02-28", 17),
    ("2008-02-29", "2026-03-01", 18),
    ("2008-02-29", "2028-02-29", 20),
])
def test_age_in_whole_years_leap_day_birthdays_on_1_march(born: str, on: str, years: int) -> None:
    assert age(date.fromisoformat(born), date.fromisoformat(on)) == years


def test_the_ruleset_version_is_a_short_content_hash() -> None:
    assert len(RULESET_VERSION) == 12 and int(RULESET_VERSION, 16) >= 0


def test_the_ruleset_version_is_the_same_in_another_process() -> None:
    root = Path(__file__).resolve().parents[2]
    code = "from screening.rules import RULESET_VERSION; print(RULESET_VERSION)"
    env = {**os.environ, "PYTHONHASHSEED": "12345"}  # set and dict order must not matter
    out = subprocess.run([sys.executable, "-c", code], cwd=root, env=env, check=True,
                         capture_output=True, text=True).stdout.strip()
    # Recomputed now rather than read from import time, so that a file edited meanwhile
    # (the version covers the classifier's lexicon too) does not make this flaky.
    assert out == ruleset._ruleset_version()
