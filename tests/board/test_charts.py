"""Charts: pygal SVG from frozen chart data, many on one page without clashing ids."""

import re
from datetime import date

from board import charts

CHART = {
    "actual": [["2013-01-01", "40"], ["2013-07-01", "120"], ["2014-01-01", None]],
    "line": [["2013-01-01", "40"], ["2016-01-01", "400"]],
}


def test_a_trend_chart_draws_the_actual_series_and_the_target_line_without_script():
    svg = charts.trend_chart(CHART, title="Meetings <per> week")
    assert svg.startswith("<svg") and "<script" not in svg
    assert "Actual" in svg and "Target line" in svg
    assert "Meetings &lt;per&gt; week" in svg  # text is escaped
    assert "stroke-dasharray" in svg  # the target line is dashed (black-and-white print)


def test_two_charts_on_one_page_have_no_id_in_common():
    first = set(re.findall(r'id="([^"]+)"', charts.trend_chart(CHART, title="a")))
    second = set(re.findall(r'id="([^"]+)"', charts.trend_chart(CHART, title="b")))
    assert first and not first & second


def test_the_growth_chart_has_the_trajectory():
    svg = charts.growth_chart(
        [(date(2014, 1, 6), 300), (date(2014, 1, 13), 303)],
        trajectory=[(date(2013, 1, 1), 40.0), (date(2016, 1, 1), 400.0)],
        target=400,
    )
    assert "Trajectory to 400" in svg
