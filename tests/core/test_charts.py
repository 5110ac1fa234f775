"""The one chart module: SVG that parses, says what it shows, and passes the CSP."""

import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from decimal import Decimal

from smartnet import charts

NS = {"svg": "http://www.w3.org/2000/svg"}
WEEKS = [(date(2024, 1, 1) + timedelta(weeks=n), 300 + n) for n in range(60)]


def parse(chart: charts.Chart) -> ET.Element:
    return ET.fromstring(str(chart.svg))  # noqa: S314 (our own SVG, not outside input)


def texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text")]


def test_a_line_chart_parses_and_names_itself_for_screen_readers():
    chart = charts.line_chart(
        [charts.Series("Meetings per week", WEEKS)], title="Meetings <per> week", desc="Weekly."
    )
    root = parse(chart)
    assert root.get("role") == "img"
    title, desc = root.find("svg:title", NS), root.find("svg:desc", NS)
    assert title.text == "Meetings <per> week" and desc.text == "Weekly."
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert "&lt;per&gt;" in str(chart.svg)  # text is escaped


def test_no_script_no_style_attribute_no_style_element():
    """The Content Security Policy and WeasyPrint both take presentation attributes."""
    chart = charts.line_chart(
        [charts.Series("a", WEEKS), charts.Series("b", WEEKS[:2], dashed=True)],
        title="t",
        target=charts.Target("Target", 400),
    )
    svg = str(chart.svg)
    assert "<script" not in svg and "<style" not in svg and " style=" not in svg


def test_the_target_is_a_distinct_labelled_line_and_the_axis_covers_it():
    chart = charts.line_chart(
        [charts.Series("Meetings per week", WEEKS)],
        title="Meetings per week",
        target=charts.Target("Target", 400),
    )
    root = parse(chart)
    target = [
        line
        for line in root.iter("{http://www.w3.org/2000/svg}line")
        if line.get("class") == "chart-target"
    ]
    assert len(target) == 1 and target[0].get("stroke-dasharray")
    labels = texts(root)
    assert "Target: 400" in labels
    # The y axis runs past both the data (359) and the target (400).
    ticks = [int(t.replace(",", "")) for t in labels if re.fullmatch(r"[\d,]+", t)]
    assert max(ticks) >= 400 and min(ticks) == 0


def test_the_latest_value_is_labelled_and_matches_the_summary():
    chart = charts.line_chart([charts.Series("Meetings per week", WEEKS)], title="Meetings")
    last_day, last = WEEKS[-1]
    assert f"{last} on {last_day:%-d %b %Y}" in texts(parse(chart))
    assert chart.summary == f"Meetings: {last} on {last_day:%-d %B %Y}."
    assert chart.rows[-1] == (f"{last_day:%-d %b %Y}", str(last))
    assert chart.headers == ("Date", "Meetings per week")


def test_an_empty_series_draws_an_empty_chart_that_says_so():
    chart = charts.line_chart([charts.Series("Attendance", [])], title="Attendance")
    assert "No data yet" in texts(parse(chart))
    assert chart.summary == "Attendance: no data yet." and chart.rows == []
    bars = charts.bar_chart([], title="Income", unit="money")
    assert "No data yet" in texts(parse(bars))


def test_missing_points_are_skipped():
    chart = charts.line_chart(
        [charts.Series("x", [(date(2024, 1, 1), 5), (date(2024, 2, 1), None)])], title="x"
    )
    assert "5 on 1 Jan 2024" in texts(parse(chart))


def test_bar_chart_prints_money_as_the_filters_do_and_totals_it():
    chart = charts.bar_chart(
        [("Apr", Decimal("1000.00")), ("May", Decimal("2500.40")), ("Jun", Decimal(0))],
        title="Received",
        unit="money",
        label_header="Month",
        value_header="Received",
    )
    labels = texts(parse(chart))
    assert "£1,000" in labels and "£2,500" in labels and "£0" in labels
    assert chart.rows == [("Apr", "£1,000"), ("May", "£2,500"), ("Jun", "£0"), ("Total", "£3,500")]
    assert chart.summary == "Received: Apr £1,000, May £2,500, Jun £0."


def test_many_bars_summarise_the_last_and_the_most():
    months = [(f"M{n}", n * 100) for n in range(1, 13)]
    chart = charts.bar_chart(months, title="Received", unit="money", width=420)
    assert chart.summary == "Received: £1,200 in M12; the most £1,200 in M12; £7,800 in all."
    assert len(chart.rows) == 13


def test_counts_have_whole_ticks():
    assert charts.nice_ticks(0, 13, whole=True) == [0, 5, 10, 15]
    assert all(t == int(t) for t in charts.nice_ticks(0, 3, whole=True))
    assert charts.nice_ticks(0, 1) == [0, 0.2, 0.4, 0.6, 0.8, 1.0]


def test_two_charts_on_a_page_share_no_id():
    first = set(re.findall(r'id="([^"]+)"', str(charts.line_chart([], title="a").svg)))
    second = set(re.findall(r'id="([^"]+)"', str(charts.line_chart([], title="b").svg)))
    assert first and not first & second


def test_for_screens_draws_a_narrow_copy_for_phones():
    chart = charts.for_screens(
        lambda width, height: charts.line_chart(
            [charts.Series("x", WEEKS)], title="x", width=width, height=height
        ),
        wide=(960, 380),
        narrow=(420, 320),
    )
    assert parse(chart).get("width") == "960" and parse(chart.narrow).get("width") == "420"
    assert chart.summary == chart.narrow.summary


def _box(text: ET.Element) -> tuple[float, float, float, float]:
    """The box a label covers, by the same measure the module uses to place them."""
    x, y, size = float(text.get("x")), float(text.get("y")), float(text.get("font-size"))
    width = len(text.text or "") * size * 0.62
    low = x - width if text.get("text-anchor") == "end" else x
    return low, low + width, y - size, y + 3


def test_the_target_and_the_latest_value_labels_never_overlap():
    """A latest value near the target (the board's peer-led share in autumn 2026 drew
    "Target: 35.8%" over "33.7% on 1 Sep 2026") moves the target's label away."""
    start = date(2025, 1, 1)
    weeks = [(start + timedelta(weeks=n), 28 + (n % 5)) for n in range(86)]
    weeks.append((start + timedelta(weeks=87), 33.7))
    planned = [(start, 28.2), (start + timedelta(weeks=150), 35.8)]
    for target in (35.8, 33.7, 30.0, 20.0):
        chart = charts.line_chart(
            [charts.Series("Peer-led share", weeks), charts.Series("Plan", planned, dashed=True)],
            title="Peer-led",
            unit="percent",
            target=charts.Target("Target", target),
        )
        root = parse(chart)
        labels = [
            t
            for t in root.iter("{http://www.w3.org/2000/svg}text")
            if (t.text or "").startswith("Target:") or " on " in (t.text or "")
        ]
        assert len(labels) == 2, target
        a, b = (_box(t) for t in labels)
        apart = a[1] <= b[0] or b[1] <= a[0] or a[3] <= b[2] or b[3] <= a[2]
        assert apart, (target, [t.text for t in labels])
