"""Pregnancy and age (rules.md "Pregnancy and age": PREG-01 to PREG-03, AGE-01, AGE-02)."""

from __future__ import annotations

from datetime import date

from .engine import Finding, Inputs, Registry
from .facts import Notes, age

rules = Registry("eligibility")

ADULT_AGE = 18  # AGE-01: under 18
OLDER_ADULT_AGE = 65  # AGE-02: 65 and over


@rules.rule(
    "PREG-01", "critical", summary="Pregnant",
    why="No adequate human data; trials exclude pregnancy (service policy: obstetric input first).",
    sources=("S15", "S45", "S51"), basis="convention", inputs=("pregnant",),
)
def pregnant(a: Inputs, as_of: date) -> Finding | None:
    if not a.is_("pregnant", "yes"):
        return None
    return Finding("Is pregnant, or could be.", a.evidence("pregnant"))


@rules.rule(
    "PREG-02", "warning", summary="Possibly pregnant, or trying to conceive",
    why="Plan contraception or a pregnancy test first.",
    sources=("S15",), basis="label", inputs=("pregnant", "trying_to_conceive"),
)
def pregnancy_possible(a: Inputs, as_of: date) -> Finding | None:
    notes = Notes(a)
    if a.is_("pregnant", "unsure"):
        notes.answers("pregnant", text="Not sure whether pregnant.")
    if a.is_("trying_to_conceive", "yes"):
        notes.answers("trying_to_conceive", text="Trying to get pregnant.")
    return notes.finding()


@rules.rule(
    "PREG-03", "info", summary="Breastfeeding",
    why="Minimal transfer into milk; individual risk–benefit.",
    sources=("S16", "S17"), basis="label", inputs=("breastfeeding",),
)
def breastfeeding(a: Inputs, as_of: date) -> Finding | None:
    if not a.is_("breastfeeding", "yes"):
        return None
    return Finding("Is breastfeeding.", a.evidence("breastfeeding"))


def _age(a: Inputs, as_of: date) -> int | None:
    born = a.as_date("date_of_birth")
    return age(born, as_of) if born is not None else None


@rules.rule(
    "AGE-01", "critical", summary="Under 18",
    why="Safety and efficacy not established under 18.",
    sources=("S13", "S20"), basis="label", inputs=("date_of_birth",),
)
def under_18(a: Inputs, as_of: date) -> Finding | None:
    years = _age(a, as_of)
    if years is None or years >= ADULT_AGE:
        return None
    return Finding(f"Aged {years} on {as_of}.", a.evidence("date_of_birth"))


@rules.rule(
    "AGE-02", "info", summary="Aged 65 or over",
    why="Limited data in older adults.",
    sources=("S20",), basis="label", inputs=("date_of_birth",),
)
def aged_65_or_over(a: Inputs, as_of: date) -> Finding | None:
    years = _age(a, as_of)
    if years is None or years < OLDER_ADULT_AGE:
        return None
    return Finding(f"Aged {years} on {as_of}.", a.evidence("date_of_birth"))
