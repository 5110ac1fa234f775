"""Server-side SVG charts (pygal): the same SVG goes on the page and into the PDF.

Charts are drawn from plain chart data (ISO dates and numbers as strings, as
frozen in a report's snapshot), so an issued report redraws exactly what the
board saw. No JavaScript is attached; the actual series is solid and the
target line dashed, so a black-and-white print still tells them apart.
"""

from __future__ import annotations

import re
import uuid
from datetime import date
from decimal import Decimal

import pygal
from pygal.style import Style

STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#212529",
    foreground_strong="#212529",
    foreground_subtle="#6c757d",
    colors=("#1d4f91", "#555555", "#b35900"),
    font_family="DejaVu Sans, Arial, sans-serif",
    label_font_size=11,
    major_label_font_size=11,
    legend_font_size=12,
    title_font_size=14,
)


def _points(pairs: list[list]) -> list[tuple[date, float]]:
    points = []
    for day, value in pairs:
        if value is None:
            continue
        points.append((date.fromisoformat(day), float(Decimal(value))))
    return points


def _base_chart(title: str, *, width: int, height: int) -> pygal.DateLine:
    return pygal.DateLine(
        title=title,
        style=STYLE,
        width=width,
        height=height,
        explicit_size=True,
        js=[],
        disable_xml_declaration=True,
        show_dots=True,
        dots_size=2.5,
        x_label_rotation=0,
        x_value_formatter=lambda d: d.strftime("%b %Y"),
        legend_at_bottom=True,
        legend_at_bottom_columns=2,
        legend_box_size=10,
        spacing=8,
        truncate_legend=-1,
        include_x_axis=True,
        margin=12,
        margin_bottom=24,
        # Few labels: each one is text the PDF has to lay out.
        max_scale=6,
        min_scale=3,
        x_labels_major_count=5,
        show_minor_x_labels=False,
    )


# pygal embeds its configuration in an inline <script> even with no JavaScript
# asked for; the pages' Content Security Policy forbids inline scripts, and the
# charts need none, so it is removed.
_SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL)


def _render(chart: pygal.DateLine) -> str:
    """The SVG, without script, its legend ids made unique so many charts share a page."""
    prefix = f"c{uuid.uuid4().hex[:8]}"
    svg = _SCRIPT.sub("", chart.render(is_unicode=True))
    return svg.replace('id="activate-serie-', f'id="{prefix}-serie-')


def trend_chart(chart: dict, *, title: str, width: int = 720, height: int = 320) -> str:
    """The actual series against the straight target line, as an SVG string."""
    svg = _base_chart(title, width=width, height=height)
    actual = _points(chart.get("actual", []))
    line = _points(chart.get("line", []))
    svg.add("Actual", actual or [None], stroke_style={"width": 3})
    svg.add("Target line", line, stroke_style={"width": 2, "dasharray": "8, 5"}, show_dots=False)
    return _render(svg)


def growth_chart(
    series: list[tuple[date, int]],
    *,
    trajectory: list[tuple[date, float]],
    target: int,
    title: str = "Meetings per week",
    width: int = 720,
    height: int = 320,
) -> str:
    """Meetings per week over time, with the trajectory line towards the target."""
    svg = _base_chart(title, width=width, height=height)
    svg.add(
        "Meetings per week",
        [(d, v) for d, v in series] or [None],
        stroke_style={"width": 3},
        show_dots=False,
    )
    if trajectory:
        svg.add(
            f"Trajectory to {target}",
            trajectory,
            stroke_style={"width": 2, "dasharray": "8, 5"},
            show_dots=False,
        )
    return _render(svg)
