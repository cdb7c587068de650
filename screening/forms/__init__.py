"""Page forms built from the questionnaire definition, once, at start-up.

`PageForms` holds one FlaskForm class per page. A request instantiates it with the
patient's saved answers, removes the fields of questions that are hidden for this
patient (so their values can never be posted back), validates, and turns the data back
into contract-format answers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_wtf import FlaskForm
from wtforms import FieldList

from ..questionnaire.medicine_check import entries_to_check
from ..questionnaire.model import Page, Question, Questionnaire
from ..questionnaire.types import REGISTRY, QuestionType
from .builders import BUILDERS
from .medicine_check import ENTRIES, make_check_field, rows_to_answer, rows_to_form

# Types whose form posts one value: a repeated field (`a=1&a=2`) is refused.
SINGLE_VALUED: frozenset[QuestionType] = frozenset(name for name, spec in REGISTRY.items() if spec.single_valued)


class PatientPageForm(FlaskForm):  # type: ignore[misc]  # flask_wtf ships no types: FlaskForm is Any
    """Base for every page form: the dates date validators compare against, and a
    refusal of repeated single-answer fields (`a=1&a=2`), which would otherwise be read
    "first one wins" here and perhaps "last one wins" elsewhere."""

    class Meta:
        # The app-wide CSRFProtect checks every POST before any view runs (and a failed
        # check re-shows the page unsaved, screening.errors): checking the same token
        # again in the form would only double the work on the busiest requests.
        csrf = False

    single_valued: frozenset[str] = frozenset()
    # The page's medication lists (question IDs): "Add another medicine" and "Remove" act on them.
    medication_lists: tuple[str, ...] = ()

    def __init__(
        self, *args: Any, today: date, as_of: date, formdata: Any = None,
        review_positions: frozenset[int] = frozenset(), **kwargs: Any,
    ) -> None:
        self.today = today
        self.as_of = as_of
        # On a review page: the list positions its rows may name (unrecognised when saved).
        self.review_positions = review_positions
        self._posted = formdata
        super().__init__(*args, formdata=formdata, **kwargs)

    def validate(self, extra_validators: Any = None) -> bool:
        valid = bool(super().validate(extra_validators))
        if self._posted is None:
            return valid
        for name in self.single_valued:
            if name in self and len(self._posted.getlist(name)) > 1:
                self[name].errors = [*self[name].errors, "Give only one answer"]
                valid = False
        return valid


class PageForms:
    """The page forms of one questionnaire (the screening's, or the check-in's)."""

    def __init__(self, questionnaire: Questionnaire) -> None:
        self.questionnaire = questionnaire
        self._classes = {page.id: self._build(page) for page in questionnaire.pages}

    def _build(self, page: Page) -> type[PatientPageForm]:
        fields: dict[str, Any] = {q.id: BUILDERS[q.type].make_field(q) for q in page.questions}
        if page.reviews is not None:
            fields[ENTRIES] = make_check_field(page, self.questionnaire.questions[page.reviews])
        fields["single_valued"] = frozenset(q.id for q in page.questions if q.type in SINGLE_VALUED)
        fields["medication_lists"] = tuple(q.id for q in page.questions if q.type == "medication_list")
        return type(f"{page.id.title().replace('_', '')}Form", (PatientPageForm,), fields)

    def form(
        self, page: Page, *, answers: Mapping[str, Any], visible: AbstractSet[str],
        formdata: Any, today: date, as_of: date,
    ) -> PatientPageForm:
        data = {
            q.id: BUILDERS[q.type].to_form(q, answers[q.id])
            for q in page.questions if q.id in answers
        }
        positions: frozenset[int] = frozenset()
        if page.reviews is not None:
            reviewed = answers.get(page.reviews) or []
            data[ENTRIES] = rows_to_form(reviewed)
            positions = frozenset(entries_to_check(reviewed))
        form = self._classes[page.id](
            formdata=formdata, data=data, today=today, as_of=as_of, review_positions=positions)
        for question in page.questions:
            if question.id not in visible:
                del form[question.id]
        return form

    def answers(self, page: Page, form: PatientPageForm, saved: Mapping[str, Any]) -> dict[str, Any]:
        """The page's answers in contract format; None where a shown question is blank.
        A review page answers for the list it reviews (`saved` holds that list)."""
        if page.reviews is not None:
            return {page.reviews: rows_to_answer(saved.get(page.reviews) or [], form[ENTRIES].data)}
        return {
            q.id: BUILDERS[q.type].to_answer(q, form[q.id].data)
            for q in page.questions if q.id in form
        }


@dataclass(frozen=True)
class ErrorItem:
    """One line of the error summary: where it links to, and what it says."""

    anchor: str
    text: str


def error_items(form: PatientPageForm, questions: Sequence[Question]) -> list[ErrorItem]:
    """The page's errors in question order, each linking to the field to fix."""
    items: list[ErrorItem] = []
    for question in questions:
        field = form[question.id]
        messages = [m for m in field.errors if isinstance(m, str)]
        items.extend(ErrorItem(question.id, f"{question.text}: {m}") for m in messages)
        if isinstance(field, FieldList):  # a repeatable group: each row's own errors
            items.extend(_row_errors(field))
    if ENTRIES in form:  # a review page: the rows it goes back over
        items.extend(ErrorItem(ENTRIES, m) for m in form[ENTRIES].errors if isinstance(m, str))
        items.extend(_row_errors(form[ENTRIES]))
    return items


def _row_errors(field: FieldList[Any]) -> list[ErrorItem]:
    return [
        ErrorItem(entry.form[name].id, f"Medicine {number}: {message}")
        for number, entry in enumerate(field.entries, start=1)
        for name, messages in entry.form.errors.items()
        for message in messages
    ]
