"""One symptom's trend as a small server-rendered SVG line chart (no JavaScript).

x is the day since the plan's start (day 0 = the first dose); the screening's score, taken
before LDN, sits in its own slot left of day 0, labelled "Before LDN". y is the 0–10 score,
the points joined by a solid line, each with its value written beside it. The planned dose
is a dashed step line read on a second axis (mg, on the right). Meaning never rests on
colour alone: the two lines differ by dash and marker, the axes and the legend are text,
and the same values are listed in a table beside the chart (built by the view-model, not
here), so the chart reads in print, in black and white and to a screen reader.

Pure: the caller passes the numbers; every text that comes from outside is escaped.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from markupsafe import Markup, escape

# A fixed small size: printed 11 cm wide (app.css), its 12-unit text is about 7 pt.
WIDTH = 520
HEIGHT = 230
MARGIN_LEFT = 40  # the score axis's numbers
MARGIN_RIGHT = 44  # the dose axis's numbers
MARGIN_TOP = 30  # the legend, which names both axes
MARGIN_BOTTOM = 44  # the day numbers and the x axis's title
BASELINE_SLOT = 80  # the "Before LDN" slot, left of day 0
SCORE_MAX = 10
SCORE_TICKS = (0, 2, 4, 6, 8, 10)
DAY_STEPS = (7, 14, 28, 56, 91, 182)  # tick spacing: the first that gives at most 7 intervals
MAX_DAY_INTERVALS = 7
MIN_DAYS = 28  # the axis is never shorter than 4 weeks

PLOT_TOP = MARGIN_TOP
PLOT_BOTTOM = HEIGHT - MARGIN_BOTTOM
PLOT_LEFT = MARGIN_LEFT
PLOT_RIGHT = WIDTH - MARGIN_RIGHT
BASELINE_X = PLOT_LEFT + BASELINE_SLOT // 2
DAY0_X = PLOT_LEFT + BASELINE_SLOT
DAY_RIGHT = PLOT_RIGHT - 8

TEXT = "#0b0c0c"
MUTED = "#484949"
GRID = "#b1b4b6"
DOSE = "#1d4f73"

_CHART_ID = re.compile(r"[a-z][a-z0-9-]{0,40}")


@dataclass(frozen=True)
class TrendPoint:
    """A check-in's score for this symptom, on its day since the plan's start."""

    day: int
    score: int


@dataclass(frozen=True)
class DoseSegment:
    """A planned dose held from `start_day` to `end_day` (both inclusive; None: onwards)."""

    start_day: int
    end_day: int | None
    dose_mg: Decimal


@dataclass(frozen=True)
class Axes:
    """The scales of one chart: what the numbers become in pixels."""

    last_day: int
    day_step: int
    dose_max: int  # whole mg at the top of the dose axis

    def x(self, day: int) -> float:
        day = min(max(day, 0), self.last_day)
        return DAY0_X + (DAY_RIGHT - DAY0_X) * day / self.last_day

    @staticmethod
    def y(score: float) -> float:
        return PLOT_BOTTOM - (PLOT_BOTTOM - PLOT_TOP) * score / SCORE_MAX

    def y_dose(self, dose_mg: Decimal) -> float:
        return PLOT_BOTTOM - (PLOT_BOTTOM - PLOT_TOP) * float(dose_mg) / self.dose_max


def axes(points: Sequence[TrendPoint], doses: Sequence[DoseSegment], last_day: int | None = None) -> Axes:
    """The day axis reaches the last point, the last dose change and `last_day`, at least
    MIN_DAYS, rounded up to a whole tick; the dose axis reaches the highest dose in whole mg."""
    furthest = max([MIN_DAYS, last_day or 0, *(p.day for p in points),
                    *(s.start_day + 1 for s in doses), *(s.end_day + 1 for s in doses if s.end_day is not None)])
    step = next((s for s in DAY_STEPS if furthest / s <= MAX_DAY_INTERVALS), DAY_STEPS[-1])
    top_dose = max((s.dose_mg for s in doses), default=Decimal(1))
    return Axes(last_day=step * math.ceil(furthest / step), day_step=step,
                dose_max=max(1, math.ceil(top_dose)))


def _n(value: float) -> str:
    """A coordinate as short as it can be written."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _mg(value: Decimal | int) -> str:
    return f"{Decimal(value).normalize():f}"


