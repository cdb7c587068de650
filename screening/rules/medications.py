"""Other medicines (rules.md "Other medicines and data quality": INT-01, MED-01, MED-02, PAIN-01).

PAIN-01 sits here because what it asks for is a medicine plan: rescue pain relief that
is not an opioid.
"""

from __future__ import annotations

from datetime import date

from .engine import Finding, Inputs, Registry
from .facts import (
    CONTAINS_OPIOID_NO,
    CONTAINS_OPIOID_UNSURE,
    MedEntry,
    current_entries,
    describe,
    entries,
    medication_evidence,
)

rules = Registry("medications")

SEVERE_PAIN_AT_LEAST = 7  # PAIN-01: average pain in the last 7 days, 0–10


@rules.rule(
    "INT-01", "warning", summary="Takes a medicine that interacts with naltrexone",
    why="Label interactions (disulfiram: liver; thioridazine: sedation).",
    sources=("S13",), basis="label", inputs=("medications",),
)
def interacting_medicine(a: Inputs, as_of: date) -> Finding | None:
    listed = current_entries(a, "interaction")
    if not listed:
        return None
    return Finding(f"Takes {describe(listed)}.", medication_evidence(listed))


@rules.rule(
    "MED-01", "info", summary="Medicines the classifier does not recognise",
    why="Unrecognised products: confirm none contains an opioid.",
    sources=("S69", "S70"), basis="convention", inputs=("medications",),
)
def unrecognised_medicines(a: Inputs, as_of: date) -> Finding | None:
    # Entries the patient called opioids are opioid/long now; MED-02 takes the doubtful ones.
    unknown = tuple(entry for entry in entries(a, "unknown") if not entry.may_hide_an_opioid)
    if not unknown:
        return None
    return Finding(f"Not recognised: {describe(unknown)}.", medication_evidence(unknown))


@rules.rule(
    "MED-02", "warning", summary="An unrecognised medicine may contain an opioid",
    why="An unrecognised product may contain an opioid: confirm its ingredients before starting.",
    sources=("S69", "S70"), basis="convention", inputs=("medications",),
)
def possible_hidden_opioid(a: Inputs, as_of: date) -> Finding | None:
    doubtful = tuple(entry for entry in a.meds if entry.may_hide_an_opioid)
    if not doubtful:
        return None
    return Finding(
        "May contain an opioid: " + "; ".join(_why_doubtful(entry) for entry in doubtful) + ".",
        medication_evidence(doubtful),
    )


def _why_doubtful(entry: MedEntry) -> str:
    reasons = []
    if entry.resembles is not None:
        reasons.append(f"the name resembles {entry.resembles}")
    if entry.contains_opioid == CONTAINS_OPIOID_UNSURE:
        reasons.append("the patient is not sure whether it contains an opioid")
    elif entry.contains_opioid == CONTAINS_OPIOID_NO:
        reasons.append("the patient says it does not contain one")
    elif entry.contains_opioid is None:
        reasons.append("the patient was not asked")
    return f"{entry.name} ({', '.join(reasons)})"


@rules.rule(
    "PAIN-01", "info", summary="Severe pain (7 or more out of 10)",
    why="On LDN, pain must be managed without opioids; plan rescue pain relief.",
    sources=("S20",), basis="convention", inputs=("pain_average",),
)
def severe_pain(a: Inputs, as_of: date) -> Finding | None:
    if a.get("pain_average", 0) < SEVERE_PAIN_AT_LEAST:
        return None
    return Finding(
        f"Average pain {a['pain_average']}/10 in the last 7 days.", a.evidence("pain_average")
    )
