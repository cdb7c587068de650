"""Clinical decision-support rules for the LDN pre-consultation screen (rules.md).

Each rule is a small pure function with declared inputs, in one module per clinical
concern; :func:`evaluate` runs them all on a submission's answers.
"""

from .engine import Finding, Flag, Inputs, Rule, UndeclaredInput
from .ruleset import RULES, RULES_BY_ID, RULESET_VERSION, Evaluation, evaluate

__all__ = [
    "RULES",
    "RULES_BY_ID",
    "RULESET_VERSION",
    "Evaluation",
    "Finding",
    "Flag",
    "Inputs",
    "Rule",
    "UndeclaredInput",
    "evaluate",
]
