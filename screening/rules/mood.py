"""Mood rules (rules.md "Mood": PSY-01 to PSY-03), from the PHQ-9, GAD-2 and the question
about past suicide attempts. PSY-01 makes the whole submission urgent."""

from __future__ import annotations

from datetime import date

from .engine import Finding, Inputs, Registry
from .facts import GAD2_ITEMS, PHQ2_ITEMS, PHQ9_ITEMS, Notes, item_sum

rules = Registry("mood")

SELF_HARM_AT_LEAST = 1  # PSY-01: any answer above "not at all" to PHQ-9 item 9
PHQ9_SEVERE_AT_LEAST = 15  # PSY-02: moderately severe depression or worse
PHQ9_MODERATE = (10, 14)  # PSY-03: moderate depression, inclusive
PHQ2_POSITIVE_AT_LEAST = 3  # PSY-03
GAD2_POSITIVE_AT_LEAST = 3  # PSY-03


@rules.rule(
    "PSY-01", "critical", summary="Thoughts of self-harm: needs a same-day response",
    why="Thoughts of self-harm need a same-day response; suicidality is reported with naltrexone.",
    sources=("S18", "S13", "S45"), basis="label", inputs=("phq9_self_harm",), urgent=True,
)
def self_harm_thoughts(a: Inputs, as_of: date) -> Finding | None:
    if a.get("phq9_self_harm", 0) < SELF_HARM_AT_LEAST:
        return None
    return Finding(
        f"PHQ-9 item 9 (better off dead or self-harm thoughts) = {a['phq9_self_harm']}.",
        a.evidence("phq9_self_harm"),
    )


@rules.rule(
    "PSY-02", "warning", summary="Past suicide attempt, or PHQ-9 of 15 or more",
    why="Label suicidality warning; LDN trials excluded prior attempts.",
    sources=("S18", "S45"), basis="convention", inputs=("suicide_attempt_history", *PHQ9_ITEMS),
)
def severe_depression_or_attempt(a: Inputs, as_of: date) -> Finding | None:
    notes = Notes(a)
    if a.is_("suicide_attempt_history", "yes"):
        notes.answers("suicide_attempt_history", text="Has tried to end their life in the past.")
    if (phq9 := item_sum(a, PHQ9_ITEMS)) >= PHQ9_SEVERE_AT_LEAST:
        notes.answers(*PHQ9_ITEMS, text=f"PHQ-9 score {phq9}.")
    return notes.finding()


@rules.rule(
    "PSY-03", "info", summary="Low mood or anxiety to monitor",
    why="Baseline mood and anxiety to monitor.",
    sources=("S77",), basis="convention", inputs=(*PHQ9_ITEMS, *GAD2_ITEMS),
)
def mood_to_monitor(a: Inputs, as_of: date) -> Finding | None:
    notes = Notes(a)
    if (phq2 := item_sum(a, PHQ2_ITEMS)) >= PHQ2_POSITIVE_AT_LEAST:
        notes.answers(*PHQ2_ITEMS, text=f"PHQ-2 score {phq2}.")
    low, high = PHQ9_MODERATE
    if low <= (phq9 := item_sum(a, PHQ9_ITEMS)) <= high:
        notes.answers(*PHQ9_ITEMS, text=f"PHQ-9 score {phq9}.")
    if (gad2 := item_sum(a, GAD2_ITEMS)) >= GAD2_POSITIVE_AT_LEAST:
        notes.answers(*GAD2_ITEMS, text=f"GAD-2 score {gad2}.")
    return notes.finding()
