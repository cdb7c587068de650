"""Locate the clinical contract (../shared/clinical beside the repository)."""

from __future__ import annotations

from pathlib import Path

import pytest

CLINICAL = Path(__file__).resolve().parents[1].parent / "shared" / "clinical"


def contract_file(name: str) -> Path:
    path = CLINICAL / name
    if not path.exists():
        pytest.fail(f"the clinical contract {path} is missing: the repository must sit beside shared/")
    return path
