"""The board's charts, drawn by smartnet.charts: the same SVG on the page and in the PDF.

Charts are drawn from plain chart data (ISO dates and numbers as strings, as
frozen in a report's snapshot), so an issued report redraws exactly what the
board saw. The actual series is solid, the planned line dashed and the target
a dotted labelled line, so a black-and-white print still tells them apart.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from board import rag
from smartnet import charts


def _points(pairs: list[list]) -> list[tuple[date, Decimal | None]]:
    return [
        (date.fromisoformat(day), None if value is None else Decimal(value)) for day, value in pairs
    ]


def trend_chart(
    chart: dict,
    *,
    title: str,
    unit: str = "count",
    width: int = 640,
    height: int = 320,
) -> charts.Chart:
    """The actual series against the straight line from the baseline to the target."""
    line = _points(chart.get("line", []))
    target = line[-1][1] if line and line[-1][1] is not None else None
    return charts.line_chart(
        [
            charts.Series("Actual", _points(chart.get("actual", []))),
            charts.Series("Planned line", line, dashed=True),
        ],
        title=title,
        desc=f"{title}: the actual figure over time against the planned line to the target.",
        target=charts.Target("Target", target) if target is not None else None,
        unit=unit,
        width=width,
        height=height,
    )


def trend_chart_for_screens(chart: dict, *, title: str, unit: str = "count") -> charts.Chart:
    """The trend chart drawn wide for a desktop and narrow for a phone."""
    return charts.for_screens(
        lambda width, height: trend_chart(
            chart, title=title, unit=unit, width=width, height=height
        ),
        wide=(760, 340),
    )


def growth_chart(
    series: list[tuple[date, int]],
    *,
    trajectory: list[tuple[date, float]],
    target: int,
    title: str = "Meetings per week",
    width: int = 640,
    height: int = 340,
) -> charts.Chart:
    """Meetings per week over time, the trajectory towards the target, the target itself."""
    lines = [charts.Series("Meetings per week", series)]
    if len(trajectory) == 2 and series:
        (start, low), (end, high) = trajectory
        shown = [
            (
                day,
                rag.expected_value(
                    baseline=Decimal(str(low)),
                    baseline_date=start,
                    target=Decimal(str(high)),
                    target_date=end,
                    on=day,
                ),
            )
            for day in sorted(
                {
                    series[0][0],
                    *(d for d in (start, end) if series[0][0] < d < series[-1][0]),
                    series[-1][0],
                }
            )
        ]
        lines.append(charts.Series(f"Trajectory to {target}", shown, dashed=True))
    return charts.line_chart(
        lines,
        title=title,
        desc=f"{title} over the last two years, with the target of {target} a week.",
        target=charts.Target("Target", target),
        width=width,
        height=height,
    )
