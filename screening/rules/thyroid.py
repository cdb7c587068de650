"""Thyroid rules (rules.md "Thyroid": THY-01 to THY-04).

"On thyroid hormone" (facts.thyroid_hormone) is the thyroid medicine answer or a
current thyroid-hormone entry on the medication list.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from .engine import Finding, Inputs, Registry
from .facts import THYROID_HORMONE_INPUTS, Notes, in_words, thyroid_hormone

rules = Registry("thyroid")

THYROID_INPUTS = ("thyroid_conditions", *THYROID_HORMONE_INPUTS)


def _on_hormone(evidence: dict[str, Any]) -> str:
    taken = [in_words("thyroid_medication", evidence["thyroid_medication"])] if "thyroid_medication" in evidence else []
    taken += [entry["name"] for entry in evidence.get("medications", ())]
    return f"On thyroid hormone: {', '.join(taken)}"


def _autoimmune_or_hypothyroid(a: Inputs) -> bool:
    return a.has("thyroid_conditions", "hashimotos", "hypothyroidism")


@rules.rule(
    "THY-01", "warning", summary="Hashimoto's or hypothyroidism on thyroid hormone",
    why="Start at the lowest dose and recheck thyroid tests in 2–3 months (advocacy guidance; "
    "evidence weak).",
    sources=("S33", "S40"), basis="expert opinion", inputs=THYROID_INPUTS,
    # sources.md: where the evidence runs against a rule, its rationale says so.
    caveat="The only cohort data found (Raknes and Småbrekke 2020) do not show a change in "
    "thyroid hormone use after LDN.",
)
def hypothyroid_on_hormone(a: Inputs, as_of: date) -> Finding | None:
    hormone = thyroid_hormone(a)
    if not (_autoimmune_or_hypothyroid(a) and hormone):
        return None
    return Finding(
        f"Thyroid conditions: {in_words('thyroid_conditions', a['thyroid_conditions'])}. {_on_hormone(hormone)}.",
        {**a.evidence("thyroid_conditions"), **hormone},
    )


@rules.rule(
    "THY-02", "info", summary="Thyroid history to note",
    why="Thyroid history to note.",
    sources=("S74",), basis="convention", inputs=THYROID_INPUTS,
)
def thyroid_history(a: Inputs, as_of: date) -> Finding | None:
    notes = Notes(a)
    if (hormone := thyroid_hormone(a)) and not _autoimmune_or_hypothyroid(a):
        notes.add(f"{_on_hormone(hormone)}, without Hashimoto's or hypothyroidism.", hormone)
    if a.has("thyroid_conditions", "graves", "hyperthyroidism"):
        conditions = in_words("thyroid_conditions", a["thyroid_conditions"])
        notes.answers("thyroid_conditions", text=f"Thyroid conditions: {conditions}.")
    if a.has("thyroid_medication", "antithyroid"):
        notes.answers("thyroid_medication", text="Takes a medicine that slows the thyroid.")
    return notes.finding()


@rules.rule(
    "THY-03", "warning", summary="Overactive-thyroid symptoms while on thyroid hormone",
    why="Possible over-replacement already; check thyroid tests before starting.",
    sources=("S33",), basis="expert opinion", inputs=(*THYROID_HORMONE_INPUTS, "hyperthyroid_symptoms"),
)
def possible_over_replacement(a: Inputs, as_of: date) -> Finding | None:
    hormone = thyroid_hormone(a)
    if not (hormone and a.has_other_than("hyperthyroid_symptoms", "none")):
        return None
    symptoms = in_words("hyperthyroid_symptoms", a["hyperthyroid_symptoms"])
    return Finding(
        f"{_on_hormone(hormone)}. Symptoms in the last month: {symptoms}.",
        {**hormone, **a.evidence("hyperthyroid_symptoms")},
    )


@rules.rule(
    "THY-04", "info", summary="Thyroid dose changed in the last 6 months",
    why="The thyroid dose was changed recently: check that thyroid tests are stable before "
    "starting, as LDN may lower the dose needed.",
    sources=("S33", "S40"), basis="expert opinion",
    inputs=(*THYROID_HORMONE_INPUTS, "thyroid_dose_changed_6m"),
)
def recent_thyroid_dose_change(a: Inputs, as_of: date) -> Finding | None:
    # The dose question is asked only when the thyroid medicine answer names one; a thyroid
    # hormone known only from the medication list leaves it unasked (THY-01 or THY-02 fire).
    hormone = thyroid_hormone(a)
    if not (hormone and a.is_("thyroid_dose_changed_6m", "yes")):
        return None
    return Finding(
        f"{_on_hormone(hormone)}. The dose changed in the last 6 months.",
        {**hormone, **a.evidence("thyroid_dose_changed_6m")},
    )
