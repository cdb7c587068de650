"""The earliest start date and the opioid block (rules.md "Earliest start date"): the
latest of short last dose + 11 days and long last dose + 14 days, reported even before
as_of; null without a dated exposure; null with opioid_block when OPI-01/07/08/09 fire."""

from __future__ import annotations

from typing import Any

import pytest

from screening.rules import evaluate
from screening.rules.cases import base_answers

RECENT = {"opioid_recent": "yes", "opioid_pattern": "stopped", "opioid_withdrawal_now": "no"}
TREATED = {"opioid_treatment": "past", "depot_buprenorphine_12m": "no"}
MEDS = {"takes_medications": "yes"}


def entry(name: str, how_often: str, last_taken: str | None) -> dict[str, Any]:
    return {"name": name, "how_often": how_often, "last_taken": last_taken}


SHORT_9_DAYS = {**RECENT, "opioid_last_dose": "2026-11-22"}
LONG_11_DAYS = {**TREATED, "opioid_treatment_last_dose": "2026-11-20"}

# as_of is the base's, 2026-12-01.
TABLE = [
    ("no opioid exposure", {}, None, False),
    ("short dose 9 days ago: +11 days", SHORT_9_DAYS, "2026-12-03", False),
    ("short dose 20 days ago: reported though before as_of",
     {**RECENT, "opioid_last_dose": "2026-11-11"}, "2026-11-22", False),
    ("long dose 11 days ago: +14 days", LONG_11_DAYS, "2026-12-04", False),
    ("the later of a short and a long exposure",
     {**SHORT_9_DAYS, **LONG_11_DAYS}, "2026-12-04", False),
    ("a stopped codeine entry counts as short",
     {**MEDS, "medications": [entry("co-codamol 30/500", "stopped", "2026-11-25")]},
     "2026-12-06", False),
    ("a stopped methadone entry counts as long",
     {**MEDS, "medications": [entry("methadone", "stopped", "2026-11-25")]}, "2026-12-09", False),
    ("an undated stopped entry dates nothing",
     {**MEDS, "medications": [entry("co-codamol 30/500", "stopped", None)]}, None, False),
    ("loperamide is not a washout exposure",
     {**MEDS, "medications": [entry("Imodium", "stopped", "2026-11-30")]}, None, False),
    ("current opioid use (OPI-01) blocks",
     {**MEDS, "medications": [entry("Tylenol #3", "as_needed", "2026-11-28")]}, None, True),
    ("maintenance treatment (OPI-07) blocks",
     {**TREATED, "opioid_treatment": "current", "opioid_treatment_last_dose": "2026-11-30"},
     None, True),
    ("depot buprenorphine (OPI-08) blocks",
     {**LONG_11_DAYS, "depot_buprenorphine_12m": "yes"}, None, True),
    ("recent kratom (OPI-09) blocks",
     {"kratom_tianeptine": "within_14_days", "kratom_tianeptine_daily_12m": "no"}, None, True),
    ("withdrawal now (OPI-18, critical) does not block the date",
     {**SHORT_9_DAYS, "opioid_withdrawal_now": "yes"}, "2026-12-03", False),
]


@pytest.mark.parametrize(("overrides", "earliest_start", "opioid_block"),
                         [row[1:] for row in TABLE], ids=[row[0] for row in TABLE])
def test_earliest_start(
    overrides: dict[str, Any], earliest_start: str | None, opioid_block: bool
) -> None:
    answers, as_of = base_answers()
    result = evaluate({**answers, **overrides}, as_of).to_json()
    assert (result["earliest_start"], result["opioid_block"]) == (earliest_start, opioid_block)
