"""What must never reach a doctor's page: the questionnaires' question IDs and option codes
(the screening's and the check-in's), and the classifier's class codes (they stay in the
JSON and FHIR downloads).

Codes are looked for case-sensitively as whole words. A code that is also an ordinary word
a doctor reads anyway ("current", "severe", "unsure") is not a leak, so only codes with an
underscore or a slash, question IDs, and one-word codes that are not English words
("hashimotos", "vivitrol") are looked for.
"""

from __future__ import annotations

import re
from functools import cache

from screening.medications.classes import MEDICATION_CLASSES
from screening.questionnaire import CHECKIN_QUESTIONNAIRE, QUESTIONNAIRE

# One-word codes that are ordinary English: seeing them in prose is not a leak.
ORDINARY_WORDS = frozenset({
    "antagonist", "antithyroid", "conditions", "current", "immunomodulator", "immunosuppressants",
    "interaction", "jaundice", "medications", "monthly", "occasionally", "palpitations", "severe",
    "tremor", "unknown", "unsure", "weekly", "other", "none", "never", "past", "yes", "no",
    "daily", "stopped", "male", "female", "cirrhosis", "dialysis", "hypothyroidism",
    "anxiety", "breastfeeding", "endometriosis", "fatigue", "fibromyalgia", "hyperthyroidism",
    "intersex", "levothyroxine", "liothyronine", "mood", "naltrexone", "nodules", "pregnant",
    "transplant", "weight",
    # the check-in's (followup.md)
    "paused", "headache", "dizziness", "nausea", "diarrhoea", "mild", "moderate",
})
WORD = re.compile(r"(?<![\w/-])[a-z0-9][a-z0-9_/-]*(?![\w/-])")


@cache
def internal_names() -> frozenset[str]:
    codes = set(MEDICATION_CLASSES)
    for question in (*QUESTIONNAIRE.questions.values(), *CHECKIN_QUESTIONNAIRE.questions.values()):
        codes.add(question.id)
        codes.update(option.code for option in question.options)
    return frozenset(code for code in codes
                     if ("_" in code or "/" in code or code not in ORDINARY_WORDS) and not code.isdigit())


def leaks(text: str) -> list[str]:
    """Internal names found in `text` (so "sleep" is not found in "sleeping")."""
    names = internal_names()
    return sorted({word for word in WORD.findall(text) if word in names})
