"""When a patient must be shown what to do now, because this form is not watched live."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..questionnaire.model import Questionnaire

SELF_HARM_QUESTION = "phq9_self_harm"


def needs_safety_message(questionnaire: Questionnaire, answers: Mapping[str, Any], page_id: str) -> bool:
    """True on every page after the one that asks about self-harm, once it scored above 0.

    Showing it on every later page (not only the next one) means a patient who leaves and
    comes back still sees it, as do the check and confirmation pages.
    """
    score = answers.get(SELF_HARM_QUESTION)
    if not isinstance(score, int) or score < 1:
        return False
    asked_on = questionnaire.questions[SELF_HARM_QUESTION].page_id
    order = [p.id for p in questionnaire.pages]
    return page_id not in order or order.index(page_id) > order.index(asked_on)
