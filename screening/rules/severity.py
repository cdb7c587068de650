"""Flag severities: their names, their order (most serious first) and what doctors read.

The one definition: the engine sorts by it, the queue ranks and filters by it, the
summary groups and labels by it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Literal

Severity = Literal["critical", "warning", "info"]

SEVERITIES: tuple[Severity, ...] = ("critical", "warning", "info")
SEVERITY_RANK: Mapping[str, int] = {severity: rank for rank, severity in enumerate(SEVERITIES)}
# A submission without flags ranks after every severity (the queue shows it last).
NO_FLAGS = "none"
NO_FLAGS_RANK = len(SEVERITIES)
RANKED: tuple[str, ...] = (*SEVERITIES, NO_FLAGS)  # RANKED[rank] names a queue rank


def most_serious_rank(severities: Iterable[str]) -> int:
    """The queue's rank of a set of flags: its most serious severity's, NO_FLAGS_RANK for none."""
    return min((SEVERITY_RANK[severity] for severity in severities), default=NO_FLAGS_RANK)


SEVERITY_LABELS: Mapping[str, str] = {
    "critical": "Critical: do not start yet",
    "warning": "Warning: review",
    "info": "Note",
}
# The short word on a badge (queue rows, flag cards), for every rank including "none".
RANK_WORDS: Mapping[str, str] = {"critical": "Critical", "warning": "Warning", "info": "Info", NO_FLAGS: "No flags"}
