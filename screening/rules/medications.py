"""Other medicines (rules.md "Other medicines and data quality": INT-01, MED-01, PAIN-01).

PAIN-01 sits here because what it asks for is a medicine plan: rescue pain relief that
is not an opioid.
"""

from __future__ import annotations

from datetime import date

from .engine import Finding, Inputs, Registry
from .facts import current_entries, describe, entries, medication_evidence

rules = Registry("medications")

SEVERE_PAIN_AT_LEAST = 7  # PAIN-01: average pain in the last 7 days, 0–10


@rules.rule(
    "INT-01", "warning", summary="Takes a medicine that interacts with naltrexone",
    why="Label interactions (disulfiram: liver; thioridazine: sedation).",
    sources=("S13",), inputs=("medications",),
)
def interacting_medicine(a: Inputs, as_of: date) -> Finding | None:
    listed = current_entries(a, "interaction")
    if not listed:
        return None
    return Finding(f"Takes {describe(listed)}.", medication_evidence(listed))


@rules.rule(
    "MED-01", "info", summary="Medicines the classifier does not recognise",
    why="Unrecognised products: confirm none contains an opioid.",
    sources=("S69", "S70"), inputs=("medications",),
)
def unrecognised_medicines(a: Inputs, as_of: date) -> Finding | None:
    unknown = entries(a, "unknown")
    if not unknown:
        return None
    return Finding(f"Not recognised: {describe(unknown)}.", medication_evidence(unknown))


@rules.rule(
    "PAIN-01", "info", summary="Severe pain (7 or more out of 10)",
    why="On LDN, pain must be managed without opioids; plan rescue pain relief.",
    sources=("S20",), inputs=("pain_average",),
)
def severe_pain(a: Inputs, as_of: date) -> Finding | None:
    if a.get("pain_average", 0) < SEVERE_PAIN_AT_LEAST:
        return None
    return Finding(
        f"Average pain {a['pain_average']}/10 in the last 7 days.", a.evidence("pain_average")
    )
