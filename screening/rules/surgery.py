"""Planned surgery and expected opioid pain relief (rules.md "Opioids", SURG-01/SURG-02).

LDN has to be stopped days before an operation, and opioids given afterwards need a
washout before it restarts, so a start just before surgery is wasted or unsafe.
"""

from __future__ import annotations

from datetime import date

from .engine import Finding, Inputs, Registry
from .facts import Notes

rules = Registry("surgery")

SURGERY_SOON_LAST = 14  # SURG-01: surgery 0 to 14 days after as_of; later is SURG-02's
SURGERY_INPUTS = ("surgery_planned", "surgery_date", "expects_opioid_pain_relief")


def _planned(a: Inputs, as_of: date, until: int) -> str:
    return f"Surgery planned on {a['surgery_date']}, {until} days after {as_of}."


def _days_until(a: Inputs, as_of: date) -> int | None:
    surgery = a.as_date("surgery_date")
    return (surgery - as_of).days if surgery is not None else None


@rules.rule(
    "SURG-01", "warning", summary="Surgery or opioid pain relief expected within 2 weeks",
    why="Defer the start: LDN must be stopped 2–3 days before surgery and opioids need a "
    "washout afterwards.",
    sources=("S34", "S38"), basis="expert opinion", inputs=SURGERY_INPUTS,
)
def surgery_soon(a: Inputs, as_of: date) -> Finding | None:
    notes = Notes(a)
    if a.is_("surgery_planned", "yes"):
        until = _days_until(a, as_of)
        if until is None:
            notes.answers("surgery_planned", text="Surgery is planned; its date is not given.")
        elif 0 <= until <= SURGERY_SOON_LAST:
            notes.answers("surgery_planned", "surgery_date", text=_planned(a, as_of, until))
    if a.is_("expects_opioid_pain_relief", "yes"):
        notes.answers("expects_opioid_pain_relief")
    return notes.finding()


@rules.rule(
    "SURG-02", "info", summary="Surgery later, or possible",
    why="Counsel: stop LDN at least 3 days before, tell the anaesthetist, restart after "
    "opioids stop.",
    sources=("S34", "S38"), basis="expert opinion", inputs=SURGERY_INPUTS,
)
def surgery_later_or_unsure(a: Inputs, as_of: date) -> Finding | None:
    if surgery_soon(a, as_of) is not None:
        return None
    notes = Notes(a)
    until = _days_until(a, as_of)
    # A surgery date before as_of is past: it fires neither rule.
    if a.is_("surgery_planned", "yes") and until is not None and until > SURGERY_SOON_LAST:
        notes.answers("surgery_planned", "surgery_date", text=_planned(a, as_of, until))
    if a.is_("surgery_planned", "unsure"):
        notes.answers("surgery_planned")
    if a.is_("expects_opioid_pain_relief", "unsure"):
        notes.answers("expects_opioid_pain_relief")
    return notes.finding()
