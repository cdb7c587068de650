"""Liver and alcohol rules (rules.md "Liver and alcohol": LIV-01 to LIV-08, ALC-01, ALC-02).

Liver test ratios use the patient's own upper limit of normal and are computed only when
both numbers are present and the limit is > 0. They are exact fractions of the numbers
as typed, so "exactly 3 × ULN" is never pushed over a threshold by floating point.
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from typing import NamedTuple

from .engine import Finding, Inputs, Registry
from .facts import AUDIT_C_ITEMS, Notes, answered, audit_c, audit_c_threshold, in_words, lab_ratio, times

rules = Registry("liver")

ENZYME_RAISED_ABOVE = 1  # LIV-08: ALT or AST > 1 × ULN, while LIV-02 and LIV-03 are silent
ENZYME_LIMIT_ABOVE = 3  # LIV-02: ALT or AST > 3 × ULN (a trial-exclusion convention)
ENZYME_SEVERE_AT_LEAST = 5  # LIV-03: ALT or AST ≥ 5 × ULN
BILIRUBIN_AT_LEAST = 2  # LIV-03: with bilirubin ≥ 2 × ULN
AUDIT_C_HIGH_RISK = 8  # ALC-02

ENZYMES = (("ALT", "alt_value", "alt_uln"), ("AST", "ast_value", "ast_uln"))
LAB_INPUTS = ("alt_value", "alt_uln", "ast_value", "ast_uln", "bilirubin_value", "bilirubin_uln")
INJURY_INPUTS = (*LAB_INPUTS, "liver_symptoms_now")
DISEASE_INPUTS = ("liver_conditions", "cirrhosis_complications", "liver_test_abnormal")
AUDIT_INPUTS = (*AUDIT_C_ITEMS, "sex_at_birth")


def _ratio(a: Inputs, value_id: str, uln_id: str) -> Fraction | None:
    return lab_ratio(a.get(value_id), a.get(uln_id))


class LabRatio(NamedTuple):
    name: str
    ratio: Fraction  # result / upper limit of normal
    ids: tuple[str, str]  # the result's and the limit's question IDs


def _enzymes(a: Inputs) -> list[LabRatio]:
    """ALT and AST, where a ratio can be computed."""
    found = []
    for name, value_id, uln_id in ENZYMES:
        ratio = _ratio(a, value_id, uln_id)
        if ratio is not None:
            found.append(LabRatio(name, ratio, (value_id, uln_id)))
    return found


def _conditions(a: Inputs) -> str:
    return f"Liver conditions: {in_words('liver_conditions', a['liver_conditions'])}."


def _symptoms(a: Inputs) -> str:
    return in_words("liver_symptoms_now", a["liver_symptoms_now"])


def _describe(a: Inputs, test: LabRatio) -> str:
    value, uln = (a[qid] for qid in test.ids)
    return f"{test.name} {value} with upper limit {uln} ({times(test.ratio)} × ULN)."


@rules.rule(
    "LIV-01", "critical", summary="Acute hepatitis, liver failure or decompensated cirrhosis",
    why="Acute hepatitis and liver failure are contraindications in the Canadian and older US "
    "labels; the UK contraindicates severe liver disease.",
    sources=("S6", "S7", "S20"), basis="label", inputs=("liver_conditions", "cirrhosis_complications"),
)
def severe_liver_disease(a: Inputs, as_of: date) -> Finding | None:
    notes = Notes(a)
    if a.has("liver_conditions", "acute_hepatitis", "liver_failure"):
        notes.answers("liver_conditions", text=_conditions(a))
    if a.has("liver_conditions", "cirrhosis") and a.is_("cirrhosis_complications", "yes"):
        notes.answers("liver_conditions", "cirrhosis_complications",
                      text="Cirrhosis with complications (fluid, bleeding, jaundice or confusion).")
    return notes.finding()


@rules.rule(
    "LIV-02", "warning", summary="Liver enzymes above 3 × the upper limit, or tests not normal",
    why="Trials exclude > 3 × ULN; prescribers should establish subclinical liver injury first.",
    sources=("S28", "S29", "S6"), basis="convention", inputs=(*INJURY_INPUTS, "liver_test_abnormal"),
)
def raised_liver_tests(a: Inputs, as_of: date) -> Finding | None:
    if significant_liver_injury(a, as_of) is not None:
        return None
    notes, enzymes = Notes(a), _enzymes(a)
    for test in enzymes:
        if test.ratio > ENZYME_LIMIT_ABOVE:
            notes.answers(*test.ids, text=_describe(a, test))
    if a.is_("liver_test_abnormal", "yes") and not enzymes:
        notes.answers("liver_test_abnormal",
                      text="Told the last liver test was not normal; no ALT or AST ratio to check.")
    return notes.finding()


@rules.rule(
    "LIV-03", "critical", summary="Pattern of significant liver injury in the tests",
    why="A pattern of significant liver injury needing evaluation first (thresholds are a "
    "convention, not LDN-validated).",
    sources=("S7", "S12"), basis="convention", inputs=INJURY_INPUTS,
)
def significant_liver_injury(a: Inputs, as_of: date) -> Finding | None:
    enzymes = _enzymes(a)
    raised = [test for test in enzymes if test.ratio > ENZYME_LIMIT_ABOVE]
    severe = [test for test in enzymes if test.ratio >= ENZYME_SEVERE_AT_LEAST]
    bilirubin = _ratio(a, "bilirubin_value", "bilirubin_uln")
    high_bilirubin = bilirubin is not None and bilirubin >= BILIRUBIN_AT_LEAST
    symptoms = a.has_other_than("liver_symptoms_now", "none")
    if not (severe or (raised and (high_bilirubin or symptoms))):
        return None
    notes = Notes(a)
    for test in raised:
        notes.answers(*test.ids, text=_describe(a, test))
    if bilirubin is not None and high_bilirubin:
        ids = ("bilirubin_value", "bilirubin_uln")
        notes.answers(*ids, text=_describe(a, LabRatio("Bilirubin", bilirubin, ids)))
    if symptoms:
        notes.answers("liver_symptoms_now", text=f"Liver symptoms now: {_symptoms(a)}.")
    return notes.finding()


@rules.rule(
    "LIV-04", "warning", summary="Chronic liver disease",
    why="Naltrexone exposure rises in cirrhosis; caution in hepatic impairment.",
    sources=("S27", "S12", "S20"), basis="convention", inputs=DISEASE_INPUTS,
)
def chronic_liver_disease(a: Inputs, as_of: date) -> Finding | None:
    notes = Notes(a)
    # Cirrhosis with complications is LIV-01's; without them (cirrhosis_complications is
    # not "yes": "no", "unsure" or not answered) it is LIV-04's, even when LIV-01 fires for
    # another condition such as acute hepatitis.
    cirrhosis = a.has("liver_conditions", "cirrhosis")
    without_complications = cirrhosis and not a.is_("cirrhosis_complications", "yes")
    chronic = a.has(
        "liver_conditions", "chronic_hepatitis_b", "chronic_hepatitis_c", "autoimmune_hepatitis",
        "pbc_psc", "liver_transplant",
    )
    if chronic or without_complications:
        notes.answers("liver_conditions", text=_conditions(a))
    if without_complications:
        notes.add(_cirrhosis_complications(a), a.evidence("cirrhosis_complications"))
    if a.has("liver_conditions", "fatty_liver") and a.is_("liver_test_abnormal", "yes"):
        notes.answers("liver_conditions", "liver_test_abnormal",
                      text="Fatty liver, and the last liver test was not normal.")
    return notes.finding()


def _cirrhosis_complications(a: Inputs) -> str:
    if a.is_("cirrhosis_complications", "no"):
        return "Cirrhosis without complications."
    if a.is_("cirrhosis_complications", "unsure"):
        return "Cirrhosis; not sure whether it has caused complications."
    return "Cirrhosis; whether it has caused complications was not answered."


@rules.rule(
    "LIV-05", "critical", summary="Jaundice now",
    why="Yellow skin or eyes now may mean acute liver disease.",
    sources=("S7", "S12"), basis="label", inputs=("liver_symptoms_now",),
)
def jaundice_now(a: Inputs, as_of: date) -> Finding | None:
    if not a.has("liver_symptoms_now", "jaundice"):
        return None
    return Finding("Has yellow skin or eyes now.", a.evidence("liver_symptoms_now"))


@rules.rule(
    "LIV-06", "warning", summary="Possible liver symptoms now",
    why="Possible liver symptoms; check liver tests first.",
    sources=("S7", "S12"), basis="convention", inputs=("liver_symptoms_now",),
)
def liver_symptoms_now(a: Inputs, as_of: date) -> Finding | None:
    if a.has("liver_symptoms_now", "jaundice") or not a.has(
        "liver_symptoms_now", "dark_urine", "pale_stools", "upper_right_belly_pain"
    ):
        return None
    return Finding(f"Symptoms now: {_symptoms(a)}.", a.evidence("liver_symptoms_now"))


def _audit_c_positive(a: Inputs) -> bool:
    return audit_c(a) >= audit_c_threshold(a.get("sex_at_birth"))


@rules.rule(
    "LIV-07", "warning", summary="Liver tests not current in someone at liver risk",
    why="Liver tests should be current before starting in people at liver risk.",
    sources=("S6", "S20"), basis="convention",
    inputs=("liver_test_when", *DISEASE_INPUTS, *AUDIT_INPUTS, "opioid_use_disorder"),
)
def liver_tests_not_current(a: Inputs, as_of: date) -> Finding | None:
    if not a.is_("liver_test_when", "over_12_months", "never", "unsure"):
        return None
    risks = Notes(a)
    if (disease := chronic_liver_disease(a, as_of)) is not None:
        risks.add(disease.rationale, disease.evidence)
    if _audit_c_positive(a):
        risks.answers(*AUDIT_INPUTS, text=f"AUDIT-C {audit_c(a)} (positive).")
    if a.is_("opioid_use_disorder", "yes"):
        risks.answers("opioid_use_disorder", text="History of opioid use disorder.")
    if (found := risks.finding()) is None:
        return None
    return Finding(f"{answered(a, 'liver_test_when')} {found.rationale}",
                   {**a.evidence("liver_test_when"), **found.evidence})


@rules.rule(
    "LIV-08", "info", summary="Liver tests above the limit (up to 3 ×), or reported not normal or unsure",
    why="Liver tests above the limit or reported abnormal, below the 3 × threshold: note them, "
    "and repeat them if they are more than 12 months old.",
    sources=("S6", "S20"), basis="convention",
    inputs=(*INJURY_INPUTS, "liver_test_abnormal", "liver_test_when"),
)
def liver_tests_to_note(a: Inputs, as_of: date) -> Finding | None:
    if significant_liver_injury(a, as_of) is not None or raised_liver_tests(a, as_of) is not None:
        return None
    notes, enzymes = Notes(a), _enzymes(a)
    for test in enzymes:
        if test.ratio > ENZYME_RAISED_ABOVE:
            notes.answers(*test.ids, text=_describe(a, test))
    if a.is_("liver_test_abnormal", "unsure"):
        notes.answers("liver_test_abnormal", text="Not sure whether the last liver test was normal.")
    elif a.is_("liver_test_abnormal", "yes") and enzymes:
        notes.answers("liver_test_abnormal", text="Told the last liver test was not normal.")
    if notes.finding() is None:
        return None
    if a.is_("liver_test_when", "over_12_months"):
        notes.answers("liver_test_when", text="The test was more than 12 months ago: repeat it.")
    elif a.is_("liver_test_when", "unsure"):
        notes.answers("liver_test_when",
                      text="Not sure when the test was done: repeat it if it is more than 12 months old.")
    return notes.finding()


@rules.rule(
    "ALC-01", "info", summary="AUDIT-C positive (hazardous drinking)",
    why="Positive screen for hazardous drinking.",
    sources=("S75",), basis="convention", inputs=AUDIT_INPUTS,
)
def hazardous_drinking(a: Inputs, as_of: date) -> Finding | None:
    if not _audit_c_positive(a) or audit_c(a) >= AUDIT_C_HIGH_RISK:
        return None
    return Finding(f"AUDIT-C score {audit_c(a)}.", a.evidence(*AUDIT_INPUTS))


@rules.rule(
    "ALC-02", "warning", summary="High-risk drinking or alcohol withdrawal history",
    why="High-risk drinking and liver risk.",
    sources=("S75",), basis="convention", inputs=(*AUDIT_C_ITEMS, "alcohol_withdrawal_history"),
)
def high_risk_drinking(a: Inputs, as_of: date) -> Finding | None:
    notes = Notes(a)
    if (score := audit_c(a)) >= AUDIT_C_HIGH_RISK:
        notes.answers(*AUDIT_C_ITEMS, text=f"AUDIT-C score {score}.")
    if a.is_("alcohol_withdrawal_history", "yes"):
        notes.answers("alcohol_withdrawal_history",
                      text="Has had shakes, sweats or seizures on stopping drinking.")
    return notes.finding()
