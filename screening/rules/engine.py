"""The small core of the rules engine: rule metadata, a registry per rule module, the
read-only view a rule reads its answers through, and the flags it produces.

A rule is a pure function ``(inputs, as_of) -> Finding | None``. It sees only the answers
it declares (``Rule.inputs``); reading anything else raises :class:`UndeclaredInput`, so
the declared inputs shown to doctors and checked against the questionnaire are the truth.
The engine adds the metadata (severity, summary, source) to what the rule found. Each rule
also declares its basis (label, convention …; basis.py), which the doctor is shown beside
the flag, read back from the flag's rule ID: ``RULES_BY_ID[rule_id].basis``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING, Any

from .basis import BASES, Basis
from .severity import SEVERITY_RANK, Severity
from .sources import SOURCES, Source

if TYPE_CHECKING:
    from .facts import MedEntry

MEDICATIONS = "medications"  # the one input whose value is the classified medication list
# A rule of one questionnaire that reads another's answers (a check-in rule reading the
# screening's) declares them as "<namespace>.<question ID>": "screening.sex_at_birth".
NAMESPACE_SEPARATOR = "."


class UndeclaredInput(RuntimeError):
    """A rule read an answer it did not declare: a programming error, never bad input.

    Not a KeyError on purpose: ``Mapping.get`` and ``in`` would swallow a KeyError.
    """


@dataclass(frozen=True)
class Finding:
    """What a rule returns when it fires: why, for this patient, and what it read."""

    rationale: str
    evidence: Mapping[str, Any]


RuleFunction = Callable[["Inputs", date], Finding | None]


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    summary: str  # one line for the doctor's queue
    why: str  # the contract's rationale, appended to every flag's rationale
    sources: tuple[str, ...]  # keys of sources.yaml; the first is the flag's `source`
    basis: Basis  # where the trigger comes from (sources.md "The basis of each rule")
    inputs: tuple[str, ...]  # question IDs the function may read (`medications` included)
    function: RuleFunction = field(repr=False, compare=False)
    module: str = ""
    urgent: bool = False  # firing marks the whole submission urgent (PSY-01)
    blocks_start: bool = False  # firing means "not until current opioid use stops"
    # Where the evidence runs against the rule (sources.md asks the rationale to say so):
    # appended to every flag's rationale after `why`.
    caveat: str = ""

    @cached_property
    def declared(self) -> frozenset[str]:
        return frozenset(self.inputs)

    @cached_property
    def cited(self) -> tuple[Source, ...]:
        return tuple(SOURCES[key] for key in self.sources)

    @property
    def source(self) -> Source:
        """The source a flag of this rule shows (its first), with its kind."""
        return self.cited[0]

    @property
    def explanation(self) -> str:
        """What every flag of this rule adds after the patient's own reasons."""
        return f"{self.why} {self.caveat}" if self.caveat else self.why


class Registry:
    """The rules of one module, in the order they are written."""

    def __init__(self, module: str) -> None:
        self.module = module
        self._rules: list[Rule] = []

    def rule(
        self,
        rule_id: str,
        severity: Severity,
        *,
        summary: str,
        why: str,
        sources: tuple[str, ...],
        basis: Basis,
        inputs: tuple[str, ...],
        urgent: bool = False,
        blocks_start: bool = False,
        caveat: str = "",
    ) -> Callable[[RuleFunction], RuleFunction]:
        """Register the decorated function as a rule; it stays callable as it is."""

        def register(function: RuleFunction) -> RuleFunction:
            if severity not in SEVERITY_RANK:
                raise ValueError(f"{rule_id}: unknown severity {severity!r}")
            if basis not in BASES:
                raise ValueError(f"{rule_id}: unknown basis {basis!r}")
            unknown = [key for key in sources if key not in SOURCES]
            if not sources or unknown:
                raise ValueError(f"{rule_id}: needs sources from sources.yaml, unknown: {unknown}")
            self._rules.append(Rule(
                id=rule_id, severity=severity, summary=summary, why=why, sources=sources,
                basis=basis, inputs=inputs, function=function, module=self.module,
                urgent=urgent, blocks_start=blocks_start, caveat=caveat,
            ))
            return function

        return register

    def __iter__(self) -> Iterator[Rule]:
        return iter(self._rules)


