"""The ruleset keeps its promises: it is rules.md's rule table exactly; every input, code
and medication class a rule uses exists; every citation resolves (test_sources.py checks
them against sources.md); rule modules stay pure; and every rule has a case where it
fires and one where it stays silent."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from screening.questionnaire import QUESTIONNAIRE
from screening.questionnaire.model import CONTAINS_OPIOID_CODES
from screening.rules import RULES, RULES_BY_ID, Inputs, completeness, evaluate, facts, plan
from screening.rules.cases import load_cases
from screening.rules.checkin import CHECKIN_RULE_MODULES
from screening.rules.facts import (
    CONTAINS_OPIOID_NO,
    CONTAINS_OPIOID_UNSURE,
    CONTAINS_OPIOID_YES,
    PATIENT_SAYS_OPIOID,
    UNKNOWN,
)
from screening.rules.ruleset import RULE_MODULES
from screening.rules.sources import SOURCES
from tests.contract import CLINICAL
from tests.rules.contract_rules import (
    backticked,
    contract_rules,
    medication_classes,
    start_blocking_rules,
)

CASES = load_cases(RULE_MODULES)
PACKAGE = Path(RULE_MODULES[0].__file__ or "").parent
PURE_MODULES = (*RULE_MODULES, facts)  # rules and the facts they share: no I/O, no clock
# The same purity for the check-in's rules and the plan arithmetic (tests/followup checks the rest).
NO_IO_MODULES = (*PURE_MODULES, *CHECKIN_RULE_MODULES, plan)
COMPARISONS = {"is_": {"single", "yes_no", "yes_no_unsure"}, "has": {"multi"},
               "has_other_than": {"multi"}}
ENTRY_SELECTORS = {"entries", "current_entries"}
FORBIDDEN_IMPORTS = {"flask", "flask_wtf", "flask_login", "sqlalchemy", "werkzeug", "os",
                     "pathlib", "io", "time", "random", "socket", "subprocess", "urllib"}
FORBIDDEN_CALLS = {"open", "today", "now", "utcnow", "print", "input"}


def imported(node: ast.AST) -> list[str]:
    """The top-level packages an import statement names (none for other nodes)."""
    if isinstance(node, ast.Import):
        return [alias.name.split(".")[0] for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.level == 0:
        return [(node.module or "").split(".")[0]]
    return []


def tree(module: ModuleType) -> ast.Module:
    return ast.parse(Path(module.__file__ or "").read_text(encoding="utf-8"))


def literal_args(module: ModuleType, args: list[ast.expr]) -> list[str]:
    """String literals, or *NAME where NAME is a module-level tuple of strings."""
    values: list[str] = []
    for arg in args:
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            values.append(arg.value)
        elif isinstance(arg, ast.Starred) and isinstance(arg.value, ast.Name):
            values.extend(getattr(module, arg.value.id))
        else:
            where = f"{module.__name__} line {arg.lineno}"
            raise AssertionError(f"{where}: not a literal: {ast.unparse(arg)}")
    return values


def calls(names: set[str]) -> Iterator[tuple[ModuleType, ast.Call, str]]:
    for module in PURE_MODULES:
        for node in ast.walk(tree(module)):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if name in names:
                    yield module, node, name


# --- the rule table is rules.md's -------------------------------------------------------

@pytest.mark.parametrize("rule_id", sorted(contract_rules()))
def test_contract_rule_exists_with_its_severity(rule_id: str) -> None:
    expected = contract_rules()[rule_id]
    assert rule_id in RULES_BY_ID
    assert RULES_BY_ID[rule_id].severity == expected.severity
    assert RULES_BY_ID[rule_id].urgent == expected.urgent


def test_no_rule_beyond_the_contract() -> None:
    assert set(RULES_BY_ID) == set(contract_rules())


# Each rule's sources (rules.md's keys less those sources.md removes) and its basis are
# checked against the contract in test_sources.py.


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.id)
def test_rule_explains_itself_with_the_contracts_rationale(rule) -> None:
    assert rule.why == contract_rules()[rule.id].rationale


def test_only_the_contracts_rules_block_the_start_date() -> None:
    assert {rule.id for rule in RULES if rule.blocks_start} == start_blocking_rules()


# Watched beyond rules.md's list, as the safer choice (see completeness.py).
DATA_01_ADDITIONS = {"phq9_self_harm", "date_of_birth"}


def test_data_01_watches_the_contracts_safety_questions() -> None:
    listed = backticked(contract_rules()["DATA-01"].trigger)
    watched = set(completeness.SAFETY_QUESTIONS) | {"pregnant", "sex_at_birth"}
    assert watched == (set(listed) - {"male"}) | DATA_01_ADDITIONS


# --- inputs, codes, classes and sources exist -------------------------------------------

@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.id)
def test_declared_inputs_are_questions(rule) -> None:
    assert set(rule.inputs) <= set(QUESTIONNAIRE.questions), "medications is a question too"


def test_every_compared_code_is_a_real_option() -> None:
    found = 0
    for module, call, method in calls(set(COMPARISONS)):
        qid, *codes = literal_args(module, call.args)
        question = QUESTIONNAIRE.questions.get(qid)
        where = f"{module.__name__} line {call.lineno}"
        assert question is not None, f"{where}: unknown question {qid!r}"
        assert question.type in COMPARISONS[method], f"{where}: {method} on {question.type}"
        assert codes and set(codes) <= set(question.codes), f"{where}: {qid} has no {codes}"
        found += 1
    assert found > 50, "the scan no longer finds the rules' comparisons"


def is_text(node: ast.expr) -> bool:
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return any(is_text(item) for item in node.elts)
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def test_no_code_is_compared_outside_the_checked_helpers() -> None:
    """`a["x"] == "yes"` would escape the check above: answers are compared with codes
    only through Inputs.is_, has and has_other_than."""
    for module in PURE_MODULES:
        for node in ast.walk(tree(module)):
            if isinstance(node, ast.Compare):
                sides = [node.left, *node.comparators]
                reads_answer = any(isinstance(side, ast.Subscript | ast.Call) for side in sides)
                assert not (reads_answer and any(is_text(side) for side in sides)), (
                    f"{module.__name__} line {node.lineno}: {ast.unparse(node)}"
                )


def test_every_medication_class_used_is_a_contract_class() -> None:
    classes = medication_classes()
    used = set()
    for module, call, _ in calls(ENTRY_SELECTORS):
        selected = literal_args(module, call.args[1:])
        assert set(selected) <= classes, f"{module.__name__} line {call.lineno}: {selected}"
        used.update(selected)
    # `other` concerns no rule by definition; `antithyroid` has no trigger in rules.md
    # (THY-02 reads the thyroid_medication answer only).
    assert used == classes - {"other", "antithyroid"}


def test_every_cited_source_resolves() -> None:
    for rule in RULES:
        assert set(rule.sources) <= set(SOURCES), rule.id
        assert all(SOURCES[key].label for key in rule.sources)


# --- rule modules stay pure ---------------------------------------------------------------

@pytest.mark.parametrize("path", sorted(PACKAGE.glob("*.py")), ids=lambda path: path.name)
def test_no_rules_module_imports_the_web_app_or_the_database(path: Path) -> None:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        assert not {"flask", "sqlalchemy"} & set(imported(node)), f"{path.name} line {node.lineno}"


@pytest.mark.parametrize("module", NO_IO_MODULES, ids=lambda module: module.__name__)
def test_rule_modules_have_no_io_and_no_clock(module: ModuleType) -> None:
    for node in ast.walk(tree(module)):
        assert not FORBIDDEN_IMPORTS & set(imported(node)), ast.unparse(node)
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            assert name not in FORBIDDEN_CALLS, f"{module.__name__} line {node.lineno}: {name}()"


# --- every rule is specified by cases -----------------------------------------------------

@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.id)
def test_rule_has_a_firing_and_a_silent_case(rule) -> None:
    assert any(rule.id in case.fires for case in CASES), "no case where it fires"
    assert any(rule.id in case.silent for case in CASES), "no case where it stays silent"


def test_every_declared_input_is_read_in_some_case(monkeypatch: pytest.MonkeyPatch) -> None:
    """Declared inputs are shown to doctors: none may be stale."""
    reads: dict[str, set[str]] = {rule.id: set() for rule in RULES}

    def recording(method):  # type: ignore[no-untyped-def]
        def read(self: Inputs, qid: str, *default: object) -> object:
            reads.setdefault(self._owner, set()).add(qid)
            return method(self, qid, *default)
        return read

    for name in ("__getitem__", "get", "__contains__"):
        monkeypatch.setattr(Inputs, name, recording(getattr(Inputs, name)))
    for case in CASES:
        evaluate(case.answers, case.as_of)
    unread = {rule.id: set(rule.inputs) - reads[rule.id] for rule in RULES}
    assert {rule_id: qids for rule_id, qids in unread.items() if qids} == {}


def test_cases_name_only_real_rules() -> None:
    for case in CASES:
        assert set(case.fires) | set(case.silent) <= set(RULES_BY_ID), case.name


def test_opi_13_knows_every_peripheral_opioid_in_the_lexicon() -> None:
    """Each opioid/peripheral product is loperamide (OPI-11/12) or names an OPI-13 ingredient."""
    from screening.medications.lexicon import load_entries
    from screening.rules.hidden_opioids import LOPERAMIDE, OTHER_PERIPHERAL_OPIOIDS

    for entry, _aliases, _words in load_entries():
        if entry.cls == "opioid/peripheral":
            assert set(entry.ingredients) & {LOPERAMIDE, *OTHER_PERIPHERAL_OPIOIDS}, entry.name


# --- the patient's own answer on an unrecognised medicine (contains_opioid) ---------------

def test_contains_opioid_codes_are_the_contracts() -> None:
    text = (CLINICAL / "questionnaire.md").read_text(encoding="utf-8")
    found = re.search(r"`contains_opioid` \(optional\) is `(\w+)`, `(\w+)` or `(\w+)`", text)
    assert found, "questionnaire.md no longer lists the contains_opioid codes"
    assert found.groups() == CONTAINS_OPIOID_CODES
    assert {CONTAINS_OPIOID_YES, CONTAINS_OPIOID_NO, CONTAINS_OPIOID_UNSURE} <= set(CONTAINS_OPIOID_CODES)


def test_a_patients_yes_reads_as_the_contracts_class() -> None:
    assert "read as\n  class `opioid/long`" in (CLINICAL / "rules.md").read_text(encoding="utf-8")
    assert {PATIENT_SAYS_OPIOID, UNKNOWN} <= medication_classes()
