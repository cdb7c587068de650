"""Clinical decision-support rules for the LDN pre-consultation screen (rules.md).

Each rule is a small pure function with declared inputs, in one module per clinical
concern; :func:`evaluate` runs them all on a submission's answers.

For a flag's rule ID, ``RULES_BY_ID[rule_id]`` gives the rule: its ``basis`` (label,
convention …; ``BASIS_LABELS`` says it in words) and ``source``, whose ``kind`` says what
kind of document it is (``SOURCES[key].kind`` for any cited key).
"""

from .basis import BASIS_LABELS, Basis
from .engine import Finding, Flag, Inputs, Rule, UndeclaredInput
from .ruleset import RULES, RULES_BY_ID, RULESET_VERSION, Evaluation, evaluate
from .sources import SOURCES, Source

__all__ = [
    "BASIS_LABELS",
    "RULES",
    "RULES_BY_ID",
    "RULESET_VERSION",
    "SOURCES",
    "Basis",
    "Evaluation",
    "Finding",
    "Flag",
    "Inputs",
    "Rule",
    "Source",
    "UndeclaredInput",
    "evaluate",
]
