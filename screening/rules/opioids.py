"""Opioid rules (rules.md "Opioids"): current use, the washout windows after short- and
long-acting opioids, maintenance treatment, history, and the earliest start date.

Products patients rarely count as opioids (depot buprenorphine, kratom, loperamide …)
are in hidden_opioids.py; planned surgery is in surgery.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta

from .engine import Finding, Inputs, Registry
from .facts import (
    LONG_EXPOSURE_INPUTS,
    SHORT_EXPOSURE_INPUTS,
    Exposure,
    Notes,
    answered,
    current_entries,
    days,
    describe,
    entries,
    long_exposures,
    medication_evidence,
    merged_evidence,
    short_exposures,
)

rules = Registry("opioids")

# Days since the last dose (rules.md): the label asks for 7–10 opioid-free days after
# short-acting opioids and warns of precipitated withdrawal for up to 2 weeks after
# methadone or buprenorphine [S2]; the contract extends 2 weeks to all long-acting opioids.
SHORT_BLOCK_UNDER = 7  # OPI-02: days < 7
SHORT_WINDOW_LAST = 10  # OPI-03: 7 ≤ days ≤ 10
LONG_BLOCK_UNDER = 14  # OPI-05: days < 14
RECENT_LAST = 30  # OPI-04, OPI-06 and OPI-16 look back 30 days
SHORT_WASHOUT_DAYS = 11  # earliest start = short last dose + 11 days
LONG_WASHOUT_DAYS = 14  # earliest start = long last dose + 14 days

AGONIST_CLASSES = ("opioid/short", "opioid/long", "opioid/unregulated")
# Every opioid class the patient may have left out of "opioids in the last 30 days"
# (peripheral ones are OPI-11 to OPI-13's; `unknown` entries are MED-01's).
UNDERCOUNTED_CLASSES = ("opioid/short", "opioid/long", "opioid/depot", "opioid/unregulated")


def _when(day: date, as_of: date) -> str:
    return f"{day.isoformat()}, {days(day, as_of)} days before {as_of.isoformat()}"


def _exposure_window(
    exposures: Iterable[Exposure], as_of: date, kind: str, in_window: Callable[[int], bool]
) -> Finding | None:
    hits = [exposure for exposure in exposures if in_window(days(exposure.last_dose, as_of))]
    if not hits:
        return None
    latest = max(exposure.last_dose for exposure in hits)
    return Finding(
        f"Last {kind} opioid dose {_when(latest, as_of)}.",
        merged_evidence(exposure.evidence for exposure in hits),
    )


@rules.rule(
    "OPI-01", "critical", summary="Taking an opioid now",
    why="Naltrexone is contraindicated in anyone receiving opioids; it blocks them and can "
    "precipitate withdrawal.",
    sources=("S1", "S2", "S8"), basis="label", inputs=("opioid_pattern", "medications"), blocks_start=True,
)
def opioid_in_use(a: Inputs, as_of: date) -> Finding | None:
    notes = Notes(a)
    # The question asks how they take it now: `stopped` and `once_or_twice` are past use.
    if a.is_("opioid_pattern", "daily", "most_days", "as_needed"):
        notes.answers("opioid_pattern")
    notes.listed("Current opioid on the medication list", current_entries(a, *AGONIST_CLASSES))
    return notes.finding()


@rules.rule(
    "OPI-02", "critical", summary="Short-acting opioid less than 7 days ago",
    why="The label asks for an opioid-free interval of at least 7–10 days.",
    sources=("S2", "S6"), basis="label", inputs=SHORT_EXPOSURE_INPUTS,
)
def short_opioid_under_7_days(a: Inputs, as_of: date) -> Finding | None:
    return _exposure_window(
        short_exposures(a, as_of), as_of, "short-acting", lambda n: n < SHORT_BLOCK_UNDER
    )


@rules.rule(
    "OPI-03", "warning", summary="Short-acting opioid 7–10 days ago",
    why="Inside the label's 7–10 day window.",
    sources=("S2",), basis="label", inputs=SHORT_EXPOSURE_INPUTS,
)
def short_opioid_7_to_10_days(a: Inputs, as_of: date) -> Finding | None:
    return _exposure_window(
        short_exposures(a, as_of), as_of, "short-acting",
        lambda n: SHORT_BLOCK_UNDER <= n <= SHORT_WINDOW_LAST,
    )


@rules.rule(
    "OPI-04", "info", summary="Short-acting opioid 11–30 days ago",
    why="Recent opioid exposure, outside the window.",
    sources=("S2",), basis="convention", inputs=SHORT_EXPOSURE_INPUTS,
)
def short_opioid_11_to_30_days(a: Inputs, as_of: date) -> Finding | None:
    return _exposure_window(
        short_exposures(a, as_of), as_of, "short-acting",
        lambda n: SHORT_WINDOW_LAST < n <= RECENT_LAST,
    )


@rules.rule(
    "OPI-05", "critical", summary="Long-acting opioid less than 14 days ago",
    why="After methadone or buprenorphine, withdrawal can be precipitated for as long as "
    "2 weeks (extended to all long-acting opioids).",
    sources=("S2",), basis="label, extended by convention", inputs=LONG_EXPOSURE_INPUTS,
)
def long_opioid_under_14_days(a: Inputs, as_of: date) -> Finding | None:
    return _exposure_window(
        long_exposures(a, as_of), as_of, "long-acting", lambda n: n < LONG_BLOCK_UNDER
    )


@rules.rule(
    "OPI-06", "warning", summary="Long-acting opioid 14–30 days ago",
    why="Near the end of the 2-week vulnerability window.",
    sources=("S2",), basis="label, extended by convention", inputs=LONG_EXPOSURE_INPUTS,
)
def long_opioid_14_to_30_days(a: Inputs, as_of: date) -> Finding | None:
    return _exposure_window(
        long_exposures(a, as_of), as_of, "long-acting",
        lambda n: LONG_BLOCK_UNDER <= n <= RECENT_LAST,
    )


@rules.rule(
    "OPI-07", "critical", summary="On methadone or buprenorphine treatment now",
    why="Contraindicated in patients maintained on methadone or buprenorphine.",
    sources=("S1", "S3"), basis="label", inputs=("opioid_treatment",), blocks_start=True,
)
def maintenance_treatment_now(a: Inputs, as_of: date) -> Finding | None:
    if not a.is_("opioid_treatment", "current"):
        return None
    return Finding(
        "Currently treated with methadone or buprenorphine.", a.evidence("opioid_treatment")
    )


@rules.rule(
    "OPI-14", "warning", summary="Opioid use disorder, illicit opioids or past treatment",
    why="Overdose risk if opioids are resumed; counsel, discuss naloxone, consider a urine test.",
    sources=("S3", "S85"), basis="convention", inputs=("opioid_use_disorder", "illicit_opioid_12m", "opioid_treatment"),
)
def opioid_use_history(a: Inputs, as_of: date) -> Finding | None:
    notes = Notes(a)
    if a.is_("opioid_use_disorder", "yes"):
        notes.answers("opioid_use_disorder")
    if a.is_("illicit_opioid_12m", "yes"):
        notes.answers("illicit_opioid_12m")
    if a.is_("opioid_treatment", "past"):
        notes.answers("opioid_treatment")
    return notes.finding()


@rules.rule(
    "OPI-15", "warning", summary="Date of the last opioid dose unknown",
    why="Date of last opioid unknown: treat as recent until confirmed.",
    sources=("S1",), basis="convention", inputs=("opioid_recent", "opioid_last_dose", "medications"),
)
def opioid_date_unknown(a: Inputs, as_of: date) -> Finding | None:
    notes = Notes(a)
    if a.is_("opioid_recent", "yes", "unsure") and "opioid_last_dose" not in a:
        notes.answers("opioid_recent", text=f"{answered(a, 'opioid_recent')} No date of the last dose.")
    notes.listed(
        "Stopped opioid with no date last taken",
        [e for e in entries(a, *UNDERCOUNTED_CLASSES) if e.stopped and e.last_taken is None],
    )
    return notes.finding()


@rules.rule(
    "OPI-16", "warning", summary="Says no recent opioids, but lists one",
    why="The answers disagree: opioids hide in combination products.",
    sources=("S69", "S70"), basis="convention", inputs=("opioid_recent", "medications"),
)
def opioid_answers_disagree(a: Inputs, as_of: date) -> Finding | None:
    if not a.is_("opioid_recent", "no"):
        return None
    listed = [
        entry for entry in entries(a, *UNDERCOUNTED_CLASSES)
        if entry.current or (entry.last_taken and days(entry.last_taken, as_of) <= RECENT_LAST)
    ]
    if not listed:
        return None
    return Finding(
        f"Answered no opioid in the last 30 days, but lists {describe(listed)}.",
        {**a.evidence("opioid_recent"), **medication_evidence(listed)},
    )


@rules.rule(
    "OPI-18", "critical", summary="Opioid withdrawal symptoms now",
    why="Naltrexone is contraindicated in acute opioid withdrawal.",
    sources=("S1",), basis="label", inputs=("opioid_withdrawal_now",),
)
def withdrawal_now(a: Inputs, as_of: date) -> Finding | None:
    if not a.is_("opioid_withdrawal_now", "yes"):
        return None
    said = "Reports withdrawal symptoms since the last opioid dose."
    return Finding(said, a.evidence("opioid_withdrawal_now"))


EARLIEST_START_INPUTS = tuple(dict.fromkeys(SHORT_EXPOSURE_INPUTS + LONG_EXPOSURE_INPUTS))


def earliest_start(a: Inputs, as_of: date) -> date | None:
    """The latest of (short last dose + 11 days) and (long last dose + 14 days), or None
    when no exposure is dated. Reported as computed, even before `as_of`."""
    short = timedelta(days=SHORT_WASHOUT_DAYS)
    long = timedelta(days=LONG_WASHOUT_DAYS)
    candidates = [e.last_dose + short for e in short_exposures(a, as_of)]
    candidates += [e.last_dose + long for e in long_exposures(a, as_of)]
    return max(candidates, default=None)
