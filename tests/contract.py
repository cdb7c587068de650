"""Locate the clinical contract: the in-repository copy, docs/clinical/.

`SHARED_CLINICAL` is the team's original (../shared/clinical beside the checkout), which
only exists on the team's machines; tests/test_contract_copy.py keeps the two identical.
"""

from __future__ import annotations

from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
CLINICAL = REPOSITORY / "docs" / "clinical"
SHARED_CLINICAL = REPOSITORY.parent / "shared" / "clinical"
OWN_FILES = frozenset({"README.md"})  # the copy's own README, not part of the contract


def contract_file(name: str) -> Path:
    path = CLINICAL / name
    if not path.exists():
        raise FileNotFoundError(f"the clinical contract {path} is missing from the repository")
    return path
