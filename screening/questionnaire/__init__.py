"""The questionnaires as data: one definition file each, one typed model, one loader.

`QUESTIONNAIRE` (the screening, definition.yaml) and `CHECKIN_QUESTIONNAIRE` (the
follow-up check-in, checkin.yaml, which borrows the screening's symptom and self-harm
items) are loaded (and validated) once, at import, so that a bad definition stops the
application from starting rather than failing a patient's request.

The check-in shows two questions on facts from the screening, its context
(`CHECKIN_QUESTIONNAIRE.context_ids`); `screening.rules.checkin_context` computes them from
the screening's answers, and every call that asks what is shown takes them as `context`.
"""

from .answers import AnswerError, validate_answers
from .loader import CHECKIN_PATH, DefinitionError, build_questionnaire, load_questionnaire
from .model import Condition, Context, ContextError, ContextFact, Option, Page, Question, Questionnaire, Section

QUESTIONNAIRE: Questionnaire = load_questionnaire()
CHECKIN_QUESTIONNAIRE: Questionnaire = load_questionnaire(CHECKIN_PATH, lender=QUESTIONNAIRE)

__all__ = [
    "CHECKIN_QUESTIONNAIRE",
    "QUESTIONNAIRE",
    "AnswerError",
    "Condition",
    "Context",
    "ContextError",
    "ContextFact",
    "DefinitionError",
    "Option",
    "Page",
    "Question",
    "Questionnaire",
    "Section",
    "build_questionnaire",
    "load_questionnaire",
    "validate_answers",
]
