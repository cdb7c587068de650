"""Check-in rules (followup.md section 3: FU-01 to FU-16), run on a check-in's answers.

Besides the check-in's own answers (check-in question IDs, `ci_medications` classified
like the screening's list), a rule may declare the screening's answers as
"screening.<ID>" (read through ``a.within("screening")``, so the shared facts read them
as the screening's rules do) and the plan's facts "plan.start_date", "plan.days_on" and
"plan.planned_dose_mg" (plan.py). FU-01 makes the check-in urgent. As in the screening,
a rule fires only on answers that are present: a missing safety answer is FU-16's.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from .engine import Finding, Inputs, Registry, namespaced
from .facts import CONTAINS_OPIOID_UNSURE, Notes, entries, in_words, question, thyroid_hormone

rules = Registry("followup")

SCREENING = "screening"  # the namespace of the screening's answers
CI_MEDICATIONS = "ci_medications"
# The screening's symptom items, asked again at each check-in and compared with baseline.
SYMPTOM_ITEMS = ("pain_average", "pain_interference", "fatigue", "brain_fog", "sleep_problems", "low_mood", "anxiety")
BASELINE_ITEMS = tuple(f"{SCREENING}.{item}" for item in SYMPTOM_ITEMS)
OPIOID_CLASSES = ("opioid/short", "opioid/long", "opioid/unregulated", "opioid/depot")  # FU-02

SELF_HARM_AT_LEAST = 1  # FU-01: any answer above "not at all"
SURGERY_SOON_LAST = 14  # FU-06: surgery up to 14 days away (or undated); further is FU-07's
DOSE_TOLERANCE_MG = Decimal("0.1")  # FU-11: a dose more than 0.1 mg from the plan's
RESPONSE_DAYS_AT_LEAST = 77  # FU-12: day 77 (11 weeks) on: "about 12 weeks"
RESPONSE_FALL_PERCENT = 30  # FU-12: a fall of less than 30 % of baseline is no meaningful response
WORSE_BY_AT_LEAST = 3  # FU-13: points worse than baseline, on a 0–10 scale

SAFETY_QUESTIONS = ("ci_opioid_since", "ci_liver_symptoms", "phq9_self_harm")  # FU-16, always asked


def _baseline(a: Inputs, item: str) -> int | None:
    baseline: int | None = a.within(SCREENING).get(item)
    return baseline


def fell_by_less_than(baseline: int | float | Decimal, now: int | float | Decimal, percent: int) -> bool:
    """The value fell (baseline − now) by less than `percent` % of baseline, exactly:
    10 → 7 is a fall of exactly 30 %, not less; 10 → 7.01 is 29.9 %."""
    fall = Fraction(str(baseline)) - Fraction(str(now))
    return fall < Fraction(percent, 100) * Fraction(str(baseline))


def percent_change(baseline: int, now: int) -> Decimal | None:
    """(now − baseline) as a percentage of baseline, to one decimal (half away from zero);
    None from a baseline of 0, where a percentage means nothing."""
    if baseline == 0:
        return None
    exact = Decimal(100 * (now - baseline)) / Decimal(baseline)
    return exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _scale(value: int) -> str:
    return f"{value} out of 10"


# --- safety ------------------------------------------------------------------------------

@rules.rule(
    "FU-01", "critical", summary="Thoughts of self-harm: needs a same-day response",
    why="Thoughts of self-harm need a same-day response.",
    sources=("S18",), basis="label", inputs=("phq9_self_harm",), urgent=True,
)
def self_harm_thoughts(a: Inputs, as_of: date) -> Finding | None:
    if a.get("phq9_self_harm", 0) < SELF_HARM_AT_LEAST:
        return None
    notes = Notes(a)
    notes.answers("phq9_self_harm")
    return notes.finding()


@rules.rule(
    "FU-02", "critical", summary="An opioid since starting LDN",
    why="Opioids are blocked by naltrexone and stopping LDN to take them changes tolerance: "
    "contact the patient about pain relief and safety.",
    sources=("S1", "S8"), basis="label", inputs=("ci_opioid_since", "ci_opioid_last_dose", CI_MEDICATIONS),
)
def opioid_since_starting(a: Inputs, as_of: date) -> Finding | None:
    notes = Notes(a)
    if a.is_("ci_opioid_since", "yes", "unsure"):
        notes.answers("ci_opioid_since", *(["ci_opioid_last_dose"] if "ci_opioid_last_dose" in a else []))
    notes.listed("New medicines that contain an opioid", entries(a, *OPIOID_CLASSES, among=CI_MEDICATIONS),
                 among=CI_MEDICATIONS)
    return notes.finding()


@rules.rule(
    "FU-03", "critical", summary="Pregnant, or could be, while on LDN",
    why="Pregnancy while on LDN: review now.",
    sources=("S15",), basis="convention", inputs=("ci_pregnant",),
)
def pregnant(a: Inputs, as_of: date) -> Finding | None:
    # followup.md fires on "yes" only and no rule reads "not sure"; the question asks "or
    # could you be?", so "not sure" is a possible pregnancy on LDN. As FU-02 reads "not sure"
    # to the opioid question as a yes, it fires here too (the safer reading; see docs/followup.md).
    if not a.is_("ci_pregnant", "yes", "unsure"):
        return None
    notes = Notes(a)
    notes.answers("ci_pregnant")
    if a.is_("ci_pregnant", "unsure"):
        notes.add("Not sure counts as possibly pregnant: a pregnancy test first.", {})
    return notes.finding()


@rules.rule(
    "FU-04", "critical", summary="Jaundice now",
    why="Possible liver injury: stop and test.",
    sources=("S7", "S12"), basis="label", inputs=("ci_liver_symptoms",),
)
def jaundice(a: Inputs, as_of: date) -> Finding | None:
    if not a.has("ci_liver_symptoms", "jaundice"):
        return None
    notes = Notes(a)
    notes.answers("ci_liver_symptoms")
    return notes.finding()


@rules.rule(
    "FU-05", "warning", summary="Possible liver symptoms now",
    why="Possible liver symptoms: check liver tests.",
    sources=("S12",), basis="convention", inputs=("ci_liver_symptoms",),
)
def liver_symptoms(a: Inputs, as_of: date) -> Finding | None:
    if jaundice(a, as_of) is not None or not a.has(
        "ci_liver_symptoms", "dark_urine", "pale_stools", "upper_right_belly_pain"
    ):
        return None
    notes = Notes(a)
    notes.answers("ci_liver_symptoms")
    return notes.finding()


# --- surgery -------------------------------------------------------------------------------

def _days_until_surgery(a: Inputs, as_of: date) -> int | None:
    surgery = a.as_date("ci_surgery_date")
    return (surgery - as_of).days if surgery is not None else None


def _surgery_on(a: Inputs, until: int) -> str:
    return f"An operation or procedure is planned on {in_words('ci_surgery_date', a['ci_surgery_date'])}, " \
        f"in {until} days."


@rules.rule(
    "FU-06", "warning", summary="Surgery within 2 weeks (or undated), or LDN stopped for one",
    why="Plan the stop (about 3 days before) and the analgesia with the surgical team.",
    sources=("S34", "S38"), basis="expert opinion",
    inputs=("ci_surgery_planned", "ci_surgery_date", "ci_stop_reason"),
)
def surgery_soon(a: Inputs, as_of: date) -> Finding | None:
    notes = Notes(a)
    if a.is_("ci_surgery_planned", "yes"):
        until = _days_until_surgery(a, as_of)
        if until is None:
            notes.answers("ci_surgery_planned", text="An operation or procedure is planned; its date is not given.")
        elif until <= SURGERY_SOON_LAST:
            notes.answers("ci_surgery_planned", "ci_surgery_date", text=_surgery_on(a, until))
    if a.has("ci_stop_reason", "surgery_or_procedure"):
        notes.answers("ci_stop_reason", text=f"LDN paused or stopped because of: "
                      f"{in_words('ci_stop_reason', a['ci_stop_reason'])}.")
    return notes.finding()


@rules.rule(
    "FU-07", "info", summary="Surgery later than 2 weeks, or possible",
    why="Remind the patient to tell the surgical team about LDN.",
    sources=("S34", "S38"), basis="expert opinion", inputs=("ci_surgery_planned", "ci_surgery_date"),
)
def surgery_later_or_unsure(a: Inputs, as_of: date) -> Finding | None:
    notes = Notes(a)
    until = _days_until_surgery(a, as_of)
    if a.is_("ci_surgery_planned", "yes") and until is not None and until > SURGERY_SOON_LAST:
        notes.answers("ci_surgery_planned", "ci_surgery_date", text=_surgery_on(a, until))
    if a.is_("ci_surgery_planned", "unsure"):
        notes.answers("ci_surgery_planned")
    return notes.finding()


# --- side effects --------------------------------------------------------------------------

@rules.rule(
    "FU-08", "warning", summary="Side effects limit treatment",
    why="Side effects limit treatment: hold the next step or lower the dose.",
    sources=("followup",), basis="expert opinion",
    inputs=("ci_side_effects", "ci_side_effect_impact", "ci_stop_reason"),
)
def limiting_side_effects(a: Inputs, as_of: date) -> Finding | None:
    notes = Notes(a)
    if a.is_("ci_side_effect_impact", "severe"):
        notes.answers("ci_side_effects", "ci_side_effect_impact")
    if a.has("ci_stop_reason", "side_effects"):
        notes.answers("ci_stop_reason", text=f"LDN paused or stopped because of: "
                      f"{in_words('ci_stop_reason', a['ci_stop_reason'])}.")
    return notes.finding()


@rules.rule(
    "FU-09", "info", summary="Vivid dreams or poor sleep, mild or moderate",
    why="Sleep effects usually settle within about 2 weeks; morning dosing is an option.",
    sources=("followup",), basis="expert opinion", inputs=("ci_side_effects", "ci_side_effect_impact"),
)
def sleep_effects(a: Inputs, as_of: date) -> Finding | None:
    if not (a.has("ci_side_effects", "vivid_dreams", "poor_sleep")
            and a.is_("ci_side_effect_impact", "mild", "moderate")):
        return None
    notes = Notes(a)
    notes.answers("ci_side_effects", "ci_side_effect_impact")
    return notes.finding()


@rules.rule(
    "FU-10", "warning", summary="Overactive-thyroid symptoms on thyroid hormone",
    why="Possible over-replacement: check thyroid tests; the thyroid dose may need lowering.",
    sources=("S33",), basis="expert opinion",
    inputs=("ci_hyperthyroid_symptoms", f"{SCREENING}.thyroid_medication", f"{SCREENING}.medications"),
)
def possible_over_replacement(a: Inputs, as_of: date) -> Finding | None:
    hormone = thyroid_hormone(a.within(SCREENING))
    if not (hormone and a.has_other_than("ci_hyperthyroid_symptoms", "none")):
        return None
    taken = [in_words("thyroid_medication", hormone["thyroid_medication"])] if "thyroid_medication" in hormone else []
    taken += [entry["name"] for entry in hormone.get("medications", ())]
    symptoms = in_words("ci_hyperthyroid_symptoms", a["ci_hyperthyroid_symptoms"])
    return Finding(
        f"On thyroid hormone at screening: {', '.join(taken)}. In the last 2 weeks: {symptoms}.",
        {**a.evidence("ci_hyperthyroid_symptoms"), **namespaced(SCREENING, hormone)},
    )


# --- the plan and the response -------------------------------------------------------------

@rules.rule(
    "FU-11", "info", summary="Dose differs from the plan",
    why="Dose differs from the plan: confirm and update the plan.",
    sources=("followup",), basis="convention", inputs=("ci_taking", "ci_dose_mg", "plan.planned_dose_mg"),
)
def dose_differs(a: Inputs, as_of: date) -> Finding | None:
    notes = Notes(a)
    planned: Decimal | None = a.get("plan.planned_dose_mg")
    dose = a.get("ci_dose_mg")
    if dose is not None and planned is not None and abs(Decimal(str(dose)) - planned) > DOSE_TOLERANCE_MG:
        notes.answers("ci_dose_mg", "plan.planned_dose_mg",
                      text=f"Takes {dose} mg; the plan's dose today is {planned} mg.")
    if a.is_("ci_taking", "lower_dose"):
        notes.answers("ci_taking")
    return notes.finding()


@rules.rule(
    "FU-12", "info", summary="No meaningful response by about 12 weeks",
    why="No meaningful response by about 12 weeks: reassess whether to continue.",
    sources=("followup",), basis="convention",
    inputs=("plan.days_on", "ci_pgic", "pain_average", f"{SCREENING}.pain_average"),
)
def no_response(a: Inputs, as_of: date) -> Finding | None:
    baseline, now = _baseline(a, "pain_average"), a.get("pain_average")
    if not (a["plan.days_on"] >= RESPONSE_DAYS_AT_LEAST
            and a.is_("ci_pgic", "no_change", "minimally_worse", "much_worse", "very_much_worse")
            and baseline is not None and now is not None
            and fell_by_less_than(baseline, now, RESPONSE_FALL_PERCENT)):
        return None
    return Finding(
        f"Day {a['plan.days_on']} on LDN. {_said(a, 'ci_pgic')} “{question('pain_average').text}”: "
        f"{_scale(baseline)} at screening, {_scale(now)} now ({_moved(baseline, now)}; a fall of "
        f"{RESPONSE_FALL_PERCENT} % or more counts as a response).",
        {**a.evidence("plan.days_on", "ci_pgic", "pain_average"), f"{SCREENING}.pain_average": baseline},
    )


def _moved(baseline: int, now: int) -> str:
    change = percent_change(baseline, now)
    if now == baseline:
        return "no change"
    direction, points = ("down" if now < baseline else "up"), abs(now - baseline)
    return f"{direction} {_points(points)}" + ("" if change is None else f", {abs(change)} %")


def _points(points: int) -> str:
    return f"{points} point" if points == 1 else f"{points} points"


def _said(a: Inputs, qid: str) -> str:
    return f"“{question(qid).text}” – “{in_words(qid, a[qid])}”."


@rules.rule(
    "FU-13", "warning", summary="A symptom 3 or more points worse than before LDN",
    why="A symptom is clearly worse than before LDN.",
    sources=("followup",), basis="convention", inputs=(*SYMPTOM_ITEMS, *BASELINE_ITEMS),
)
def symptom_worse(a: Inputs, as_of: date) -> Finding | None:
    notes = Notes(a)
    for item in SYMPTOM_ITEMS:
        baseline, now = _baseline(a, item), a.get(item)
        if baseline is not None and now is not None and now - baseline >= WORSE_BY_AT_LEAST:
            notes.add(
                f"“{question(item).text}”: {_scale(baseline)} at screening, {_scale(now)} now "
                f"({_points(now - baseline)} worse).",
                {item: now, f"{SCREENING}.{item}": baseline},
            )
    return notes.finding()


@rules.rule(
    "FU-14", "info", summary="LDN paused, stopped or not started",
    why="Treatment not running: confirm the plan, or end it.",
    sources=("followup",), basis="convention", inputs=("ci_taking",),
)
def not_running(a: Inputs, as_of: date) -> Finding | None:
    if not a.is_("ci_taking", "paused", "stopped", "not_started"):
        return None
    notes = Notes(a)
    notes.answers("ci_taking")
    return notes.finding()


@rules.rule(
    "FU-15", "info", summary="New products the classifier does not recognise",
    why="Unrecognised new product: confirm none contains an opioid.",
    sources=("followup",), basis="convention", inputs=(CI_MEDICATIONS,),
)
def unrecognised_new_products(a: Inputs, as_of: date) -> Finding | None:
    # An unrecognised product the patient says contains an opioid is an opioid (FU-02's).
    unknown = entries(a, "unknown", among=CI_MEDICATIONS)
    if not unknown:
        return None
    doubts = [f"{entry.name}: the name resembles {entry.resembles}" for entry in unknown if entry.resembles]
    doubts += [f"{entry.name}: the patient is not sure whether it contains an opioid"
               for entry in unknown if entry.contains_opioid == CONTAINS_OPIOID_UNSURE]
    notes = Notes(a)
    notes.listed("Not recognised", unknown, among=CI_MEDICATIONS)
    if doubts:
        notes.add(f"{'; '.join(doubts)}.", {})
    return notes.finding()


# --- missing answers -------------------------------------------------------------------------

@rules.rule(
    "FU-16", "warning", summary="Safety answers missing",
    why='A missing safety answer cannot be read as "no".',
    sources=("policy",), basis="convention",
    inputs=(*SAFETY_QUESTIONS, "ci_pregnant", f"{SCREENING}.sex_at_birth"),
)
def safety_answers_missing(a: Inputs, as_of: date) -> Finding | None:
    missing = [qid for qid in SAFETY_QUESTIONS if qid not in a]
    # The pregnancy question is asked unless the screening's sex at birth is male (a
    # missing sex at birth counts as not male, as the check-in shows it then).
    if "ci_pregnant" not in a and not a.within(SCREENING).is_("sex_at_birth", "male"):
        missing.append("ci_pregnant")
    if not missing:
        return None
    evidence = dict.fromkeys(missing)
    if "ci_pregnant" in missing:
        evidence[f"{SCREENING}.sex_at_birth"] = a.within(SCREENING).get("sex_at_birth")
    return Finding(f"No answer to: {'; '.join(f'“{question(qid).text}”' for qid in missing)}.", evidence)


