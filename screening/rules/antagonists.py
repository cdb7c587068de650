"""Opioid antagonists already taken, and reactions to them (rules.md "Opioid antagonists
and allergy": ANT-01, ANT-02, HYP-01, HYP-02)."""

from __future__ import annotations

from datetime import date

from .engine import Finding, Inputs, Registry
from .facts import Notes, answered, current_entries, days, in_words

rules = Registry("antagonists")

VIVITROL_BLOCKADE_LAST = 30  # ANT-02: an injection in the last 30 days (blockade ~28 days)


@rules.rule(
    "ANT-01", "warning", summary="Already taking an opioid antagonist",
    why="Duplicate or stacked opioid antagonism; coordinate with the current prescriber.",
    sources=("S57", "S58", "S29"), basis="label", inputs=("current_antagonist", "medications"),
)
def antagonist_now(a: Inputs, as_of: date) -> Finding | None:
    notes = Notes(a)
    if a.has_other_than("current_antagonist", "none"):
        taking = in_words("current_antagonist", a["current_antagonist"])
        notes.answers("current_antagonist", text=f"Takes now: {taking}.")
    notes.listed("Current antagonist on the medication list", current_entries(a, "antagonist"))
    return notes.finding()


@rules.rule(
    "ANT-02", "info", summary="Vivitrol injection in the last 30 days",
    why="Vivitrol's blockade lasts about 28 days.",
    sources=("S10",), basis="label", inputs=("vivitrol_last_injection",),
)
def recent_vivitrol(a: Inputs, as_of: date) -> Finding | None:
    injected = a.as_date("vivitrol_last_injection")
    if injected is None or days(injected, as_of) > VIVITROL_BLOCKADE_LAST:
        return None
    return Finding(
        f"Last Vivitrol injection {injected}, {days(injected, as_of)} days before {as_of}.",
        a.evidence("vivitrol_last_injection"),
    )


@rules.rule(
    "HYP-01", "critical", summary="Previous reaction to naltrexone",
    why="Prior hypersensitivity to naltrexone is a contraindication.",
    sources=("S1",), basis="label", inputs=("naltrexone_reaction",),
)
def naltrexone_reaction(a: Inputs, as_of: date) -> Finding | None:
    if not a.is_("naltrexone_reaction", "naltrexone"):
        return None
    return Finding(
        "Reports an allergy or bad reaction to naltrexone.", a.evidence("naltrexone_reaction")
    )


@rules.rule(
    "HYP-02", "warning", summary="Reaction to naloxone or nalmefene, or unsure",
    why="Cross-sensitivity is unknown.",
    sources=("S1", "S19"), basis="label, extended by convention", inputs=("naltrexone_reaction",),
)
def related_reaction(a: Inputs, as_of: date) -> Finding | None:
    if not a.is_("naltrexone_reaction", "naloxone_or_nalmefene", "unsure"):
        return None
    return Finding(answered(a, "naltrexone_reaction"), a.evidence("naltrexone_reaction"))