def _text(x: float, y: float, words: str, anchor: str = "middle", size: int = 12, fill: str = TEXT,
          extra: str = "") -> str:
    return (f'<text x="{_n(x)}" y="{_n(y)}" font-size="{size}" text-anchor="{anchor}" fill="{fill}"{extra}>'
            f"{escape(words)}</text>")


def _frame(scales: Axes) -> list[str]:
    """Grid, both y axes, the day axis with its ticks, and the "Before LDN" slot."""
    parts = []
    for score in SCORE_TICKS:
        y = scales.y(score)
        dash = "" if score == 0 else ' stroke-dasharray="2 3"'
        parts.append(f'<line x1="{PLOT_LEFT}" y1="{_n(y)}" x2="{PLOT_RIGHT}" y2="{_n(y)}" stroke="{GRID}"'
                     f' stroke-width="1"{dash}/>')
        parts.append(_text(PLOT_LEFT - 6, y + 4, str(score), anchor="end"))
    for mg in range(scales.dose_max + 1):
        y = scales.y_dose(Decimal(mg))
        parts.append(f'<line x1="{PLOT_RIGHT}" y1="{_n(y)}" x2="{PLOT_RIGHT + 4}" y2="{_n(y)}" stroke="{DOSE}"/>')
        parts.append(_text(PLOT_RIGHT + 6, y + 4, f"{mg} mg", anchor="start", size=11, fill=DOSE))
    parts.append(f'<line x1="{PLOT_LEFT}" y1="{PLOT_TOP}" x2="{PLOT_LEFT}" y2="{PLOT_BOTTOM}" stroke="{TEXT}"/>')
    parts.append(f'<line x1="{PLOT_RIGHT}" y1="{PLOT_TOP}" x2="{PLOT_RIGHT}" y2="{PLOT_BOTTOM}" stroke="{DOSE}"/>')
    # Day 0 starts the treatment: a line marks it, the slot before it holds the baseline.
    parts.append(f'<line x1="{DAY0_X}" y1="{PLOT_TOP}" x2="{DAY0_X}" y2="{PLOT_BOTTOM}" stroke="{MUTED}"'
                 f' stroke-dasharray="1 2"/>')
    for day in range(0, scales.last_day + 1, scales.day_step):
        x = scales.x(day)
        parts.append(f'<line x1="{_n(x)}" y1="{PLOT_BOTTOM}" x2="{_n(x)}" y2="{PLOT_BOTTOM + 4}" stroke="{TEXT}"/>')
        parts.append(_text(x, PLOT_BOTTOM + 16, str(day)))
    parts.append(_text(BASELINE_X, PLOT_BOTTOM + 16, "Before LDN", size=11))
    parts.append(_text((DAY0_X + DAY_RIGHT) / 2, HEIGHT - 8, "Days since the start of LDN"))
    return parts


def _legend() -> list[str]:
    """Names both lines and both axes, with a sample of each line (dash and marker, not colour)."""
    y = 14
    return [
        f'<line x1="{PLOT_LEFT}" y1="{y - 4}" x2="{PLOT_LEFT + 22}" y2="{y - 4}" stroke="{TEXT}" stroke-width="2"/>',
        f'<circle cx="{PLOT_LEFT + 11}" cy="{y - 4}" r="3.5" fill="{TEXT}"/>',
        _text(PLOT_LEFT + 28, y, "Score, 0 (none) to 10 (worst): left axis", anchor="start"),
        f'<line x1="{PLOT_RIGHT - 150}" y1="{y - 4}" x2="{PLOT_RIGHT - 128}" y2="{y - 4}" stroke="{DOSE}"'
        ' stroke-width="2" stroke-dasharray="6 3"/>',
        _text(PLOT_RIGHT - 122, y, "Planned dose: right axis", anchor="start", fill=DOSE),
    ]


