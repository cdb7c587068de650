"""The questionnaire as data: one definition file, its typed model and its loader.

`QUESTIONNAIRE` is loaded (and validated) once, at import, so that a bad definition
stops the application from starting rather than failing a patient's request.
"""

from .answers import AnswerError, validate_answers
from .loader import DefinitionError, build_questionnaire, load_questionnaire
from .model import Condition, Option, Page, Question, Questionnaire, Section

QUESTIONNAIRE: Questionnaire = load_questionnaire()

__all__ = [
    "QUESTIONNAIRE",
    "AnswerError",
    "Condition",
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
