"""docs/rules.md is exactly what `python -m screening.rules.docs` generates."""

from __future__ import annotations

from screening.rules.docs import DOCS_PATH, render


def test_the_committed_rules_page_is_current() -> None:
    assert DOCS_PATH.exists(), "run: python -m screening.rules.docs"
    assert DOCS_PATH.read_text(encoding="utf-8") == render(), "run: python -m screening.rules.docs"