def _dose_line(scales: Axes, doses: Sequence[DoseSegment]) -> list[str]:
    """The planned dose as steps: level while a dose is held, a vertical step at each change."""
    path: list[str] = []
    previous_end: int | None = None
    for segment in sorted(doses, key=lambda s: s.start_day):
        end = scales.last_day if segment.end_day is None else min(segment.end_day + 1, scales.last_day)
        start = max(segment.start_day, 0)
        if end <= start:
            continue
        y = _n(scales.y_dose(segment.dose_mg))
        command = "L" if path and previous_end == start else "M"
        path.append(f"{command}{_n(scales.x(start))} {y} L{_n(scales.x(end))} {y}")
        previous_end = end
    if not path:
        return []
    return [f'<path d="{" ".join(path)}" fill="none" stroke="{DOSE}" stroke-width="2" stroke-dasharray="6 3"/>']


def _scores(scales: Axes, baseline: int | None, points: Sequence[TrendPoint]) -> list[str]:
    """The baseline (a square) and each check-in (a dot), joined, each with its value."""
    placed = [(float(BASELINE_X), scales.y(baseline), baseline, True)] if baseline is not None else []
    placed += [(scales.x(p.day), scales.y(p.score), p.score, False) for p in sorted(points, key=lambda p: p.day)]
    parts = []
    if len(placed) > 1:
        line = " ".join(f"{_n(x)},{_n(y)}" for x, y, _s, _b in placed)
        parts.append(f'<polyline points="{line}" fill="none" stroke="{TEXT}" stroke-width="2"/>')
    for x, y, score, is_baseline in placed:
        if is_baseline:
            parts.append(f'<rect x="{_n(x - 4)}" y="{_n(y - 4)}" width="8" height="8" fill="{TEXT}"/>')
        else:
            parts.append(f'<circle cx="{_n(x)}" cy="{_n(y)}" r="4" fill="{TEXT}"/>')
        # The value above the point; below it at the top of the scale, where there is no room.
        label_y = y + 17 if score >= SCORE_MAX - 1 else y - 8
        # A white outline keeps the number legible where it crosses a line.
        parts.append(_text(x, label_y, str(score), size=13,
                           extra=' font-weight="bold" stroke="#fff" stroke-width="3" paint-order="stroke"'))
    if not placed:
        parts.append(_text((DAY0_X + DAY_RIGHT) / 2, scales.y(5), "No scores given yet", fill=MUTED))
    return parts


def describe(baseline: int | None, points: Sequence[TrendPoint], doses: Sequence[DoseSegment]) -> str:
    """The chart in one sentence (its <desc>): every score, and where the planned dose goes."""
    said = [f"before LDN {baseline}"] if baseline is not None else ["no score before LDN"]
    said += [f"day {p.day} {p.score}" for p in sorted(points, key=lambda p: p.day)]
    text = "Scores: " + "; ".join(said) + "."
    ordered = sorted(doses, key=lambda s: s.start_day)
    if ordered:
        first, last = ordered[0], ordered[-1]
        if first is last:
            text += f" Planned dose {_mg(first.dose_mg)} mg from day {max(first.start_day, 0)}."
        else:
            text += (f" Planned dose from {_mg(first.dose_mg)} mg on day {max(first.start_day, 0)}"
                     f" to {_mg(last.dose_mg)} mg from day {last.start_day}.")
    return text


def trend_chart(
    title: str, baseline: int | None, points: Sequence[TrendPoint], doses: Sequence[DoseSegment], *,
    chart_id: str, last_day: int | None = None,
) -> Markup:
    """The SVG for one symptom: `title` names it (its <title>), `baseline` is the screening's
    score (None: not given), `points` the check-ins' scores by day since the start, `doses`
    the planned dose in steps. `chart_id` (lower-case letters, digits, hyphens) must be
    unique on the page: it links the SVG to its title and description."""
    if not _CHART_ID.fullmatch(chart_id):
        raise ValueError(f"chart_id must be lower-case letters, digits and hyphens, not {chart_id!r}")
    scales = axes(points, doses, last_day)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart--trend" role="img" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" font-family="DejaVu Sans, Arial, sans-serif">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(describe(baseline, points, doses))}</desc>',
        *_legend(),
        *_frame(scales),
        *_dose_line(scales, doses),
        *_scores(scales, baseline, points),
        "</svg>",
    ]
    return Markup("".join(parts))  # noqa: S704 (every interpolated text is escaped or a number)
