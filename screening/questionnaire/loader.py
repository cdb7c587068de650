"""Load a definition (definition.yaml, checkin.yaml) into the typed model and refuse a
definition that is wrong.

Everything here runs once, at start-up: a bad definition must fail the boot with a
message naming the problem, never a patient's request.

Two things serve a questionnaire that follows another (the check-in follows the
screening): a question may be **borrowed** from a lending definition (`- borrow: ID`
brings that question whole, with its ID, wording, type and options, so the two cannot
drift apart), and a question may be shown on a declared **context** fact
(`shown_when: {context: ID}`) rather than on an earlier answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any, Literal

import yaml

from .model import (
    EXCLUSIVE_CODE,
    Condition,
    ContextFact,
    Option,
    Page,
    Question,
    Questionnaire,
    Section,
)
from .types import REGISTRY, spec_named

DEFINITION_PATH = Path(__file__).with_name("definition.yaml")
CHECKIN_PATH = Path(__file__).with_name("checkin.yaml")
TOP_LEVEL_KEYS = {"version", "sections", "context"}
# Limits that count characters, entries or days: whole numbers, at least this much.
COUNT_KEYS = {
    "max_length": 1, "name_max_length": 1, "min_entries": 0, "max_entries": 1,
    "min_days_before_as_of": 0, "max_days_after_as_of": 0,
}
QUESTION_KEYS = {
    "id", "type", "text", "hint", "required", "options", "shown_when", "min", "max",
    "integer", "unit", "max_length", "min_date", "allow_future", "min_days_before_as_of",
    "max_days_after_as_of", "min_entries", "max_entries", "name_max_length", "must_be",
}


class DefinitionError(ValueError):
    """The questionnaire definition is not valid; the message names the problem."""


def load_questionnaire(path: Path = DEFINITION_PATH, *, lender: Questionnaire | None = None) -> Questionnaire:
    with path.open(encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)
    return build_questionnaire(raw, lender=lender)


def build_questionnaire(raw: Mapping[str, Any], *, lender: Questionnaire | None = None) -> Questionnaire:
    """The definition `raw` as a Questionnaire; `lender` is the definition its `borrow`
    entries take their questions from (none: it may borrow nothing)."""
    if not isinstance(raw, Mapping) or not raw.get("version") or not raw.get("sections"):
        raise DefinitionError("the definition needs a 'version' and a list of 'sections'")
    unknown = set(raw) - TOP_LEVEL_KEYS
    if unknown:
        raise DefinitionError(f"the definition has unknown keys: {sorted(unknown)}")
    sections = tuple(_section(s, lender) for s in raw["sections"])
    questionnaire = Questionnaire(
        version=str(raw["version"]), sections=sections, context=_context(raw.get("context")))
    _check_unique([s.id for s in sections], "section")
    _check_unique([p.id for p in questionnaire.pages], "page")
    _check_unique(
        [q.id for p in questionnaire.pages for q in p.questions], "question"
    )
    _check_conditions(questionnaire)
    _check_reviews(questionnaire)
    return questionnaire


def _context(raw: Any) -> tuple[ContextFact, ...]:
    """`context:` maps each fact's ID to what it means (where it comes from, when it holds)."""
    if raw is None:
        return ()
    if not isinstance(raw, Mapping) or not raw:
        raise DefinitionError("'context' maps each context fact's ID to what it means")
    return tuple(ContextFact(_identifier(key, "context fact"), _text(raw, key, "context")) for key in raw)


def _check_reviews(questionnaire: Questionnaire) -> None:
    """A review page follows, in its own section, the medication list it goes back over."""
    seen: dict[str, Question] = {}
    for page in questionnaire.pages:
        if page.reviews is not None:
            reviewed = seen.get(page.reviews)
            if reviewed is None or reviewed.type != "medication_list":
                raise DefinitionError(
                    f"page {page.id!r} reviews {page.reviews!r}, which is not a medication list on an earlier page")
            if reviewed.section_id != page.section_id:
                raise DefinitionError(f"page {page.id!r} must be in the section of {page.reviews!r}")
        seen.update((q.id, q) for q in page.questions)


def _section(raw: Mapping[str, Any], lender: Questionnaire | None) -> Section:
    section_id = _identifier(raw.get("id"), "section")
    pages = tuple(_page(p, section_id, lender) for p in raw.get("pages") or ())
    if not pages:
        raise DefinitionError(f"section {section_id!r} has no pages")
    return Section(id=section_id, title=_text(raw, "title", section_id), pages=pages)


