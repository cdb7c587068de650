"""Kidney rules (rules.md "Kidney": REN-01, REN-02)."""

from __future__ import annotations

from datetime import date

from .engine import Finding, Inputs, Registry
from .facts import answered

rules = Registry("kidney")


@rules.rule(
    "REN-01", "warning", summary="Severe kidney disease or dialysis",
    why="Naltrexone metabolites are cleared by the kidneys; data are lacking; the UK "
    "contraindicates severe kidney disease.",
    sources=("S14", "S13", "S20"), basis="label", inputs=("kidney_disease",),
)
def severe_kidney_disease(a: Inputs, as_of: date) -> Finding | None:
    if not a.is_("kidney_disease", "severe", "dialysis"):
        return None
    return Finding(answered(a, "kidney_disease"), a.evidence("kidney_disease"))


@rules.rule(
    "REN-02", "info", summary="Mild or moderate kidney disease, or unsure",
    why="Note kidney function.",
    sources=("S14",), basis="convention", inputs=("kidney_disease",),
)
def other_kidney_disease(a: Inputs, as_of: date) -> Finding | None:
    if not a.is_("kidney_disease", "mild_or_moderate", "unsure"):
        return None
    return Finding(answered(a, "kidney_disease"), a.evidence("kidney_disease"))
