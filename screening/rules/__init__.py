"""Clinical decision-support rules for the LDN pre-consultation screen (rules.md).

Each rule is a small pure function with declared inputs, in one module per clinical
concern; :func:`evaluate` runs them all on a submission's answers.

For a flag's rule ID, ``RULES_BY_ID[rule_id]`` gives the rule: its ``basis`` (label,
convention …; ``BASIS_LABELS`` says it in words) and ``source``, whose ``kind`` says what
kind of document it is (``SOURCES[key].kind`` for any cited key).

Check-ins (followup.md) have their own ruleset on the same engine:
:func:`evaluate_checkin` runs FU-01 to FU-16 and returns a :class:`CheckinEvaluation`;
``CHECKIN_RULES_BY_ID`` reads a check-in flag's rule back; :func:`checkin_context` gives
the context facts the check-in's questions are shown on; the plan's arithmetic is in
:mod:`screening.rules.plan` (``Plan``, ``planned_dose``, ``dose_schedule``,
``checkin_due_dates``).
"""

from .basis import BASIS_LABELS, Basis
from .checkin import (
    CHECKIN_RULES,
    CHECKIN_RULES_BY_ID,
    CHECKIN_RULESET_VERSION,
    CheckinEvaluation,
    SymptomChange,
    checkin_context,
    evaluate_checkin,
)
from .engine import Finding, Flag, Inputs, Rule, UndeclaredInput
from .plan import DoseStep, Plan, PlanError, checkin_due_dates, dose_schedule, plan_from_json, planned_dose
from .ruleset import RULES, RULES_BY_ID, RULESET_VERSION, Evaluation, evaluate
from .sources import SOURCES, Source

__all__ = [
    "BASIS_LABELS",
    "CHECKIN_RULES",
    "CHECKIN_RULESET_VERSION",
    "CHECKIN_RULES_BY_ID",
    "CheckinEvaluation",
    "DoseStep",
    "Plan",
    "PlanError",
    "SymptomChange",
    "checkin_context",
    "checkin_due_dates",
    "dose_schedule",
    "evaluate_checkin",
    "plan_from_json",
    "planned_dose",
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