def _page(raw: Mapping[str, Any], section_id: str, lender: Questionnaire | None) -> Page:
    page_id = _identifier(raw.get("id"), "page")
    questions = tuple(_question(q, section_id, page_id, lender) for q in raw.get("questions") or ())
    reviews = raw.get("reviews")
    if reviews is not None and questions:
        raise DefinitionError(f"page {page_id!r}: a review page asks no questions of its own")
    if reviews is None and not questions:
        raise DefinitionError(f"page {page_id!r} has no questions")
    if (reviews is None) != (raw.get("ask") is None):
        raise DefinitionError(f"page {page_id!r}: a review page, and only a review page, has an 'ask'")
    return Page(
        id=page_id,
        title=_text(raw, "title", page_id),
        section_id=section_id,
        questions=questions,
        intro=raw.get("intro"),
        reviews=None if reviews is None else _identifier(reviews, "reviewed question"),
        ask=None if reviews is None else _text(raw, "ask", page_id),
    )


def _borrowed(raw: Mapping[str, Any], section_id: str, page_id: str, lender: Questionnaire | None) -> Question:
    """`- borrow: ID`: the lender's question, whole, placed on this page."""
    qid = _identifier(raw.get("borrow"), "borrowed question")
    if set(raw) != {"borrow"}:
        raise DefinitionError(f"borrowed question {qid!r} takes nothing but 'borrow': it is the lender's, whole")
    lent = lender.questions.get(qid) if lender is not None else None
    if lent is None:
        raise DefinitionError(f"question {qid!r} is borrowed, but no lending definition has it")
    if lent.shown_when is not None or lent.shown_in_context is not None:
        raise DefinitionError(f"question {qid!r} cannot be borrowed: its condition reads the lender's answers")
    return replace(lent, section_id=section_id, page_id=page_id)


def _question(raw: Mapping[str, Any], section_id: str, page_id: str, lender: Questionnaire | None) -> Question:
    if isinstance(raw, Mapping) and "borrow" in raw:
        return _borrowed(raw, section_id, page_id, lender)
    qid = _identifier(raw.get("id"), "question")
    unknown = set(raw) - QUESTION_KEYS
    if unknown:
        raise DefinitionError(f"question {qid!r} has unknown keys: {sorted(unknown)}")
    qtype = raw.get("type")
    spec = spec_named(qtype)
    if spec is None:
        raise DefinitionError(f"question {qid!r} has unknown type {qtype!r}")
    options = tuple(_option(o, qid) for o in raw.get("options") or ())
    if spec.has_options != bool(options):
        with_options = [name for name, other in REGISTRY.items() if other.has_options]
        raise DefinitionError(f"question {qid!r}: options belong to {' and '.join(with_options)} questions only")
    _check_unique([o.code for o in options], f"option code in {qid!r}")
    if any(raw.get(key) is None for key in spec.required_keys):
        *first, last = (repr(key) for key in spec.required_keys)
        needed = f"{', '.join(first)} and {last}" if first else last
        raise DefinitionError(f"{spec.name} question {qid!r} needs {needed}")
    _check_limits(raw, qid)
    condition, fact = _shown_when(raw.get("shown_when"), qid)
    return Question(
        id=qid,
        type=spec.name,
        text=_text(raw, "text", qid),
        section_id=section_id,
        page_id=page_id,
        required=bool(raw.get("required", False)),
        hint=raw.get("hint"),
        options=options,
        shown_when=condition,
        shown_in_context=fact,
        min=raw.get("min"),
        max=raw.get("max"),
        integer=bool(raw.get("integer", False)),
        unit=raw.get("unit"),
        max_length=raw.get("max_length"),
        min_date=raw.get("min_date"),
        allow_future=bool(raw.get("allow_future", False)),
        min_days_before_as_of=raw.get("min_days_before_as_of"),
        max_days_after_as_of=raw.get("max_days_after_as_of"),
        min_entries=raw.get("min_entries"),
        max_entries=raw.get("max_entries"),
        name_max_length=raw.get("name_max_length"),
        must_be=raw.get("must_be"),
    )


