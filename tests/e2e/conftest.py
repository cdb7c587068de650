"""Fixtures for the browser tests: one Chromium for the session, one server per journey mode."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from .live import chromium_missing_reason

MISSING = chromium_missing_reason()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if MISSING:
        pytest.skip(MISSING)
    from .live import chromium

    with chromium() as launched:
        yield launched
