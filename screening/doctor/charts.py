"""The symptom baseline as a small server-rendered SVG bar chart (no JavaScript).

Bars carry their value as text too, so the chart reads in print, in black and white
and to a screen reader (the SVG has a title and the values are listed beside it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from markupsafe import Markup, escape

BAR_HEIGHT = 22
GAP = 8
LABEL_WIDTH = 170
BAR_MAX_WIDTH = 250
SCALE_MAX = 10


def symptom_chart(items: Sequence[tuple[str, str]], answers: Mapping[str, Any]) -> Markup | None:
    """An SVG of the 0–10 symptom ratings that were answered; None if there are none.

    `items` is (question ID, short label) in display order.
    """
    rows = [(label, answers[qid]) for qid, label in items if isinstance(answers.get(qid), int)]
    if not rows:
        return None
    height = len(rows) * (BAR_HEIGHT + GAP)
    width = LABEL_WIDTH + BAR_MAX_WIDTH + 50
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" aria-labelledby="chart-title">',
        '<title id="chart-title">Symptom ratings for the last 7 days, 0 (none) to 10 (worst)</title>',
    ]
    for index, (label, value) in enumerate(rows):
        y = index * (BAR_HEIGHT + GAP)
        bar = round(BAR_MAX_WIDTH * value / SCALE_MAX)
        parts.append(
            f'<text x="0" y="{y + 16}" font-size="14">{escape(label)}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{BAR_MAX_WIDTH}" height="{BAR_HEIGHT}" fill="#f3f2f1"/>'
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{bar}" height="{BAR_HEIGHT}" fill="#1d4f73"/>'
            f'<text x="{LABEL_WIDTH + BAR_MAX_WIDTH + 8}" y="{y + 16}" font-size="14">{value}/10</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every interpolated text is escaped above)
