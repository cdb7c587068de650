"""Which pages a patient sees, in which order, and how far along they are.

Pure functions of the definition and the answers so far: a page is shown when at least
one of its questions is, so a page that does not apply (pregnancy questions for a male
patient) is skipped in both directions. A review page ("Check these medicines") is shown
while the list it reviews holds a name the classifier cannot recognise. A questionnaire
with context conditions (the check-in) takes its context facts as `context`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from . import medicine_check
from .model import Context, Page, Questionnaire

# Time to read and answer one question, by its kind. A one-tap answer is set from
# followup.md's own figure (the check-in's 17 to 19 questions, most of them one tap, take
# "about 2 minutes"); ticking several, typing a number or date, and writing take longer.
SECONDS_BY_TYPE = {"multi": 12, "number": 15, "date": 15, "text": 20, "medication_list": 60}
SECONDS_ONE_TAP = 6  # scales, single choices, yes/no


def shown_pages(
    questionnaire: Questionnaire, answers: Mapping[str, Any], context: Context | None = None
) -> list[Page]:
    visible = questionnaire.visible_ids(answers, context)
    return [
        p for p in questionnaire.pages
        if any(q.id in visible for q in p.questions) or medicine_check.is_shown(p, answers, visible)
    ]


def next_page(
    questionnaire: Questionnaire, page_id: str, answers: Mapping[str, Any], context: Context | None = None
) -> Page | None:
    """The first shown page after `page_id`, or None after the last one."""
    order = [p.id for p in questionnaire.pages]
    position = order.index(page_id)
    for page in shown_pages(questionnaire, answers, context):
        if order.index(page.id) > position:
            return page
    return None


def previous_page(
    questionnaire: Questionnaire, page_id: str, answers: Mapping[str, Any], context: Context | None = None
) -> Page | None:
    order = [p.id for p in questionnaire.pages]
    position = order.index(page_id)
    earlier = [p for p in shown_pages(questionnaire, answers, context) if order.index(p.id) < position]
    return earlier[-1] if earlier else None


def first_incomplete_page(
    questionnaire: Questionnaire, answers: Mapping[str, Any], context: Context | None = None
) -> Page | None:
    """The first shown page with a required question not yet answered."""
    visible = questionnaire.visible_ids(answers, context)
    for page in shown_pages(questionnaire, answers, context):
        if any(q.required and q.id in visible and q.id not in answers for q in page.questions):
            return page
        if page.reviews is not None and not medicine_check.is_complete(page, answers):
            return page
    return None


def is_page_reachable(
    questionnaire: Questionnaire, page_id: str, answers: Mapping[str, Any], context: Context | None = None
) -> bool:
    """A page may be opened once every page before it is complete (no step skipping)."""
    if page_id not in {p.id for p in shown_pages(questionnaire, answers, context)}:
        return False
    blocking = first_incomplete_page(questionnaire, answers, context)
    order = [p.id for p in questionnaire.pages]
    return blocking is None or order.index(page_id) <= order.index(blocking.id)


def estimated_minutes(questionnaire: Questionnaire, context: Context | None = None, *, round_to: int = 5) -> int:
    """Time to answer the questions a typical patient sees (those shown with no answers yet),
    to the nearest `round_to` minutes (5 for the screening, 1 for a check-in) and at least
    that: the page says "about"."""
    seconds = sum(SECONDS_BY_TYPE.get(questionnaire.questions[question_id].type, SECONDS_ONE_TAP)
                  for question_id in questionnaire.visible_ids({}, context))
    return max(round_to, round(seconds / 60 / round_to) * round_to)
