"""Locate the clinical contract: the in-repository copy, docs/clinical/.

`SHARED_CLINICAL` is the team's original (../shared/clinical beside the checkout), which
only exists on the team's machines; tests/test_contract_copy.py keeps the two identical.
"""

from __future__ import annotations

from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
CLINICAL = REPOSITORY / "docs" / "clinical"
SHARED_CLINICAL = REPOSITORY.parent / "shared" / "clinical"
# The copy's own files, not part of the contract: its README, and the SHA-256 of each
# contract file as copied, so a clone without ../shared still proves its copy is intact.
CHECKSUMS = "SHA256SUMS"
OWN_FILES = frozenset({"README.md", CHECKSUMS})


def contract_file(name: str) -> Path:
    path = CLINICAL / name
    if not path.exists():
        raise FileNotFoundError(f"the clinical contract {path} is missing from the repository")
    return path
