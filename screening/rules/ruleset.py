"""The ruleset: the rule modules, listed explicitly, and `evaluate`, the one entry point.

`evaluate(answers, as_of)` classifies the medication list, runs every rule and returns an
:class:`Evaluation` whose ``to_json()`` is the object rules.md's `evaluate` prints. The
ruleset version is a hash of everything that decides an outcome, so a stored evaluation
says exactly which rules produced it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType, ModuleType
from typing import Any

import screening.medications as medications_package
from screening.medications import classify as classify_medication
from screening.questionnaire import QUESTIONNAIRE

from . import (
    antagonists,
    basis,
    completeness,
    eligibility,
    engine,
    facts,
    hidden_opioids,
    immune,
    kidney,
    liver,
    medications,
    mood,
    opioids,
    severity,
    sources,
    surgery,
    thyroid,
)
from .engine import MEDICATIONS, Flag, Inputs, Rule
from .facts import Classifier, MedEntry, classify_entries

RULE_MODULES: tuple[ModuleType, ...] = (
    opioids, hidden_opioids, surgery, antagonists, liver, kidney, eligibility, mood, thyroid,
    immune, medications, completeness,
)
RULES: tuple[Rule, ...] = tuple(rule for module in RULE_MODULES for rule in module.rules)
RULES_BY_ID: Mapping[str, Rule] = MappingProxyType({rule.id: rule for rule in RULES})
if len(RULES_BY_ID) != len(RULES):
    raise RuntimeError("two rules share an ID")


def content_version(rules: tuple[Rule, ...], files: list[Path]) -> str:
    """A short hash of the rules' metadata and of the files that decide their outcomes. Line
    endings are normalised so that a Windows checkout gives the same version."""
    digest = hashlib.sha256()
    for rule in rules:
        metadata = (rule.id, rule.severity, rule.summary, rule.why, rule.sources, rule.basis,
                    rule.inputs, rule.module, rule.urgent, rule.blocks_start, rule.caveat)
        digest.update(repr(metadata).encode())
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes().replace(b"\r\n", b"\n"))
    return digest.hexdigest()[:12]


def shared_files() -> list[Path]:
    """What every ruleset's outcome depends on besides its own modules: the engine, the
    shared facts, severities, bases and sources, and the medication classifier with its
    lexicon (a new lexicon entry can change a flag)."""
    classifier = Path(medications_package.__file__ or "").parent
    files = [Path(module.__file__ or "") for module in (engine, facts, severity, basis, sources)]
    return [*files, sources.SOURCES_PATH, *sorted(classifier.glob("*.py")), *sorted(classifier.glob("lexicon/*.yaml"))]


def _ruleset_version() -> str:
    """A short hash of the rules' metadata and of every file that decides an outcome: the
    rule modules with their thresholds, this file, and the shared files."""
    files = [Path(module.__file__ or "") for module in RULE_MODULES]
    return content_version(RULES, [*files, Path(__file__), *shared_files()])


RULESET_VERSION = _ruleset_version()


@dataclass(frozen=True)
class Evaluation:
    ruleset_version: str
    as_of: date
    urgent: bool  # an urgent rule (PSY-01) fired: top of the queue, whatever else
    earliest_start: date | None  # rules.md "Earliest start date"; None when blocked
    opioid_block: bool  # "not until current opioid use stops"
    flags: tuple[Flag, ...]  # critical, warning, info, then rule ID
    # The medication list as the rules read it (classified): stored beside the flags so a
    # summary shows the classes that were evaluated, not what today's lexicon would say.
    medications: tuple[MedEntry, ...] = ()

    def medications_json(self) -> list[dict[str, Any]]:
        """Each entry as typed, with the class, product and ingredients it was read as."""
        return [entry.to_json() for entry in self.medications]

    def to_json(self) -> dict[str, Any]:
        """The object rules.md's `evaluate` prints for a file (without "file")."""
        return {
            "ruleset_version": self.ruleset_version,
            "as_of": self.as_of.isoformat(),
            "urgent": self.urgent,
            "earliest_start": self.earliest_start.isoformat() if self.earliest_start else None,
            "opioid_block": self.opioid_block,
            "flags": [flag.to_json() for flag in self.flags],
        }


# The classifier is a pure function of the name, and patients type the same few hundred
# names again and again: remembering its answers keeps evaluation well under 1 ms.
classify: Classifier = lru_cache(maxsize=4096)(classify_medication)


def evaluate(answers: Mapping[str, Any], as_of: date) -> Evaluation:
    """Run every rule on valid answers (see screening.questionnaire.validate_answers).

    Answers to questions the form would hide are dropped first, as the form drops them.
    """
    kept, _hidden = QUESTIONNAIRE.prune(answers)
    # Lists become tuples so that no rule can change what the next one reads.
    frozen = {qid: tuple(val) if isinstance(val, list) else val for qid, val in kept.items()}
    if MEDICATIONS in kept:
        frozen[MEDICATIONS] = classify_entries(kept[MEDICATIONS], classify)
    flags = engine.run(RULES, frozen, as_of)
    fired = {flag.rule_id for flag in flags}
    blocked = any(RULES_BY_ID[rule_id].blocks_start for rule_id in fired)
    start = opioids.earliest_start(
        Inputs(frozen, frozenset(opioids.EARLIEST_START_INPUTS), "earliest start"), as_of
    )
    return Evaluation(
        ruleset_version=RULESET_VERSION,
        as_of=as_of,
        urgent=any(RULES_BY_ID[rule_id].urgent for rule_id in fired),
        earliest_start=None if blocked else start,
        opioid_block=blocked,
        flags=tuple(flags),
        medications=frozen.get(MEDICATIONS, ()),
    )
