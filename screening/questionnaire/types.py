"""The question types: one record per type, read by every layer that treats types differently.

A question's `type` in definition.yaml names one of these records. Each holds the facts
that belong to the type itself, whatever the question: how many values a form posts for
it, the codes and scale points the contract fixes for it (questionnaire.md, "Answer
formats"), which keys the definition must give, its FHIR item type, and which macro in
``templates/macros/fields.html`` renders it. The model, the loader, the answer checks,
the check-your-answers lines, the page forms and the FHIR export all read this table,
and each per-type table elsewhere (form builders, answer checkers, answer lines) is
checked against it when its module is imported, so a type cannot be half added.

Pure data: nothing here imports Flask, WTForms, SQLAlchemy or the forms and views.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from functools import cached_property
from types import MappingProxyType
from typing import Literal, get_args

QuestionType = Literal[
    "date",
    "yes_no",
    "yes_no_unsure",
    "single",
    "multi",
    "scale_0_3",
    "scale_0_10",
    "number",
    "text",
    "medication_list",
]

# The macros of templates/macros/fields.html that render a whole question, each called
# as `macro(question, field)`.
Widget = Literal["radios", "checkboxes", "date_field", "number_field", "text_field", "textarea", "medication_list"]

# The FHIR R4 Questionnaire.item.type values our questions export as.
FhirItemType = Literal["choice", "date", "integer", "decimal", "string", "text", "group"]

# A free-text question allowing more than this many characters is a long answer: a
# multi-line box on the page and a FHIR `text` (not `string`) item. A presentation rule,
# not a limit: each question's own limit is its `max_length` in definition.yaml.
LONG_TEXT_OVER = 300


class TypeTableError(RuntimeError):
    """A per-type table does not cover exactly the registry's question types."""


@dataclass(frozen=True)
class FixedOption:
    """An answer code the contract fixes for every question of a type, with its words."""

    code: str
    label: str


@dataclass(frozen=True)
class Scale:
    """A whole-number scale from `low` to `high`; `words` say what each point means,
    from low to high, where the contract names them (empty: the points are numbers)."""

    low: int
    high: int
    words: tuple[str, ...] = ()

    @property
    def points(self) -> range:
        return range(self.low, self.high + 1)

    def word(self, point: int) -> str:
        return self.words[point - self.low]


@dataclass(frozen=True)
class FhirItemTypes:
    """The FHIR item type: `plain`, unless the question refines it (`whole` for a number
    question with `integer: true`, `long` for a text question longer than LONG_TEXT_OVER)."""

    plain: FhirItemType
    whole: FhirItemType | None = None
    long: FhirItemType | None = None

    def for_question(self, *, integer: bool, long: bool) -> FhirItemType:
        if integer and self.whole is not None:
            return self.whole
        if long and self.long is not None:
            return self.long
        return self.plain


@dataclass(frozen=True)
class TypeSpec:
    """What every question of one type has in common."""

    name: QuestionType
    # The macro that renders it; `long_widget` instead when it is a long answer (LONG_TEXT_OVER).
    widget: Widget
    fhir: FhirItemTypes
    # The form posts one value for it: a repeated field (`a=1&a=2`) is refused.
    single_valued: bool = True
    # Its answer is a JSON list (of codes, or of medicine entries).
    holds_list: bool = False
    # The definition lists its options (and must not for any other type).
    has_options: bool = False
    # The codes every question of this type accepts, fixed by the contract.
    fixed_options: tuple[FixedOption, ...] = ()
    scale: Scale | None = None
    # An extra class for the group of choices (how the choices are laid out).
    layout: str | None = None
    long_widget: Widget | None = None
    # Keys the definition must give for a question of this type (the loader refuses it otherwise).
    required_keys: tuple[str, ...] = ()

    @cached_property
    def fixed_codes(self) -> tuple[str, ...]:
        return tuple(option.code for option in self.fixed_options)

    def fixed_label(self, code: str) -> str | None:
        """The words for one of the fixed codes, or None if `code` is not one of them."""
        return next((option.label for option in self.fixed_options if option.code == code), None)


_YES, _NO = FixedOption("yes", "Yes"), FixedOption("no", "No")
_UNSURE = FixedOption("unsure", "I'm not sure")

_SPECS = (
    TypeSpec("date", widget="date_field", fhir=FhirItemTypes("date")),
    TypeSpec("yes_no", widget="radios", fhir=FhirItemTypes("choice"), fixed_options=(_YES, _NO)),
    TypeSpec("yes_no_unsure", widget="radios", fhir=FhirItemTypes("choice"), fixed_options=(_YES, _NO, _UNSURE)),
    TypeSpec("single", widget="radios", fhir=FhirItemTypes("choice"), has_options=True),
    TypeSpec(
        "multi", widget="checkboxes", fhir=FhirItemTypes("choice"),
        single_valued=False, holds_list=True, has_options=True,
    ),
    # Scales are integers (not codes with ordinal values): the contract's JSON value is
    # the number, and PHQ/GAD totals are sums.
    TypeSpec(
        "scale_0_3", widget="radios", fhir=FhirItemTypes("integer"), layout="choices--four",
        scale=Scale(0, 3, ("Not at all", "Several days", "More than half the days", "Nearly every day")),
    ),
    TypeSpec(
        "scale_0_10", widget="radios", fhir=FhirItemTypes("integer"), layout="choices--scale",
        scale=Scale(0, 10),
    ),
    TypeSpec(
        "number", widget="number_field", fhir=FhirItemTypes("decimal", whole="integer"),
        required_keys=("min", "max"),
    ),
    TypeSpec(
        "text", widget="text_field", long_widget="textarea", fhir=FhirItemTypes("string", long="text"),
        required_keys=("max_length",),
    ),
    TypeSpec(
        "medication_list", widget="medication_list", fhir=FhirItemTypes("group"),
        single_valued=False, holds_list=True,
        required_keys=("min_entries", "max_entries", "name_max_length"),
    ),
)

REGISTRY: Mapping[QuestionType, TypeSpec] = MappingProxyType({spec.name: spec for spec in _SPECS})
QUESTION_TYPES: tuple[QuestionType, ...] = tuple(REGISTRY)
_BY_NAME: Mapping[str, TypeSpec] = MappingProxyType({spec.name: spec for spec in _SPECS})


def spec_named(name: object) -> TypeSpec | None:
    """The registry's record for a type name read from a definition, or None if unknown."""
    return _BY_NAME.get(name) if isinstance(name, str) else None


def require_every_type(table: Collection[str], what: str) -> None:
    """Refuse (at import, hence at start-up) a per-type table whose keys miss a registry
    type or name a type the registry does not have."""
    missing = sorted(set(QUESTION_TYPES) - set(table))
    unknown = sorted(set(table) - set(QUESTION_TYPES))
    if missing or unknown:
        raise TypeTableError(f"{what} must cover exactly the question types: missing {missing}, unknown {unknown}")


def _check_registry() -> None:
    if get_args(QuestionType) != QUESTION_TYPES:
        raise TypeTableError(f"QuestionType {get_args(QuestionType)} and the registry {QUESTION_TYPES} differ")
    for spec in _SPECS:
        if (spec.long_widget is None) != (spec.fhir.long is None):
            raise TypeTableError(f"{spec.name}: a long form needs both a widget and a FHIR item type")
        if spec.scale is not None and spec.scale.words and len(spec.scale.words) != len(spec.scale.points):
            raise TypeTableError(f"{spec.name}: one word per scale point")
        if spec.has_options and spec.fixed_options:
            raise TypeTableError(f"{spec.name}: options come from the definition or the type, not both")


_check_registry()
