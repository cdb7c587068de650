"""Re-run today's ruleset on a past submission and say what changed.

The stored evaluation is never touched: the re-evaluation is a new, separately
recorded row, and the diff compares the two flag lists by rule ID.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..evaluations import StoredFlag

Flag = StoredFlag
COMPARED = ("severity", "summary", "rationale", "evidence")


@dataclass(frozen=True)
class FlagChange:
    rule_id: str
    before: Flag
    after: Flag
    fields: tuple[str, ...]


@dataclass(frozen=True)
class FlagDiff:
    added: tuple[Flag, ...]
    removed: tuple[Flag, ...]
    changed: tuple[FlagChange, ...]

    @property
    def unchanged(self) -> bool:
        return not (self.added or self.removed or self.changed)


def diff_flags(before: Sequence[Flag], after: Sequence[Flag]) -> FlagDiff:
    old = {flag.rule_id: flag for flag in before}
    new = {flag.rule_id: flag for flag in after}
    changed = []
    for rule_id in sorted(old.keys() & new.keys()):
        fields = tuple(f for f in COMPARED if getattr(old[rule_id], f) != getattr(new[rule_id], f))
        if fields:
            changed.append(FlagChange(rule_id, old[rule_id], new[rule_id], fields))
    return FlagDiff(
        added=tuple(new[r] for r in sorted(new.keys() - old.keys())),
        removed=tuple(old[r] for r in sorted(old.keys() - new.keys())),
        changed=tuple(changed),
    )