class Inputs(Mapping[str, Any]):
    """A read-only view of the answers, limited to the question IDs one rule declares.

    Values are as the contract's JSON has them (dates as "YYYY-MM-DD", multi answers as
    tuples), except medication lists (`medications`, a check-in's `ci_medications`): the
    classified entries (facts.MedEntry).

    Answers of another questionnaire sit under "<namespace>.<ID>" keys; ``within(namespace)``
    is the view of those a rule declares, keyed by their own IDs, so the shared facts
    (facts.thyroid_hormone …) read them as they read the screening itself.
    """

    __slots__ = ("_answers", "_declared", "_owner", "namespace")

    def __init__(
        self, answers: Mapping[str, Any], declared: frozenset[str], owner: str, namespace: str = ""
    ) -> None:
        self._answers = answers
        self._declared = declared
        self._owner = owner
        self.namespace = namespace  # "" for the questionnaire evaluated; else whose answers these are

    def _undeclared(self, qid: str) -> UndeclaredInput:
        name = f"{self.namespace}{NAMESPACE_SEPARATOR}{qid}" if self.namespace else qid
        return UndeclaredInput(f"{self._owner} read {name!r}, which it does not declare")

    # __getitem__, get and __contains__ are each written out (not inherited from Mapping)
    # because every rule calls them many times per evaluation.
    def __getitem__(self, qid: str) -> Any:
        if qid in self._declared:
            return self._answers[qid]
        raise self._undeclared(qid)

    def get(self, qid: str, default: Any = None) -> Any:
        if qid in self._declared:
            return self._answers.get(qid, default)
        raise self._undeclared(qid)

    def __contains__(self, qid: object) -> bool:
        if qid in self._declared:
            return qid in self._answers
        raise self._undeclared(str(qid))

    def __iter__(self) -> Iterator[str]:
        return (qid for qid in self._answers if qid in self._declared)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    @property
    def meds(self) -> tuple[MedEntry, ...]:
        """The classified medication list (empty when there is none)."""
        return self.meds_in(MEDICATIONS)

    def meds_in(self, qid: str) -> tuple[MedEntry, ...]:
        """The classified entries of the medication list `qid` (empty when there is none)."""
        meds: tuple[MedEntry, ...] = self.get(qid, ())
        return meds

    def within(self, namespace: str) -> Inputs:
        """The declared answers under "<namespace>.": another questionnaire's, by their own IDs."""
        prefix = namespace + NAMESPACE_SEPARATOR
        declared = frozenset(qid.removeprefix(prefix) for qid in self._declared if qid.startswith(prefix))
        answers = {qid: self._answers[prefix + qid] for qid in declared if prefix + qid in self._answers}
        return Inputs(answers, declared, self._owner, namespace)

    def as_date(self, qid: str) -> date | None:
        """A date answer as a date (None when absent)."""
        value = self.get(qid)
        return date.fromisoformat(value) if value is not None else None

    # Every comparison with an answer code goes through these three methods, so that a
    # test can find each (question, code) pair in the source and check it is a real option.
    def is_(self, qid: str, *codes: str) -> bool:
        """The single-choice answer is present and one of `codes`."""
        return self.get(qid) in codes

    def has(self, qid: str, *codes: str) -> bool:
        """The multi-choice answer is present and contains one of `codes`."""
        return any(code in codes for code in self.get(qid) or ())

    def has_other_than(self, qid: str, *codes: str) -> bool:
        """The multi-choice answer is present and contains a code outside `codes`."""
        return any(code not in codes for code in self.get(qid) or ())

    def evidence(self, *qids: str) -> dict[str, Any]:
        """The present answers among `qids`, for a Finding's evidence."""
        return {qid: self[qid] for qid in qids if qid in self}


@dataclass(frozen=True)
class Flag:
    rule_id: str
    severity: Severity
    summary: str
    rationale: str
    sources: tuple[Source, ...]
    evidence: Mapping[str, Any]  # JSON-ready

    @property
    def source(self) -> Source:
        """The contract's single `source`: the first the rule cites."""
        return self.sources[0]

    def to_json(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "severity": self.severity,
            "summary": self.summary,
            "rationale": self.rationale,
            "source": {"label": self.source.label, "url": self.source.url},
            "evidence": dict(self.evidence),
        }


def sort_key(flag: Flag) -> tuple[int, str]:
    """Critical, warning, info; then by rule ID (the contract's order)."""
    return SEVERITY_RANK[flag.severity], flag.rule_id


def run(rules: Iterable[Rule], answers: Mapping[str, Any], as_of: date) -> list[Flag]:
    """Each rule that fires, as a Flag, sorted. `answers` holds tuples, not lists, and the
    classified medication list under `medications`."""
    flags = []
    for rule in rules:
        found = rule.function(Inputs(answers, rule.declared, rule.id), as_of)
        if found is not None:
            flags.append(make_flag(rule, found))
    return sorted(flags, key=sort_key)


def make_flag(rule: Rule, finding: Finding) -> Flag:
    undeclared = finding.evidence.keys() - rule.declared
    if undeclared:
        raise UndeclaredInput(f"{rule.id} gives evidence it does not declare: {sorted(undeclared)}")
    return Flag(
        rule_id=rule.id,
        severity=rule.severity,
        summary=rule.summary,
        rationale=f"{finding.rationale} {rule.explanation}",
        sources=rule.cited,
        evidence={key: jsonable(value) for key, value in finding.evidence.items()},
    )


def jsonable(value: Any) -> Any:
    """Evidence values as JSON has them: tuples become lists, dates ISO strings."""
    if isinstance(value, str):  # most values: checked first, and cheaply
        return value
    if isinstance(value, tuple | list):
        return [jsonable(item) for item in value]
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):  # a planned dose: exact in the rules, a number in JSON
        return float(value)
    return value


def namespaced(namespace: str, evidence: Mapping[str, Any]) -> dict[str, Any]:
    """Evidence found in a ``within(namespace)`` view, under the keys the rule declares."""
    return {f"{namespace}{NAMESPACE_SEPARATOR}{key}": value for key, value in evidence.items()}