def _check_limits(raw: Mapping[str, Any], qid: str) -> None:
    """Ranges are numbers with min <= max; lengths, entries and days are whole numbers."""
    for key in ("min", "max"):
        value = raw.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise DefinitionError(f"question {qid!r}: {key!r} must be a number")
    for key, least in COUNT_KEYS.items():
        value = raw.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < least):
            raise DefinitionError(f"question {qid!r} needs an integer {key!r} of at least {least}")
    for low, high in (("min", "max"), ("min_entries", "max_entries")):
        if raw.get(low) is not None and raw.get(high) is not None and raw[low] > raw[high]:
            raise DefinitionError(f"question {qid!r}: {low!r} is greater than {high!r}")


def _option(raw: Mapping[str, Any], qid: str) -> Option:
    code = raw.get("code")
    if not isinstance(code, str) or not code:
        # YAML reads bare yes/no as booleans and 1_2 as 12: codes must be quoted strings.
        raise DefinitionError(f"question {qid!r} has an option code that is not a string: {code!r}")
    score = raw.get("score")
    if score is not None and not isinstance(score, int):
        raise DefinitionError(f"question {qid!r}, option {code!r}: score must be an integer")
    return Option(code=code, label=_text(raw, "label", f"{qid}.{code}"), score=score)


def _shown_when(raw: Any, qid: str) -> tuple[Condition | None, str | None]:
    """An answer condition, or a context fact's ID (`{context: ID}`), or neither."""
    if raw is None:
        return None, None
    if isinstance(raw, Mapping) and "context" in raw:
        if set(raw) != {"context"}:
            raise DefinitionError(f"question {qid!r}: shown_when {{context: ID}} takes nothing else")
        return None, _identifier(raw["context"], f"question {qid!r}'s context fact")
    return _condition(raw, qid), None


def _condition(raw: Any, qid: str) -> Condition:
    if not isinstance(raw, Mapping):
        raise DefinitionError(f"question {qid!r}: shown_when must be a mapping")
    ops = [op for op in ("in", "not_in") if op in raw]
    if len(ops) != 1 or set(raw) != {"question", ops[0]}:
        raise DefinitionError(
            f"question {qid!r}: shown_when must be {{question: ID, in: [...]}}, {{question: ID, not_in: [...]}}"
            " or {context: ID}"
        )
    codes = raw[ops[0]]
    if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
        raise DefinitionError(f"question {qid!r}: shown_when codes must be a list of strings")
    op: Literal["in", "not_in"] = "in" if ops[0] == "in" else "not_in"
    return Condition(question=str(raw["question"]), op=op, codes=tuple(codes))


def _check_conditions(questionnaire: Questionnaire) -> None:
    """A condition must read a choice question on an earlier page, using its real codes; a
    context condition, a fact the definition declares (and every declared fact is used)."""
    page_index = {p.id: i for i, p in enumerate(questionnaire.pages)}
    declared = set(questionnaire.context_ids)
    used = {q.shown_in_context for q in questionnaire.questions.values()} - {None}
    if used - declared:
        raise DefinitionError(f"context facts {sorted(str(f) for f in used - declared)} are not declared in 'context'")
    if declared - used:
        raise DefinitionError(f"context facts {sorted(declared - used)} are declared but no question reads them")
    for question in questionnaire.questions.values():
        condition = question.shown_when
        if condition is None:
            continue
        controller = questionnaire.questions.get(condition.question)
        if controller is None:
            raise DefinitionError(
                f"question {question.id!r} is shown when unknown question {condition.question!r}"
            )
        if page_index[controller.page_id] >= page_index[question.page_id]:
            raise DefinitionError(
                f"question {question.id!r} depends on {controller.id!r}, which is not on an earlier page"
            )
        bad = set(condition.codes) - set(controller.codes)
        if not controller.codes or bad:
            raise DefinitionError(
                f"question {question.id!r}: condition uses codes {sorted(bad)} that {controller.id!r} does not have"
            )


def _check_unique(ids: list[str], what: str) -> None:
    seen: set[str] = set()
    for item in ids:
        if item in seen:
            raise DefinitionError(f"duplicate {what} id {item!r}")
        seen.add(item)


def _identifier(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value.isidentifier() or value != value.lower():
        raise DefinitionError(f"{what} id {value!r} must be a lower-case identifier")
    return value


def _text(raw: Mapping[str, Any], key: str, where: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise DefinitionError(f"{where!r} needs a '{key}'")
    return value


__all__ = ["CHECKIN_PATH", "DefinitionError", "load_questionnaire", "build_questionnaire", "EXCLUSIVE_CODE"]
