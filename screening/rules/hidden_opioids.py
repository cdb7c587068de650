"""Opioids patients rarely count as opioids (rules.md "Opioids", OPI-08 to OPI-13 and
OPI-17): depot buprenorphine, kratom and tianeptine, loperamide and other opioid
antidiarrheals, and products that imply opioid use (naloxone kits …).

These classes are neither short nor long exposures: they have their own windows here
and do not move the earliest start date.
"""

from __future__ import annotations

from datetime import date

from .engine import Finding, Inputs, Registry
from .facts import Notes, answered, days, describe, entries, medication_evidence

rules = Registry("hidden_opioids")

DEPOT_LOOKBACK_DAYS = 365  # OPI-08: a depot dose in the last year (it persists for months)
UNREGULATED_BLOCK_UNDER = 14  # OPI-09: kratom/tianeptine less than 14 days ago
PERIPHERAL_RECENT_LAST = 14  # OPI-13: an opioid antidiarrheal in the last 14 days
LOPERAMIDE = "loperamide"  # the ingredient OPI-11/OPI-12 own, left out of OPI-13
# OPI-13's ingredients: an entry naming one of these fires it even beside loperamide
# ("Imodium and Lomotil"), so a loperamide co-product cannot hide it.
OTHER_PERIPHERAL_OPIOIDS = ("diphenoxylate", "difenoxin", "eluxadoline")


@rules.rule(
    "OPI-08", "critical", summary="Depot buprenorphine in the last 12 months",
    why="Depot buprenorphine persists for months; a specialist must decide.",
    sources=("S64",), basis="convention", inputs=("depot_buprenorphine_12m", "medications"), blocks_start=True,
)
def depot_buprenorphine(a: Inputs, as_of: date) -> Finding | None:
    notes = Notes(a)
    if a.is_("depot_buprenorphine_12m", "yes", "unsure"):
        notes.answers("depot_buprenorphine_12m")
    notes.listed("Depot buprenorphine on the medication list", [
        entry for entry in entries(a, "opioid/depot")
        if (last := entry.last_dose(as_of)) is None or days(last, as_of) <= DEPOT_LOOKBACK_DAYS
    ])
    return notes.finding()


@rules.rule(
    "OPI-09", "critical", summary="Kratom or tianeptine in the last 14 days",
    why="Kratom and tianeptine are µ-opioid agonists; withdrawal has been precipitated by "
    "naltrexone and routine urine tests miss them.",
    sources=("S60", "S61"), basis="convention", inputs=("kratom_tianeptine", "medications"), blocks_start=True,
)
def kratom_or_tianeptine_recent(a: Inputs, as_of: date) -> Finding | None:
    notes = Notes(a)
    if a.is_("kratom_tianeptine", "within_14_days"):
        notes.answers("kratom_tianeptine")
    notes.listed("On the medication list", [
        entry for entry in entries(a, "opioid/unregulated")
        if entry.current
        or (entry.last_taken and days(entry.last_taken, as_of) < UNREGULATED_BLOCK_UNDER)
    ])
    return notes.finding()


@rules.rule(
    "OPI-10", "warning", summary="Kratom or tianeptine 15–90 days ago, or most days this year",
    why="Possible dependence; not detectable by routine screens.",
    sources=("S60", "S61"), basis="convention", inputs=("kratom_tianeptine", "kratom_tianeptine_daily_12m"),
)
def kratom_or_tianeptine_dependence(a: Inputs, as_of: date) -> Finding | None:
    notes = Notes(a)
    if a.is_("kratom_tianeptine", "15_to_90_days"):
        notes.answers("kratom_tianeptine")
    if a.is_("kratom_tianeptine_daily_12m", "yes"):
        notes.answers("kratom_tianeptine_daily_12m")
    return notes.finding()


@rules.rule(
    "OPI-11", "info", summary="Occasional loperamide (Imodium)",
    why="Loperamide is a peripheral µ-agonist; at labelled doses, note only.",
    sources=("S62",), basis="convention", inputs=("loperamide_use",),
)
def loperamide_occasionally(a: Inputs, as_of: date) -> Finding | None:
    if not a.is_("loperamide_use", "occasionally"):
        return None
    return Finding(answered(a, "loperamide_use"), a.evidence("loperamide_use"))


@rules.rule(
    "OPI-12", "warning", summary="Loperamide (Imodium) most days or at high dose",
    why="High-dose loperamide acts centrally; antagonists have precipitated withdrawal in "
    "loperamide users.",
    sources=("S62", "S59"), basis="convention", inputs=("loperamide_use", "medications"),
)
def loperamide_regularly(a: Inputs, as_of: date) -> Finding | None:
    notes = Notes(a)
    if a.is_("loperamide_use", "most_days", "more_than_8_a_day"):
        notes.answers("loperamide_use")
    notes.listed(
        "Takes loperamide daily",
        [entry for entry in a.meds if entry.daily and entry.contains(LOPERAMIDE)],
    )
    return notes.finding()


@rules.rule(
    "OPI-13", "warning", summary="Opioid antidiarrheal (not loperamide) now or in the last 14 days",
    why="Opioid antidiarrheals are blocked by naltrexone; some reach the brain.",
    sources=("S8", "S63"), basis="convention", inputs=("medications",),
)
def other_peripheral_opioid(a: Inputs, as_of: date) -> Finding | None:
    recent = [
        entry for entry in entries(a, "opioid/peripheral")
        if any(entry.contains(ingredient) for ingredient in OTHER_PERIPHERAL_OPIOIDS)
        and (entry.current
             or (entry.last_taken and days(entry.last_taken, as_of) <= PERIPHERAL_RECENT_LAST))
    ]
    if not recent:
        return None
    return Finding(f"On the medication list: {describe(recent)}.", medication_evidence(recent))


@rules.rule(
    "OPI-17", "info", summary="A product that implies opioid use (naloxone kit …)",
    why="Implies opioid use or exposure; ask explicitly.",
    sources=("S8",), basis="convention", inputs=("medications",),
)
def opioid_signal(a: Inputs, as_of: date) -> Finding | None:
    signals = entries(a, "opioid_signal")
    if not signals:
        return None
    return Finding(f"On the medication list: {describe(signals)}.", medication_evidence(signals))
