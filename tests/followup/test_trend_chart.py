"""The symptom trend chart (followup.md section 4): a small server-rendered SVG, well formed,
with every value where it belongs, its text escaped, and the meaning in words and shapes
(never colour alone); the planned dose as a step line on its own axis."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal

import pytest

from screening.doctor import trend_chart as tc
from screening.doctor.trend_chart import DoseSegment, TrendPoint, axes, trend_chart
from screening.rules.plan import Plan, dose_schedule

SVG = "{http://www.w3.org/2000/svg}"
DOSES = (DoseSegment(0, 6, Decimal("0.5")), DoseSegment(7, 13, Decimal("1.0")), DoseSegment(14, None, Decimal("1.5")))


def parsed(baseline=None, points=(), doses=DOSES, title="Pain", last_day=None):  # type: ignore[no-untyped-def]
    chart = trend_chart(title, baseline, list(points), list(doses), chart_id="trend-1-1", last_day=last_day)
    return ET.fromstring(str(chart)), chart


def circles(root: ET.Element) -> list[tuple[float, float]]:
    return [(float(c.get("cx", "")), float(c.get("cy", ""))) for c in root.iter(f"{SVG}circle")
            if float(c.get("cy", "0")) > tc.PLOT_TOP - 1]  # not the legend's sample


def texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def test_the_svg_is_well_formed_titled_and_sized_to_print():
    root, _chart = parsed(7, [TrendPoint(7, 5), TrendPoint(14, 4)])
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert (root.get("width"), root.get("height")) == (str(tc.WIDTH), str(tc.HEIGHT))
    assert root.get("aria-labelledby") == "trend-1-1-title trend-1-1-desc"
    assert root.find(f"{SVG}title").text == "Pain"
    assert root.find(f"{SVG}desc").text.startswith("Scores: before LDN 7; day 7 5; day 14 4.")


def test_axes_and_lines_are_named_in_text_not_colour_alone():
    root, _chart = parsed(7, [TrendPoint(7, 5)])
    words = texts(root)
    assert "Before LDN" in words
    assert "Days since the start of LDN" in words
    assert any(word.startswith("Score, 0 (none) to 10 (worst)") for word in words)
    assert "Planned dose: right axis" in words
    assert {"0", "10"} <= set(words) and "1 mg" in words  # both axes numbered
    # The two lines differ by dash, not only by colour: the dose line is dashed, the scores solid.
    dose_line = next(p for p in root.iter(f"{SVG}path"))
    assert dose_line.get("stroke-dasharray")
    assert next(root.iter(f"{SVG}polyline")).get("stroke-dasharray") is None


@pytest.mark.parametrize(("score", "y"), [(0, tc.PLOT_BOTTOM), (10, tc.PLOT_TOP),
                                          (5, (tc.PLOT_TOP + tc.PLOT_BOTTOM) / 2)])
def test_a_score_is_placed_at_its_height(score, y):
    root, _chart = parsed(None, [TrendPoint(14, score)])
    assert circles(root) == [(pytest.approx(axes([TrendPoint(14, score)], DOSES).x(14)), pytest.approx(y))]


@pytest.mark.parametrize(("day", "last_day", "x"), [
    (0, None, tc.DAY0_X),
    (28, None, tc.DAY_RIGHT),  # the axis is at least 4 weeks long: day 28 is its end
    (14, None, (tc.DAY0_X + tc.DAY_RIGHT) / 2),
    (42, 84, (tc.DAY0_X + tc.DAY_RIGHT) / 2),
    (-3, None, tc.DAY0_X),  # sent before the start: drawn at day 0 (the table gives the real day)
])
def test_a_check_in_is_placed_at_its_day(day, last_day, x):
    root, _chart = parsed(None, [TrendPoint(day, 4)], doses=(), last_day=last_day)
    assert circles(root)[0][0] == pytest.approx(x, abs=0.1)


def test_the_baseline_is_a_square_in_the_slot_before_day_0():
    root, _chart = parsed(8, [TrendPoint(7, 6)])
    square = next(root.iter(f"{SVG}rect"))
    assert float(square.get("x", "")) + 4 == pytest.approx(tc.BASELINE_X)
    assert float(square.get("y", "")) + 4 == pytest.approx(tc.Axes.y(8))
    assert tc.BASELINE_X < tc.DAY0_X
    line = next(root.iter(f"{SVG}polyline")).get("points", "").split()
    assert len(line) == 2 and line[0].startswith(f"{tc.BASELINE_X},")  # joined to the first check-in


def test_each_value_is_written_beside_its_point():
    root, _chart = parsed(7, [TrendPoint(7, 5), TrendPoint(14, 10)])
    values = [t.text for t in root.iter(f"{SVG}text") if t.get("font-weight") == "bold"]
    assert values == ["7", "5", "10"]


@pytest.mark.parametrize(("furthest", "last_day", "step"), [
    (10, 28, 7), (28, 28, 7), (50, 56, 14), (84, 84, 14), (100, 112, 28), (365, 392, 56),
])
def test_the_day_axis_reaches_the_last_day_in_whole_ticks(furthest, last_day, step):
    scales = axes([TrendPoint(furthest, 3)], ())
    assert (scales.last_day, scales.day_step) == (last_day, step)


def test_the_dose_line_steps_at_each_change_on_the_right_axis():
    plan = Plan(start_date=date(2026, 12, 1), start_dose_mg=Decimal("1"), step_mg=Decimal("1"), step_days=14,
                target_dose_mg=Decimal("3"))
    doses = [DoseSegment((step.start - plan.start_date).days,
                         None if step.end is None else (step.end - plan.start_date).days, step.dose_mg)
             for step in dose_schedule(plan)]
    root, _chart = parsed(None, [], doses=doses)
    scales = axes([], doses)
    assert scales.dose_max == 3 and "3 mg" in texts(root)
    path = next(root.iter(f"{SVG}path")).get("d", "")
    points = [tuple(float(n) for n in pair.split()) for pair in re.findall(r"[ML]([\d.]+ [\d.]+)", path)]
    expected = []
    for start, end, mg in ((0, 14, 1), (14, 28, 2), (28, scales.last_day, 3)):
        y = scales.y_dose(Decimal(mg))
        expected += [(scales.x(start), y), (scales.x(end), y)]
    assert points == [pytest.approx(point, abs=0.1) for point in expected]
    assert path.count("M") == 1  # one connected line: a vertical step at each change


def test_a_gap_in_the_doses_starts_a_new_line():
    doses = [DoseSegment(0, 13, Decimal("1")), DoseSegment(21, None, Decimal("2"))]
    root, _chart = parsed(None, [], doses=doses)
    assert next(root.iter(f"{SVG}path")).get("d", "").count("M") == 2


def test_text_is_escaped():
    title = 'Pain <script>alert("x")</script> & "more"'
    root, chart = parsed(5, [TrendPoint(7, 3)], title=title)
    assert "<script>" not in str(chart)
    assert root.find(f"{SVG}title").text == title


@pytest.mark.parametrize("chart_id", ["", "Trend", "a b", 'x" onload="y', "1abc"])
def test_an_unsafe_chart_id_is_refused(chart_id):
    with pytest.raises(ValueError):
        trend_chart("Pain", 5, [], [], chart_id=chart_id)


def test_nothing_scored_still_draws_the_axes_and_says_so():
    root, _chart = parsed(None, [], doses=())
    assert "No scores given yet" in texts(root)
    assert circles(root) == [] and list(root.iter(f"{SVG}polyline")) == [] and list(root.iter(f"{SVG}path")) == []
    assert root.find(f"{SVG}desc").text == "Scores: no score before LDN."


@pytest.mark.parametrize(("baseline", "points", "squares", "dots"), [
    (6, [], 1, 0),  # the baseline alone
    (None, [TrendPoint(7, 4)], 0, 1),  # one check-in, no baseline
])
def test_one_point_is_drawn_without_a_line(baseline, points, squares, dots):
    root, _chart = parsed(baseline, points)
    assert len(list(root.iter(f"{SVG}rect"))) == squares
    assert len(circles(root)) == dots
    assert list(root.iter(f"{SVG}polyline")) == []
    assert "No scores given yet" not in texts(root)


def test_the_description_names_the_dose_range():
    assert tc.describe(7, [TrendPoint(7, 5)], DOSES) == (
        "Scores: before LDN 7; day 7 5. Planned dose from 0.5 mg on day 0 to 1.5 mg from day 14.")
    assert tc.describe(None, [], [DoseSegment(0, None, Decimal("4.5"))]) == (
        "Scores: no score before LDN. Planned dose 4.5 mg from day 0.")
