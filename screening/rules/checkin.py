"""The check-in ruleset (followup.md section 3): `evaluate_checkin`, the one entry point.

``evaluate_checkin(answers, as_of, plan, screening_answers)`` runs FU-01 to FU-16 on a
check-in's answers and returns a :class:`CheckinEvaluation` whose ``to_json()`` is the
object followup.md's `evaluate-checkin` prints. What the rules read besides the check-in's
own answers goes into the same read-only answers, under declared names:

- the screening's answers as "screening.<ID>" (its medication list classified), which a
  rule reads through ``Inputs.within("screening")``;
- the plan's facts on `as_of` as "plan.start_date", "plan.days_on", "plan.planned_dose_mg".

:func:`checkin_context` computes, from the screening's answers, the context facts the
check-in's questions are shown on (CHECKIN_QUESTIONNAIRE.context); the forms, the check
page, the exports and this evaluation all take them from there, so what was asked and
what is evaluated agree. The ruleset version hashes the FU rules, this file, plan.py,
checkin.yaml (which decides what is shown) and the files every ruleset shares.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType, ModuleType
from typing import Any

from screening.questionnaire import CHECKIN_QUESTIONNAIRE, QUESTIONNAIRE
from screening.questionnaire.loader import CHECKIN_PATH

from . import engine, followup
from . import plan as plan_module
from .engine import MEDICATIONS, NAMESPACE_SEPARATOR, Flag, Inputs, Rule
from .facts import THYROID_HORMONE_INPUTS, MedEntry, classify_entries, thyroid_hormone
from .followup import CI_MEDICATIONS, SCREENING, SYMPTOM_ITEMS, percent_change
from .plan import Plan, plan_facts
from .ruleset import classify, content_version, shared_files

CHECKIN_RULE_MODULES: tuple[ModuleType, ...] = (followup,)
CHECKIN_RULES: tuple[Rule, ...] = tuple(rule for module in CHECKIN_RULE_MODULES for rule in module.rules)
CHECKIN_RULES_BY_ID: Mapping[str, Rule] = MappingProxyType({rule.id: rule for rule in CHECKIN_RULES})
if len(CHECKIN_RULES_BY_ID) != len(CHECKIN_RULES):
    raise RuntimeError("two check-in rules share an ID")

# The context facts (checkin.yaml's `context`) and the screening answers they are read from.
SEX_AT_BIRTH_NOT_MALE = "sex_at_birth_not_male"
ON_THYROID_HORMONE = "on_thyroid_hormone"
CONTEXT_INPUTS = ("sex_at_birth", *THYROID_HORMONE_INPUTS)


def _checkin_ruleset_version() -> str:
    files = [Path(module.__file__ or "") for module in (*CHECKIN_RULE_MODULES, plan_module)]
    return content_version(CHECKIN_RULES, [*files, Path(__file__), CHECKIN_PATH, *shared_files()])


CHECKIN_RULESET_VERSION = _checkin_ruleset_version()


def _frozen(answers: Mapping[str, Any], medication_list: str) -> dict[str, Any]:
    """Answers as the rules read them: lists as tuples, the medication list classified."""
    frozen = {qid: tuple(value) if isinstance(value, list) else value for qid, value in answers.items()}
    if medication_list in answers:
        frozen[medication_list] = classify_entries(answers[medication_list], classify)
    return frozen


def _screening(screening_answers: Mapping[str, Any]) -> dict[str, Any]:
    """The screening's answers as its own rules read them (hidden ones dropped)."""
    kept, _hidden = QUESTIONNAIRE.prune(screening_answers)
    return _frozen(kept, MEDICATIONS)


def _context(screening: Mapping[str, Any]) -> dict[str, bool]:
    a = Inputs(screening, frozenset(CONTEXT_INPUTS), "check-in context")
    return {
        # A missing sex at birth counts as not male: the pregnancy question is asked.
        SEX_AT_BIRTH_NOT_MALE: not a.is_("sex_at_birth", "male"),
        ON_THYROID_HORMONE: bool(thyroid_hormone(a)),
    }


