"""The board's charts (smartnet.charts) from frozen chart data."""

from datetime import date

from board import charts

CHART = {
    "actual": [["2013-01-01", "40"], ["2013-07-01", "120"], ["2014-01-01", None]],
    "line": [["2013-01-01", "40"], ["2016-01-01", "400"]],
}


def test_a_trend_chart_draws_the_actual_the_planned_line_and_the_target():
    chart = charts.trend_chart(CHART, title="Meetings <per> week")
    svg = str(chart.svg)
    assert svg.startswith("<svg") and "<script" not in svg
    assert "Actual" in svg and "Planned line" in svg and "Target: 400" in svg
    assert "Meetings &lt;per&gt; week" in svg  # text is escaped
    assert 'stroke-dasharray="8 5"' in svg  # the planned line is dashed (black-and-white print)
    assert "120 on 1 Jul 2013" in svg  # the latest known value is labelled


def test_a_percent_objective_reads_in_percent():
    chart = charts.trend_chart(
        {"actual": [["2024-01-01", "33.6"]], "line": [["2024-01-01", "30"], ["2026-01-01", "50"]]},
        title="Peer led",
        unit="percent",
    )
    assert "33.6% on 1 Jan 2024" in str(chart.svg) and "Target: 50%" in str(chart.svg)


def test_the_growth_chart_has_the_trajectory_clipped_to_the_data_and_the_target():
    chart = charts.growth_chart(
        [(date(2014, 1, 6), 300), (date(2014, 1, 13), 303)],
        trajectory=[(date(2013, 1, 1), 40.0), (date(2016, 1, 1), 400.0)],
        target=400,
    )
    svg = str(chart.svg)
    assert "Trajectory to 400" in svg and "Target: 400" in svg
    assert "Jan 2013" not in svg  # the x axis covers the data shown, not the baseline year
    assert chart.summary == "Meetings per week: 303 on 13 January 2014; target 400."
