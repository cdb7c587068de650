"""Missing safety answers (rules.md "Other medicines and data quality": DATA-01).

Absent is never the same as "no": the rules elsewhere fire only on answers that are
present, and this rule is what makes a missing safety answer visible to the doctor.
"""

from __future__ import annotations

from datetime import date

from .engine import Finding, Inputs, Registry
from .facts import question_words

rules = Registry("completeness")

SAFETY_QUESTIONS = (
    "opioid_recent", "opioid_treatment", "kratom_tianeptine", "illicit_opioid_12m",
    "liver_conditions", "transplant", "naltrexone_reaction", "current_antagonist",
    # Beyond rules.md's list (the safer choice where it is silent): without these, a missing
    # self-harm answer would hide PSY-01's urgency and a missing birth date would hide AGE-01.
    "phq9_self_harm", "date_of_birth",
)


@rules.rule(
    "DATA-01", "warning", summary="Safety answers missing",
    why='A missing safety answer cannot be read as "no".',
    sources=("policy",), basis="convention", inputs=(*SAFETY_QUESTIONS, "pregnant", "sex_at_birth"),
)
def safety_answers_missing(a: Inputs, as_of: date) -> Finding | None:
    missing = [qid for qid in SAFETY_QUESTIONS if qid not in a]
    # Pregnancy is asked unless sex at birth is male, so it is missing when sex is too.
    if "pregnant" not in a and not a.is_("sex_at_birth", "male"):
        missing.append("pregnant")
    if not missing:
        return None
    evidence = dict.fromkeys(missing)
    if "pregnant" in missing:
        evidence["sex_at_birth"] = a.get("sex_at_birth")  # None: not given either
    return Finding(f"No answer to: {question_words(missing)}.", evidence)
