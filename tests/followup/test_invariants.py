"""The check-in ruleset keeps the screening's promises: it is followup.md's rule table
exactly (IDs, severities, urgency, rationales, bases, sources); every input, code and
medication class a rule uses exists; rule modules stay pure; and every rule has a case
where it fires and one where it stays silent."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from types import ModuleType

import pytest

from screening.questionnaire import CHECKIN_QUESTIONNAIRE, QUESTIONNAIRE, Question
from screening.rules import CHECKIN_RULES, CHECKIN_RULES_BY_ID, RULES_BY_ID, Inputs, checkin, evaluate_checkin, plan
from screening.rules.cases import load_checkin_cases
from screening.rules.checkin import CHECKIN_RULE_MODULES
from screening.rules.engine import NAMESPACE_SEPARATOR
from screening.rules.followup import SAFETY_QUESTIONS, SYMPTOM_ITEMS
from screening.rules.plan import PLAN_FACTS
from screening.rules.sources import SOURCES
from tests.followup.contract_followup import backticked, followup_rules
from tests.rules.contract_rules import medication_classes
from tests.rules.test_invariants import (
    COMPARISONS,
    ENTRY_SELECTORS,
    is_text,
    literal_args,
    tree,
)

CASES = load_checkin_cases(CHECKIN_RULE_MODULES)
PURE_MODULES = (*CHECKIN_RULE_MODULES, plan)
# Modules whose code comparisons are checked: the rules, and the context the forms read.
COMPARING_MODULES = (*CHECKIN_RULE_MODULES, checkin)
SCREENING = "screening"
POLICY, FOLLOWUP = "policy", "followup"  # the service's own rules (sources.yaml)


def calls(modules: tuple[ModuleType, ...], names: set[str]) -> Iterator[tuple[ModuleType, ast.Call, str]]:
    for module in modules:
        for node in ast.walk(tree(module)):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if name in names:
                    yield module, node, name


def resolve(qid: str) -> Question | None:
    """A check-in question; else the screening's ("screening.<ID>", or an ID read through
    ``within("screening")``)."""
    if qid in CHECKIN_QUESTIONNAIRE.questions:
        return CHECKIN_QUESTIONNAIRE.questions[qid]
    return QUESTIONNAIRE.questions.get(qid.removeprefix(SCREENING + NAMESPACE_SEPARATOR))


# --- the rule table is followup.md's ----------------------------------------------------------

def test_no_rule_beyond_the_contract() -> None:
    assert set(CHECKIN_RULES_BY_ID) == set(followup_rules())
    assert not set(CHECKIN_RULES_BY_ID) & set(RULES_BY_ID), "a check-in rule shares a screening rule's ID"


@pytest.mark.parametrize("rule_id", sorted(followup_rules()))
def test_contract_rule_exists_with_its_severity_and_urgency(rule_id: str) -> None:
    expected, rule = followup_rules()[rule_id], CHECKIN_RULES_BY_ID[rule_id]
    assert (rule.severity, rule.urgent) == (expected.severity, expected.urgent)


def test_only_fu_01_makes_a_check_in_urgent() -> None:
    assert [rule.id for rule in CHECKIN_RULES if rule.urgent] == ["FU-01"]
    assert not any(rule.blocks_start for rule in CHECKIN_RULES)


@pytest.mark.parametrize("rule", CHECKIN_RULES, ids=lambda rule: rule.id)
def test_rule_explains_itself_with_the_contracts_rationale(rule) -> None:
    assert rule.why == followup_rules()[rule.id].rationale


@pytest.mark.parametrize("rule", CHECKIN_RULES, ids=lambda rule: rule.id)
def test_rule_has_the_contracts_basis(rule) -> None:
    assert rule.basis == followup_rules()[rule.id].basis


@pytest.mark.parametrize("rule", CHECKIN_RULES, ids=lambda rule: rule.id)
def test_rule_cites_the_contracts_sources(rule) -> None:
    """followup.md's keys; where it gives none, the service's own policy: `policy` for a
    missing safety answer (as DATA-01), `followup` for the rest."""
    expected = followup_rules()[rule.id]
    missing_answer = expected.rationale == RULES_BY_ID["DATA-01"].why
    assert rule.sources == (expected.sources or ((POLICY,) if missing_answer else (FOLLOWUP,)))
    assert all(SOURCES[key].label for key in rule.sources)


def test_the_follow_up_policy_source_has_no_link() -> None:
    source = SOURCES[FOLLOWUP]
    assert (source.url, source.kind) == (None, "service policy")
    assert [rule.id for rule in CHECKIN_RULES if POLICY in rule.sources] == ["FU-16"]


def test_fu_16_watches_the_contracts_safety_questions() -> None:
    listed = set(backticked(followup_rules()["FU-16"].trigger))
    assert set(SAFETY_QUESTIONS) | {"ci_pregnant"} == listed
    assert f"{SCREENING}.sex_at_birth" in CHECKIN_RULES_BY_ID["FU-16"].inputs


def test_fu_13_compares_every_symptom_item_of_the_check_in() -> None:
    items = [qid for qid, q in CHECKIN_QUESTIONNAIRE.questions.items() if q.type == "scale_0_10"]
    assert list(SYMPTOM_ITEMS) == items


# --- inputs, codes and classes exist --------------------------------------------------------

@pytest.mark.parametrize("rule", CHECKIN_RULES, ids=lambda rule: rule.id)
def test_declared_inputs_exist(rule) -> None:
    for qid in rule.inputs:
        if qid.startswith(f"{SCREENING}{NAMESPACE_SEPARATOR}"):
            assert qid.split(NAMESPACE_SEPARATOR, 1)[1] in QUESTIONNAIRE.questions, qid
        else:
            assert qid in CHECKIN_QUESTIONNAIRE.questions or qid in PLAN_FACTS, qid


def test_every_compared_code_is_a_real_option() -> None:
    found = 0
    for module, call, method in calls(COMPARING_MODULES, set(COMPARISONS)):
        qid, *codes = literal_args(module, call.args)
        question = resolve(qid)
        where = f"{module.__name__} line {call.lineno}"
        assert question is not None, f"{where}: unknown question {qid!r}"
        assert question.type in COMPARISONS[method], f"{where}: {method} on {question.type}"
        assert codes and set(codes) <= set(question.codes), f"{where}: {qid} has no {codes}"
        found += 1
    assert found >= 18, "the scan no longer finds the rules' comparisons"


def test_no_code_is_compared_outside_the_checked_helpers() -> None:
    for module in COMPARING_MODULES + (plan,):
        for node in ast.walk(tree(module)):
            if isinstance(node, ast.Compare):
                sides = [node.left, *node.comparators]
                reads_answer = any(isinstance(side, ast.Subscript | ast.Call) for side in sides)
                assert not (reads_answer and any(is_text(side) for side in sides)), (
                    f"{module.__name__} line {node.lineno}: {ast.unparse(node)}"
                )


def test_every_medication_class_used_is_a_contract_class() -> None:
    used = set()
    for module, call, _ in calls(PURE_MODULES, ENTRY_SELECTORS):
        selected = literal_args(module, call.args[1:])
        assert set(selected) <= medication_classes(), f"{module.__name__}: {selected}"
        used.update(selected)
    # FU-02's four opioid classes and FU-15's unknown
    assert used == {"opioid/short", "opioid/long", "opioid/unregulated", "opioid/depot", "unknown"}


# --- rule modules stay pure -------------------------------------------------------------------

# (Their purity — no I/O, no clock — is tested with the screening's, in tests/rules/test_invariants.py.)


# --- every rule is specified by cases ---------------------------------------------------------

@pytest.mark.parametrize("rule", CHECKIN_RULES, ids=lambda rule: rule.id)
def test_rule_has_a_firing_and_a_silent_case(rule) -> None:
    assert any(rule.id in case.fires for case in CASES), "no case where it fires"
    assert any(rule.id in case.silent for case in CASES), "no case where it stays silent"


def test_cases_name_only_real_rules() -> None:
    for case in CASES:
        assert set(case.fires) | set(case.silent) <= set(CHECKIN_RULES_BY_ID), case.name


def test_every_declared_input_is_read_in_some_case(monkeypatch: pytest.MonkeyPatch) -> None:
    """Declared inputs are shown to doctors: none may be stale."""
    reads: dict[str, set[str]] = {rule.id: set() for rule in CHECKIN_RULES}

    def recording(method):  # type: ignore[no-untyped-def]
        def read(self: Inputs, qid: str, *default: object) -> object:
            name = f"{self.namespace}{NAMESPACE_SEPARATOR}{qid}" if self.namespace else qid
            reads.setdefault(self._owner, set()).add(name)
            return method(self, qid, *default)
        return read

    for name in ("__getitem__", "get", "__contains__"):
        monkeypatch.setattr(Inputs, name, recording(getattr(Inputs, name)))
    for case in CASES:
        evaluate_checkin(case.answers, case.as_of, case.plan, case.screening_answers)
    unread = {rule.id: set(rule.inputs) - reads[rule.id] for rule in CHECKIN_RULES}
    assert {rule_id: qids for rule_id, qids in unread.items() if qids} == {}


BOUNDARIES = {
    # followup.md's boundaries, each on both sides (case names in followup.cases.yaml)
    "14 days to surgery": ("fu-surgery-in-14-days", "fu-surgery-in-15-days"),
    "day 77 on LDN": ("fu-day-77-no-change-pain-7-to-6", "fu-day-76-no-change"),
    "a 30 % fall": ("fu-day-84-fall-of-28.6-percent", "fu-day-84-fall-of-exactly-30-percent"),
    "3 points worse": ("fu-tiredness-3-points-worse", "fu-tiredness-2-points-worse"),
    "0.1 mg from the plan": ("fu-dose-0.11-above-plan", "fu-dose-0.1-above-plan"),
    "day 0": ("fu-day-0-above-start-dose", "fu-day-0-start-dose"),
    "a capped target": ("fu-above-capped-target", "fu-capped-at-target"),
    "the pregnancy question": ("fu-pregnancy-answer-missing-sex-not-given", "fu-pregnancy-not-asked-male"),
}


@pytest.mark.parametrize("boundary", sorted(BOUNDARIES))
def test_every_boundary_has_a_case_on_each_side(boundary: str) -> None:
    names = {case.name: case for case in CASES}
    fires, silent = (names[name] for name in BOUNDARIES[boundary])
    assert fires.fires and set(fires.fires) & set(silent.silent)
