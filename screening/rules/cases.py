"""The rules' test cases, kept as data beside them: ``<module>.cases.yaml`` per rule module.

A case file holds a list under ``cases``; each case has a ``name`` (unique across files),
an optional ``as_of`` (default: the base's), ``answers`` laid over the base answers,
``absent`` (base answers to remove), the rule IDs it ``fires`` and keeps ``silent``, and
optionally what a firing rule ``says``: rule ID -> text (or list of texts) its flag's
rationale must contain.
The base (cases_base.yaml) is a complete submission that raises no flag, so a case states
only what makes it different. Merged answers must pass the questionnaire's validation;
base answers that the case hides are dropped, as the form drops them, but an answer the
case gives itself must not be hidden (that would be a case that does not test anything).

Used by tests/rules/test_cases.py and by docs.py, which lists each rule's cases.

Check-in rules (followup.py) have cases of their own kind (:class:`CheckinCase`, loaded by
:func:`load_checkin_cases`), laid over checkin_cases_base.yaml: a check-in that raises no
flag, with its plan and its screening. Besides the keys above, a check-in case may give
``screening`` (screening answers laid over the base's), ``screening_absent`` and ``plan``
(plan fields laid over the base plan's).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml

from screening.questionnaire import CHECKIN_QUESTIONNAIRE, QUESTIONNAIRE, AnswerError, validate_answers
from screening.questionnaire.answers import parse_iso_date

from .checkin import checkin_context
from .plan import Plan, PlanError, plan_from_json

HERE = Path(__file__).parent
BASE_PATH = HERE / "cases_base.yaml"
CASE_KEYS = {"name", "as_of", "answers", "absent", "fires", "silent", "says"}
CHECKIN_BASE_PATH = HERE / "checkin_cases_base.yaml"
CHECKIN_CASE_KEYS = CASE_KEYS | {"screening", "screening_absent", "plan"}


class CaseError(ValueError):
    """A case file is malformed; the message names the file and the case."""


@dataclass(frozen=True)
class Case:
    name: str
    module: str
    as_of: date
    answers: Mapping[str, Any]  # base + case, validated, hidden answers dropped
    fires: tuple[str, ...]
    silent: tuple[str, ...]
    says: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # rule -> texts


def cases_path(module: ModuleType) -> Path:
    return Path(module.__file__ or "").with_suffix(".cases.yaml")


def load_cases(modules: Iterable[ModuleType]) -> list[Case]:
    base, base_as_of = base_answers()
    cases: list[Case] = []
    for module in modules:
        path = cases_path(module)
        for raw in _read(path).get("cases") or ():
            cases.append(_case(raw, module.__name__.rsplit(".", 1)[-1], base, base_as_of, path))
    _check_names(case.name for case in cases)
    return cases


def _check_names(names: Iterable[str]) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise CaseError(f"two cases are named {name!r}")
        seen.add(name)


def base_answers() -> tuple[dict[str, Any], date]:
    """The answers every case starts from, and their as_of."""
    base = _read(BASE_PATH)
    return _plain(base["answers"]), parse_iso_date(_plain(base["as_of"]), BASE_PATH.name)


def _case(
    raw: Mapping[str, Any], module: str, base: dict[str, Any], base_as_of: date, path: Path
) -> Case:
    name = raw.get("name")
    where = f"{path.name}, case {name!r}"
    if not isinstance(name, str) or set(raw) - CASE_KEYS:
        raise CaseError(f"{where}: needs a name and only the keys {sorted(CASE_KEYS)}")
    as_of = parse_iso_date(_plain(raw["as_of"]), where) if "as_of" in raw else base_as_of
    given = _plain(raw.get("answers") or {})
    answers = {**base, **given}
    for qid in raw.get("absent") or ():
        answers.pop(qid, None)
    try:
        kept, dropped = validate_answers(QUESTIONNAIRE, answers, as_of)
    except AnswerError as error:
        raise CaseError(f"{where}: {error}") from None
    hidden = sorted(set(given) & set(dropped))
    if hidden:
        raise CaseError(f"{where}: the case answers questions it hides: {hidden}")
    fires, silent = tuple(raw.get("fires") or ()), tuple(raw.get("silent") or ())
    if not fires and not silent:
        raise CaseError(f"{where}: says nothing about any rule (no fires, no silent)")
    says = _says(raw.get("says") or {}, fires, where)
    return Case(name, module, as_of, kept, fires, silent, says)


@dataclass(frozen=True)
class CheckinCase:
    name: str
    module: str
    as_of: date
    answers: Mapping[str, Any]  # base + case, validated in the case's context, hidden dropped
    screening_answers: Mapping[str, Any]  # base + case, validated, hidden dropped
    plan: Plan
    fires: tuple[str, ...]
    silent: tuple[str, ...]
    says: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class CheckinBase:
    """The check-in every check-in case starts from, with its plan and screening."""

    as_of: date
    answers: dict[str, Any]
    plan: dict[str, Any]  # as followup.md's JSON writes it
    screening_as_of: date
    screening_answers: dict[str, Any]


def checkin_base() -> CheckinBase:
    raw = _plain(_read(CHECKIN_BASE_PATH))
    where = CHECKIN_BASE_PATH.name
    return CheckinBase(
        as_of=parse_iso_date(raw["as_of"], where), answers=raw["answers"], plan=raw["plan"],
        screening_as_of=parse_iso_date(raw["screening"]["as_of"], where),
        screening_answers=raw["screening"]["answers"],
    )


def load_checkin_cases(modules: Iterable[ModuleType]) -> list[CheckinCase]:
    base = checkin_base()
    cases = [
        _checkin_case(raw, module.__name__.rsplit(".", 1)[-1], base, cases_path(module))
        for module in modules for raw in _read(cases_path(module)).get("cases") or ()
    ]
    _check_names(case.name for case in cases)
    return cases


def _checkin_case(raw: Mapping[str, Any], module: str, base: CheckinBase, path: Path) -> CheckinCase:
    name = raw.get("name")
    where = f"{path.name}, case {name!r}"
    if not isinstance(name, str) or set(raw) - CHECKIN_CASE_KEYS:
        raise CaseError(f"{where}: needs a name and only the keys {sorted(CHECKIN_CASE_KEYS)}")
    as_of = parse_iso_date(_plain(raw["as_of"]), where) if "as_of" in raw else base.as_of
    try:
        plan = plan_from_json({**base.plan, **_plain(raw.get("plan") or {})})
    except PlanError as error:
        raise CaseError(f"{where}: plan: {error}") from None
    given_screening = _plain(raw.get("screening") or {})
    screening = _laid_over(base.screening_answers, given_screening, raw.get("screening_absent"))
    given = _plain(raw.get("answers") or {})
    answers = _laid_over(base.answers, given, raw.get("absent"))
    try:
        screening_kept, screening_dropped = validate_answers(QUESTIONNAIRE, screening, base.screening_as_of)
        kept, dropped = validate_answers(CHECKIN_QUESTIONNAIRE, answers, as_of, checkin_context(screening_kept))
    except AnswerError as error:
        raise CaseError(f"{where}: {error}") from None
    hidden = sorted((set(given) & set(dropped)) | (set(given_screening) & set(screening_dropped)))
    if hidden:
        raise CaseError(f"{where}: the case answers questions it hides: {hidden}")
    fires, silent = tuple(raw.get("fires") or ()), tuple(raw.get("silent") or ())
    if not fires and not silent:
        raise CaseError(f"{where}: says nothing about any rule (no fires, no silent)")
    says = _says(raw.get("says") or {}, fires, where)
    return CheckinCase(name, module, as_of, kept, screening_kept, plan, fires, silent, says)


def _laid_over(base: Mapping[str, Any], given: Mapping[str, Any], absent: Any) -> dict[str, Any]:
    answers = {**base, **given}
    for qid in absent or ():
        answers.pop(qid, None)
    return answers


def _says(raw: Any, fires: tuple[str, ...], where: str) -> dict[str, tuple[str, ...]]:
    """`says`: rule ID -> text or texts; only a rule the case fires can say anything."""
    if not isinstance(raw, Mapping):
        raise CaseError(f"{where}: says maps rule IDs to texts")
    says = {}
    for rule_id, texts in raw.items():
        texts = [texts] if isinstance(texts, str) else texts
        if rule_id not in fires or not texts or not all(isinstance(t, str) for t in texts):
            raise CaseError(f"{where}: says needs texts for a rule the case fires, not {rule_id!r}")
        says[str(rule_id)] = tuple(texts)
    return says


def _read(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def _plain(value: Any) -> Any:
    """YAML's own dates back to the contract's "YYYY-MM-DD" strings."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value