def checkin_context(screening_answers: Mapping[str, Any]) -> dict[str, bool]:
    """The check-in's context facts for a patient, from their screening's answers: pass it
    as `context` wherever the check-in's visibility is asked (forms, navigation, display,
    validate_answers, prune, exports)."""
    return _context(_screening(screening_answers))


@dataclass(frozen=True)
class SymptomChange:
    """A symptom item answered at screening (baseline) and in this check-in (now)."""

    item: str  # the question ID (a screening symptom item)
    baseline: int
    now: int
    points: int  # now − baseline: negative is better
    percent: Decimal | None  # points as a percentage of baseline, to one decimal; None from 0

    def to_json(self) -> dict[str, Any]:
        return {"baseline": self.baseline, "now": self.now, "points": self.points,
                "percent": None if self.percent is None else float(self.percent)}


def symptom_changes(answers: Mapping[str, Any], screening_answers: Mapping[str, Any]) -> tuple[SymptomChange, ...]:
    """Each symptom item present at baseline and now, in the definition's order."""
    changes = []
    for item in SYMPTOM_ITEMS:
        baseline, now = screening_answers.get(item), answers.get(item)
        if baseline is not None and now is not None:
            changes.append(SymptomChange(item, baseline, now, now - baseline, percent_change(baseline, now)))
    return tuple(changes)


@dataclass(frozen=True)
class CheckinEvaluation:
    ruleset_version: str  # CHECKIN_RULESET_VERSION when computed
    as_of: date  # the day the check-in was submitted
    urgent: bool  # FU-01 fired: top of the queue, whatever else
    days_on: int  # as_of − plan start (negative before the start)
    planned_dose_mg: Decimal | None  # the plan's dose on as_of; None before the start
    flags: tuple[Flag, ...]  # critical, warning, info, then rule ID
    changes: tuple[SymptomChange, ...]  # each symptom item against the screening baseline
    # The new medicines as the rules read them (classified), to store beside the flags.
    medications: tuple[MedEntry, ...] = ()
    # The context facts the answers were read in (what was shown): store them with it.
    context: Mapping[str, bool] = field(default_factory=dict)

    def medications_json(self) -> list[dict[str, Any]]:
        return [entry.to_json() for entry in self.medications]

    def to_json(self) -> dict[str, Any]:
        """The object followup.md's `evaluate-checkin` prints for a file (without "file")."""
        return {
            "ruleset_version": self.ruleset_version,
            "as_of": self.as_of.isoformat(),
            "urgent": self.urgent,
            "days_on": self.days_on,
            "planned_dose_mg": None if self.planned_dose_mg is None else float(self.planned_dose_mg),
            "flags": [flag.to_json() for flag in self.flags],
            "changes": {change.item: change.to_json() for change in self.changes},
        }


def evaluate_checkin(
    answers: Mapping[str, Any], as_of: date, plan: Plan, screening_answers: Mapping[str, Any]
) -> CheckinEvaluation:
    """Run every check-in rule on valid check-in answers (validate_answers with
    CHECKIN_QUESTIONNAIRE and this patient's checkin_context).

    `plan` is the plan in force for this check-in (its planned dose on `as_of` is the one
    compared); `screening_answers` are the answers of the screening the plan followed.
    Answers to questions the check-in would hide are dropped first, as the form drops them.
    """
    screening = _screening(screening_answers)
    context = _context(screening)
    kept, _hidden = CHECKIN_QUESTIONNAIRE.prune(answers, context)
    read = _frozen(kept, CI_MEDICATIONS)
    read.update({f"{SCREENING}{NAMESPACE_SEPARATOR}{qid}": value for qid, value in screening.items()})
    facts = plan_facts(plan, as_of)
    read.update(facts)
    flags = engine.run(CHECKIN_RULES, read, as_of)
    return CheckinEvaluation(
        ruleset_version=CHECKIN_RULESET_VERSION,
        as_of=as_of,
        urgent=any(CHECKIN_RULES_BY_ID[flag.rule_id].urgent for flag in flags),
        days_on=facts["plan.days_on"],
        planned_dose_mg=facts["plan.planned_dose_mg"],
        flags=tuple(flags),
        changes=symptom_changes(kept, screening),
        medications=read.get(CI_MEDICATIONS, ()),
        context=MappingProxyType(context),
    )
