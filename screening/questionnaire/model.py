"""Typed, immutable model of the questionnaire definitions (the screening, the check-in).

These classes are what the rest of the application reads: the forms, the check-your-
answers page, the rules' declared inputs and the exports. They are built once, at start-up,
by :mod:`screening.questionnaire.loader`.

A question is shown always, when an earlier answer is `in` / `not_in` some codes
(:class:`Condition`), or when a **context** fact holds: a yes/no fact from outside this
questionnaire's own answers, which the definition declares (:class:`ContextFact`) and
the caller supplies as a mapping of fact ID to bool (the check-in asks about pregnancy
only when the screening's sex at birth is not male). A questionnaire that declares no
context (the screening) needs none; one that does refuses to say what is shown without it.
"""

from __future__ import annotations

from collections.abc import KeysView, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from .types import LONG_TEXT_OVER, REGISTRY, QuestionType, TypeSpec, Widget

# The codes of a medicine entry's "how often", fixed by questionnaire.md's "Answer formats".
HOW_OFTEN_CODES = ("daily", "weekly", "as_needed", "occasionally", "stopped")
# A medication entry's `contains_opioid`: asked only for names the classifier cannot place.
CONTAINS_OPIOID_CODES = ("yes", "no", "unsure")
EXCLUSIVE_CODE = "none"
VISIBILITY_CACHE_SIZE = 4096  # distinct combinations of controlling answers; real ones are few

# The facts a questionnaire's context conditions read: fact ID -> whether it holds.
Context = Mapping[str, bool]


class ContextError(ValueError):
    """What a questionnaire shows was asked without the context facts it declares: a
    programming error (the caller must pass them), never a patient's input."""


def _hashable(value: Any) -> Any:
    """An answer as a cache key: lists (multi answers) become tuples."""
    return tuple(value) if isinstance(value, list) else value


@dataclass(frozen=True)
class Option:
    code: str
    label: str
    score: int | None = None


@dataclass(frozen=True)
class Condition:
    """`question`'s answer is `in` (or `not_in`) the listed codes; see definition.yaml."""

    question: str
    op: Literal["in", "not_in"]
    codes: tuple[str, ...]

    def holds(self, answer: Any) -> bool:
        if answer is None:
            return self.op == "not_in"
        codes = self.codes
        if isinstance(answer, list | tuple):
            if self.op == "in":
                return any(code in codes for code in answer)
            return any(code not in codes for code in answer)
        return (answer in codes) == (self.op == "in")


@dataclass(frozen=True)
class ContextFact:
    """A yes/no fact from outside the questionnaire's answers that a question may be shown
    on (`shown_when: {context: ID}` in the definition)."""

    id: str
    meaning: str  # what the fact is, for people: where it comes from and when it holds


@dataclass(frozen=True)
class Question:
    id: str
    type: QuestionType
    text: str
    section_id: str
    page_id: str
    required: bool = False
    hint: str | None = None
    options: tuple[Option, ...] = ()
    shown_when: Condition | None = None
    # A context fact (ContextFact.id) that must hold for the question to be shown; a
    # question has this or `shown_when`, never both.
    shown_in_context: str | None = None
    min: float | None = None
    max: float | None = None
    integer: bool = False
    unit: str | None = None
    max_length: int | None = None
    min_date: str | None = None
    allow_future: bool = False
    min_days_before_as_of: int | None = None
    max_days_after_as_of: int | None = None
    min_entries: int | None = None
    max_entries: int | None = None
    name_max_length: int | None = None
    must_be: str | None = None

    @property
    def spec(self) -> TypeSpec:
        """What this question has in common with every question of its type."""
        return REGISTRY[self.type]

    @property
    def codes(self) -> tuple[str, ...]:
        """The answer codes this question accepts (empty for free-form types)."""
        return self.spec.fixed_codes or tuple(option.code for option in self.options)

    @property
    def long_answer(self) -> bool:
        """A type with a long form, allowing more than LONG_TEXT_OVER characters."""
        spec = self.spec
        return spec.long_widget is not None and self.max_length is not None and self.max_length > LONG_TEXT_OVER

    @property
    def widget(self) -> Widget:
        """The macro of templates/macros/fields.html that renders this question."""
        spec = self.spec
        return spec.long_widget if spec.long_widget is not None and self.long_answer else spec.widget

    @property
    def layout(self) -> str | None:
        """An extra class for the group of choices, from the type (a scale's layout)."""
        return self.spec.layout

    def label_for(self, code: str) -> str:
        for option in self.options:
            if option.code == code:
                return option.label
        return code.replace("_", " ").capitalize()

    def score_for(self, code: str) -> int:
        for option in self.options:
            if option.code == code and option.score is not None:
                return option.score
        raise KeyError(f"{self.id} has no score for {code!r}")


