"""Where on the check page a saved page lands: pure, from the definition and the answers.

The check page is long (every answer a patient gave), so coming back to its top after a
change loses the patient. Each row has a stable id, `answer-<anchor>` (`AnswerRow.anchor`),
which a Change link names in its `answer` argument, and the save redirects there.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..questionnaire.display import answer_pages
from ..questionnaire.model import Context, Questionnaire
from .submission import CONSENT_QUESTION

ROW_ID_PREFIX = "answer-"  # a check page row's id: "answer-" + its anchor
NOT_SHARING_ID = "not-sharing"  # the check page's note for a patient who chose not to share
_ANCHOR = re.compile(r"\A[A-Za-z0-9_-]{1,100}\Z")


def row_anchor(value: str | None) -> str | None:
    """An `answer` argument that can name a row; anything else (markup, a long string) is None."""
    return value if value is not None and _ANCHOR.match(value) else None


def landing_on_check(
    questionnaire: Questionnaire, page_id: str, answers: Mapping[str, Any], row: str | None, *, returning: bool,
    context: Context | None = None,
) -> str | None:
    """The element id the check page opens at after saving `page_id`: the note for a patient
    who just chose not to share (a questionnaire that asks it); back from a change, the row
    they came to change, or the first row of the page they saved when that row is gone (the
    change hid it) or was not named; else None (the top). `context`: the questionnaire's
    context facts, for one shown on them (the check-in)."""
    consent = questionnaire.questions.get(CONSENT_QUESTION)
    if consent is not None and answers.get(CONSENT_QUESTION) == "no" and consent.page_id == page_id:
        return NOT_SHARING_ID
    if not returning:
        return None
    rows = [shown for group in answer_pages(questionnaire, answers, context) for shown in group.rows]
    if row is not None and any(shown.anchor == row for shown in rows):
        return ROW_ID_PREFIX + row
    same_page = [shown.anchor for shown in rows if shown.page_id == page_id]
    return ROW_ID_PREFIX + same_page[0] if same_page else None
