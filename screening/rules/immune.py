"""Immune system rules (rules.md "Immune system": TX-01, TX-02)."""

from __future__ import annotations

from datetime import date

from .engine import Finding, Inputs, Registry
from .facts import Notes, current_entries

rules = Registry("immune")

TRANSPLANT_INPUTS = ("transplant", "medications")


@rules.rule(
    "TX-01", "warning", summary="Transplant recipient or on transplant immunosuppressants",
    why="Traditional LDN caution in transplant recipients (theoretical; co-manage with the "
    "transplant team).",
    sources=("S39",), basis="expert opinion", inputs=TRANSPLANT_INPUTS,
)
def transplant(a: Inputs, as_of: date) -> Finding | None:
    notes = Notes(a)
    if a.is_("transplant", "yes"):
        notes.answers("transplant", text="Has had an organ or bone-marrow transplant.")
    notes.listed("Takes", current_entries(a, "transplant_immunosuppressant"))
    return notes.finding()


@rules.rule(
    "TX-02", "info", summary="Takes medicines that lower the immune system",
    why="Common in LDN's patients; not a contraindication; note.",
    sources=("S39",), basis="convention", inputs=(*TRANSPLANT_INPUTS, "immunosuppressants"),
)
def immunosuppressed(a: Inputs, as_of: date) -> Finding | None:
    if transplant(a, as_of) is not None:
        return None
    notes = Notes(a)
    if a.is_("immunosuppressants", "yes", "unsure"):
        notes.answers("immunosuppressants")
    notes.listed("Takes", current_entries(a, "immunomodulator"))
    return notes.finding()