@dataclass(frozen=True)
class Page:
    id: str
    title: str
    section_id: str
    questions: tuple[Question, ...]
    intro: str | None = None
    # A review page asks nothing of its own: it goes back over the entries of an earlier
    # medication list that the classifier cannot recognise (see medicine_check.py).
    reviews: str | None = None
    ask: str | None = None  # a review page's question, asked of each entry it goes back over


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    pages: tuple[Page, ...]


@dataclass(frozen=True)
class Questionnaire:
    version: str
    sections: tuple[Section, ...]
    context: tuple[ContextFact, ...] = ()  # the facts its context conditions may read
    pages: tuple[Page, ...] = field(init=False)
    questions: Mapping[str, Question] = field(init=False)
    _pages_by_id: Mapping[str, Page] = field(init=False, repr=False, compare=False)
    _conditions: tuple[tuple[str, Condition | None, str | None], ...] = field(init=False, repr=False)
    _context_ids: tuple[str, ...] = field(init=False, repr=False)
    _controllers: tuple[str, ...] = field(init=False, repr=False)
    _visibility_cache: dict[tuple[Any, ...], frozenset[str]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        pages = tuple(page for section in self.sections for page in section.pages)
        object.__setattr__(self, "pages", pages)
        object.__setattr__(self, "_pages_by_id", {page.id: page for page in pages})
        questions = {q.id: q for page in pages for q in page.questions}
        object.__setattr__(self, "questions", questions)
        # Visibility is computed on every save and evaluation: keep the loop flat.
        object.__setattr__(
            self, "_conditions", tuple((q.id, q.shown_when, q.shown_in_context) for q in questions.values()))
        object.__setattr__(self, "_context_ids", tuple(fact.id for fact in self.context))
        controllers = sorted({q.shown_when.question for q in questions.values() if q.shown_when})
        object.__setattr__(self, "_controllers", tuple(controllers))
        object.__setattr__(self, "_visibility_cache", {})

    @property
    def reviewed_ids(self) -> tuple[str, ...]:
        """The medication lists that a review page goes back over."""
        return tuple(page.reviews for page in self.pages if page.reviews is not None)

    @property
    def page_ids(self) -> KeysView[str]:
        return self._pages_by_id.keys()

    def page(self, page_id: str) -> Page:
        return self._pages_by_id[page_id]

    def section_number(self, section_id: str) -> int:
        return [s.id for s in self.sections].index(section_id) + 1

    @property
    def context_ids(self) -> tuple[str, ...]:
        """The context facts a caller must supply (empty: the questionnaire needs none)."""
        return self._context_ids

    def _context_values(self, context: Context | None) -> tuple[bool, ...]:
        if not self._context_ids:
            return ()
        missing = [fact for fact in self._context_ids if context is None or fact not in context]
        if missing:
            raise ContextError(f"questionnaire {self.version}: what is shown depends on the context facts {missing}")
        assert context is not None  # no fact is missing
        return tuple(bool(context[fact]) for fact in self._context_ids)

    def visible_ids(self, answers: Mapping[str, Any], context: Context | None = None) -> frozenset[str]:
        """IDs of the questions shown for these answers (and context facts), in definition order.

        A question is hidden when its condition is false, or when the question its
        condition reads is itself hidden (so stale answers never keep a branch open).
        Visibility depends only on the few controlling answers and the context facts, and
        one page save asks for it several times, so results are kept per combination.
        """
        facts = self._context_values(context)
        key = tuple(_hashable(answers.get(qid)) for qid in self._controllers)
        if facts:
            key = (facts, *key)
        try:
            cached = self._visibility_cache.get(key)
        except TypeError:  # an unhashable (hence invalid) answer: compute without the cache
            return self._compute_visible_ids(answers, facts)
        if cached is not None:
            return cached
        result = self._compute_visible_ids(answers, facts)
        if len(self._visibility_cache) >= VISIBILITY_CACHE_SIZE:
            self._visibility_cache.clear()
        self._visibility_cache[key] = result
        return result

    def _compute_visible_ids(self, answers: Mapping[str, Any], facts: tuple[bool, ...]) -> frozenset[str]:
        holding = {fact for fact, holds in zip(self._context_ids, facts, strict=True) if holds}
        visible: set[str] = set()
        for qid, condition, fact in self._conditions:
            if fact is not None:
                if fact in holding:
                    visible.add(qid)
            elif condition is None or (
                condition.question in visible and condition.holds(answers.get(condition.question))
            ):
                visible.add(qid)
        return frozenset(visible)

    def prune(
        self, answers: Mapping[str, Any], context: Context | None = None
    ) -> tuple[dict[str, Any], list[str]]:
        """Answers with hidden questions removed, and the IDs that were dropped."""
        visible = self.visible_ids(answers, context)
        kept = {qid: value for qid, value in answers.items() if qid in visible}
        dropped = sorted(qid for qid in answers if qid not in visible)
        return kept, dropped
