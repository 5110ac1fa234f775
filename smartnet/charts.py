"""Charts as server-drawn SVG: one module for every page, PDF and e-mail.

``line_chart`` draws series over time (a solid actual line, dashed planned
lines, a labelled horizontal target, the latest value labelled);
``bar_chart`` draws a few labelled amounts (income by month, owed by age).
Both return a ``Chart``: the SVG (``role="img"`` with a ``<title>`` and
``<desc>``), a one-sentence summary and the figures as rows, which
``templates/includes/chart.html`` prints beside the picture so nobody has to
read numbers off a line.

The SVG carries no script, no ``style`` attribute and no ``<style>`` element:
colours and fonts are presentation attributes, so it passes any Content
Security Policy and WeasyPrint draws it the same as a browser. Every text is
escaped. Figures read as the number filters print them (``unit``: count,
money, percent).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from html import escape

from django.utils.safestring import SafeString, mark_safe

from smartnet.templatetags.numbers import format_money, format_whole, percent

Number = Decimal | int | float

INK = "#212529"
MUTED = "#5c636a"
GRID = "#dee2e6"
ACTUAL = "#1d4f91"
PLANNED = "#555555"
TARGET = "#a04000"
FONT = "DejaVu Sans, Arial, sans-serif"
# Text sizes in SVG units; charts are drawn about 600 wide, so on a phone they
# scale to about two thirds and the labels still read.
LABEL = 15
STRONG = 16

# Unique ids for <title>/<desc>, so many charts share a page.
_ids = itertools.count(1)


def format_figure(value: Number | None, unit: str) -> str:
    """A figure as the number filters print it."""
    if value is None:
        return "no data"
    if unit == "money":
        return format_money(value, pence=False)
    if unit == "percent":
        return percent(value, 1 if Decimal(str(value)) != Decimal(str(value)).to_integral() else 0)
    return format_whole(value)


@dataclass(frozen=True)
class Series:
    name: str
    points: Sequence[tuple[date, Number | None]]
    dashed: bool = False

    def known(self) -> list[tuple[date, float]]:
        return [(d, float(v)) for d, v in self.points if v is not None]


@dataclass(frozen=True)
class Target:
    label: str
    value: Number


@dataclass(frozen=True)
class Chart:
    svg: SafeString
    title: str
    summary: str
    rows: list[tuple[str, str]] = field(default_factory=list)
    headers: tuple[str, str] = ("", "")
    # The same chart drawn for a phone, shown instead below the medium breakpoint.
    narrow: Chart | None = None

    def __str__(self) -> str:
        return str(self.svg)


def for_screens(
    build: Callable[[int, int], Chart],
    *,
    wide: tuple[int, int] = (960, 380),
    narrow: tuple[int, int] = (420, 320),
) -> Chart:
    """A chart drawn twice, wide for a desktop and narrow for a phone (so its text
    stays readable); templates/includes/chart.html shows the one that fits."""
    chart = build(*wide)
    return replace(chart, narrow=build(*narrow))


def nice_ticks(low: float, high: float, count: int = 5, *, whole: bool = False) -> list[float]:
    """Round tick values covering ``low``..``high`` (steps of 1, 2 or 5 x 10^n;
    ``whole``: never a step below 1, for counts)."""
    if high <= low:
        high = low + 1
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    if whole:
        step = max(step, 1)
    start = math.floor(low / step) * step
    ticks = []
    value = start
    while value < high + step * 0.999:
        ticks.append(round(value, 10))
        if value >= high:
            break
        value += step
    return ticks


def _month_ticks(first: date, last: date, count: int = 6) -> list[date]:
    months = (last.year - first.year) * 12 + last.month - first.month
    step = next(s for s in (1, 2, 3, 6, 12, 24, 60) if months / s <= count)
    ticks = []
    year, month = first.year, first.month
    if first.day != 1:
        month += 1
    while True:
        if month > 12:
            year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
        tick = date(year, month, 1)
        if tick > last:
            break
        if (tick.month - 1) % step == 0 or step == 1:
            ticks.append(tick)
        month += 1
    return ticks


def _text(
    x: float,
    y: float,
    body: str,
    *,
    anchor: str = "start",
    size: int = LABEL,
    fill: str = INK,
    bold: bool = False,
) -> str:
    weight = ' font-weight="bold"' if bold else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-family="{FONT}" font-size="{size}" '
        f'fill="{fill}" text-anchor="{anchor}"{weight}>{escape(body)}</text>'
    )


def _open(width: int, height: int, title: str, desc: str) -> tuple[str, str]:
    n = next(_ids)
    title_id, desc_id = f"chart{n}-title", f"chart{n}-desc"
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'aria-labelledby="{title_id} {desc_id}">'
        f'<title id="{title_id}">{escape(title)}</title><desc id="{desc_id}">{escape(desc)}</desc>'
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>'
    )
    return head, "</svg>"


def _y_axis(
    ticks: list[float], y_of, left: float, right: float, unit: str, title_y: float
) -> list[str]:
    parts = []
    for tick in ticks:
        y = y_of(tick)
        parts.append(
            f'<line x1="{left:.1f}" y1="{y:.1f}" x2="{right:.1f}" y2="{y:.1f}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        parts.append(_text(left - 6, y + 4, format_figure(tick, unit), anchor="end"))
    return parts


@dataclass(frozen=True)
class _Label:
    """A label's text and where it stands, with the box it covers (for collisions)."""

    x: float
    y: float
    text: str
    anchor: str
    size: int

    @property
    def box(self) -> tuple[float, float, float, float]:
        width = len(self.text) * self.size * 0.62
        low = self.x - width if self.anchor == "end" else self.x
        return low, low + width, self.y - self.size, self.y + 3

    def overlaps(self, other: _Label) -> bool:
        a, b = self.box, other.box
        return a[0] < b[1] and b[0] < a[1] and a[2] < b[3] and b[2] < a[3]


def _place_latest(
    latest: tuple[date, float],
    known: list[list[tuple[date, float]]],
    x_of: Callable[[date], float],
    y_of: Callable[[float], float],
    bounds: tuple[float, float, float],
    target_y: float | None,
    unit: str,
) -> _Label:
    """The latest value's label: above every line under it (the target's too), or
    below the lowest when there is no room above."""
    left, plot_right, top = bounds
    d, v = latest
    x, y = x_of(d), y_of(v)
    anchor = "end" if x > (left + plot_right) / 2 else "start"
    dx = -8 if anchor == "end" else 8
    text = f"{format_figure(v, unit)} on {d.strftime('%-d %b %Y')}"
    width = len(text) * STRONG * 0.62
    low_x, high_x = (x - width - 8, x) if anchor == "end" else (x, x + width + 8)
    under = [
        y_of(value) for pts in known for day, value in pts if low_x <= x_of(day) <= high_x
    ] or [y]
    if target_y is not None:
        under.append(target_y)
    label_y = min(under) - 10
    if label_y - STRONG < top - 6:
        label_y = max(under) + STRONG + 8
    return _Label(x + dx, label_y, text, anchor, STRONG)


def _place_target(
    text: str, target_y: float, left: float, plot_right: float, latest: _Label | None
) -> tuple[float, float, str]:
    """The target's label at the left end of its line, else the right end, else under it:
    the first place the latest value's label does not cover."""
    places = [
        (left + 6, target_y - 6, "start"),
        (plot_right - 6, target_y - 6, "end"),
        (left + 6, target_y + LABEL + 6, "start"),
    ]
    for x, y, anchor in places:
        if latest is None or not _Label(x, y, text, anchor, LABEL).overlaps(latest):
            return x, y, anchor
    return places[0]


def line_chart(
    series: Sequence[Series],
    *,
    title: str,
    desc: str = "",
    target: Target | None = None,
    unit: str = "count",
    width: int = 640,
    height: int = 340,
    label_latest: bool = True,
    start_at_zero: bool = True,
) -> Chart:
    """Series over time. The first series is the actual one: solid, its latest value labelled."""
    known = [s.known() for s in series]
    values = [v for pts in known for _, v in pts]
    if target is not None:
        values.append(float(target.value))
    days = [d for pts in known for d, _ in pts]
    legend = []
    if len(series) > 1 or target is not None:
        legend = _legend_rows(_legend_items(series, target), 12, width - 12)
    top, right_pad, bottom = 18, 44, 44 + len(legend) * 24
    left = 16 + 9 * max((len(format_figure(v, unit)) for v in (values or [0])), default=1)
    left = max(48, min(left, 110))
    plot_right = width - right_pad
    plot_bottom = height - bottom
    head, tail = _open(width, height, title, desc or title)
    parts = [head]
    actual = known[0] if known else []
    latest = actual[-1] if actual else None
    if not days:
        parts.append(
            f'<line x1="{left}" y1="{plot_bottom}" x2="{plot_right}" y2="{plot_bottom}" '
            f'stroke="{INK}" stroke-width="1"/>'
        )
        parts.append(
            _text(
                (left + plot_right) / 2,
                (top + plot_bottom) / 2,
                "No data yet",
                anchor="middle",
                size=14,
            )
        )
        parts.append(tail)
        return Chart(svg=mark_safe("".join(parts)), title=title, summary=f"{title}: no data yet.")
    low = min(values + ([0.0] if start_at_zero else []))
    high = max(values)
    ticks = nice_ticks(low, high, whole=unit != "percent")
    y_low, y_high = ticks[0], ticks[-1]
    first, last = min(days), max(days)
    day_span = max((last - first).days, 1)

    def x_of(day: date) -> float:
        return left + (plot_right - left) * (day - first).days / day_span

    def y_of(value: float) -> float:
        return plot_bottom - (plot_bottom - top) * (value - y_low) / ((y_high - y_low) or 1)

    parts += _y_axis(ticks, y_of, left, plot_right, unit, top)
    parts.append(
        f'<line x1="{left}" y1="{plot_bottom:.1f}" x2="{plot_right}" y2="{plot_bottom:.1f}" '
        f'stroke="{INK}" stroke-width="1"/>'
    )
    for tick in _month_ticks(first, last):
        x = x_of(tick)
        parts.append(
            f'<line x1="{x:.1f}" y1="{plot_bottom:.1f}" x2="{x:.1f}" y2="{plot_bottom + 5:.1f}" '
            f'stroke="{INK}" stroke-width="1"/>'
        )
        parts.append(_text(x, plot_bottom + 22, tick.strftime("%b %Y"), anchor="middle"))
    target_y = y_of(float(target.value)) if target is not None else None
    latest_label = None
    if label_latest and latest is not None:
        latest_label = _place_latest(
            latest, known, x_of, y_of, (left, plot_right, top), target_y, unit
        )
    if target is not None and target_y is not None:
        parts.append(
            f'<line class="chart-target" x1="{left}" y1="{target_y:.1f}" x2="{plot_right}" '
            f'y2="{target_y:.1f}" stroke="{TARGET}" stroke-width="2" stroke-dasharray="2 4" '
            'stroke-linecap="round"/>'
        )
        text = f"{target.label}: {format_figure(target.value, unit)}"
        x, y, anchor = _place_target(text, target_y, left, plot_right, latest_label)
        parts.append(_text(x, y, text, anchor=anchor, size=LABEL, bold=True))
    for index, (s, pts) in enumerate(zip(series, known, strict=True)):
        if not pts:
            continue
        colour = ACTUAL if index == 0 else PLANNED
        path = " ".join(f"{x_of(d):.1f},{y_of(v):.1f}" for d, v in pts)
        dash = ' stroke-dasharray="8 5"' if s.dashed else ""
        stroke = 3 if index == 0 else 2
        if len(pts) == 1:
            d, v = pts[0]
            parts.append(f'<circle cx="{x_of(d):.1f}" cy="{y_of(v):.1f}" r="4" fill="{colour}"/>')
        else:
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" '
                f'stroke-width="{stroke}" stroke-linejoin="round"{dash}/>'
            )
    if latest_label is not None and latest is not None:
        d, v = latest
        parts.append(
            f'<circle cx="{x_of(d):.1f}" cy="{y_of(v):.1f}" r="5" fill="{ACTUAL}" '
            'stroke="#ffffff" stroke-width="2"/>'
        )
        parts.append(
            _text(
                latest_label.x,
                latest_label.y,
                latest_label.text,
                anchor=latest_label.anchor,
                size=STRONG,
                bold=True,
            )
        )
    if legend:
        parts.append(_legend(legend, plot_bottom + 52))
    parts.append(tail)
    summary = title
    if latest is not None:
        summary += f": {format_figure(latest[1], unit)} on {latest[0].strftime('%-d %B %Y')}"
    if target is not None:
        summary += f"; {target.label.lower()} {format_figure(target.value, unit)}"
    summary += "."
    rows = [(d.strftime("%-d %b %Y"), format_figure(v, unit)) for d, v in actual]
    return Chart(
        svg=mark_safe("".join(parts)),
        title=title,
        summary=summary,
        rows=rows,
        headers=("Date", series[0].name if series else "Value"),
    )


def _legend_items(series: Sequence[Series], target: Target | None) -> list[tuple[str, str, str]]:
    """(name, colour, dash) of each legend entry."""
    items = [
        (s.name, ACTUAL if index == 0 else PLANNED, "8 5" if s.dashed else "")
        for index, s in enumerate(series)
    ]
    if target is not None:
        items.append((target.label, TARGET, "2 4"))
    return items


def _legend_rows(items: list[tuple[str, str, str]], x: float, right: float) -> list[list]:
    """The entries laid out in rows that fit between ``x`` and ``right``."""
    rows: list[list] = [[]]
    at = x
    for item in items:
        span = 44 + 9 * len(item[0])
        if rows[-1] and at + span > right:
            rows.append([])
            at = x
        rows[-1].append((at, item))
        at += span
    return rows


def _legend(rows: list[list], y: float) -> str:
    parts = []
    for row in rows:
        for x, (name, colour, dash) in row:
            dashed = f' stroke-dasharray="{dash}"' if dash else ""
            parts.append(
                f'<line x1="{x:.1f}" y1="{y - 5:.1f}" x2="{x + 24:.1f}" y2="{y - 5:.1f}" '
                f'stroke="{colour}" stroke-width="3"{dashed}/>'
            )
            parts.append(_text(x + 30, y, name))
        y += 24
    return "".join(parts)


def _wrap(label: str, room: float, size: int) -> list[str]:
    """A bar's label on one line, or two when it is wider than its bar's room."""
    if len(label) * size * 0.6 <= room or " " not in label:
        return [label]
    words = label.split()
    best = min(
        range(1, len(words)),
        key=lambda n: abs(len(" ".join(words[:n])) - len(" ".join(words[n:]))),
    )
    return [" ".join(words[:best]), " ".join(words[best:])]


def bar_chart(
    bars: Sequence[tuple[str, Number | None]],
    *,
    title: str,
    desc: str = "",
    unit: str = "count",
    width: int = 640,
    height: int = 300,
    value_header: str = "Value",
    label_header: str = "",
) -> Chart:
    """A few labelled amounts as bars, each with its figure printed on it."""
    head, tail = _open(width, height, title, desc or title)
    parts = [head]
    values = [float(v) for _, v in bars if v is not None]
    top, bottom = 24, 46
    plot_bottom = height - bottom
    ticks = nice_ticks(
        0.0, max(values) if values and max(values) > 0 else 1.0, whole=unit != "percent"
    )
    left = max(48, min(16 + 9 * max(len(format_figure(t, unit)) for t in ticks), 120))
    plot_right = width - 12

    def y_of(value: float) -> float:
        return plot_bottom - (plot_bottom - top) * value / (ticks[-1] or 1)

    parts += _y_axis(ticks, y_of, left, plot_right, unit, top)
    parts.append(
        f'<line x1="{left}" y1="{plot_bottom}" x2="{plot_right}" y2="{plot_bottom}" '
        f'stroke="{INK}" stroke-width="1"/>'
    )
    if not bars:
        parts.append(
            _text(
                (left + plot_right) / 2,
                (top + plot_bottom) / 2,
                "No data yet",
                anchor="middle",
                size=14,
            )
        )
    slot = (plot_right - left) / max(len(bars), 1)
    size = LABEL if slot >= 70 else 12
    known = [(i, float(v)) for i, (_, v) in enumerate(bars) if v is not None]
    # Figures that do not fit over their bar are left to the table: the last and
    # the largest are always printed.
    widest = max((len(format_figure(v, unit)) for _, v in bars if v is not None), default=0)
    all_fit = widest * size * 0.62 <= slot
    always = {known[-1][0], max(known, key=lambda k: k[1])[0]} if known else set()
    for index, (label, value) in enumerate(bars):
        x = left + slot * index
        bar_width = slot * 0.66
        bx = x + (slot - bar_width) / 2
        if value is not None:
            y = y_of(float(value))
            parts.append(
                f'<rect x="{bx:.1f}" y="{y:.1f}" width="{bar_width:.1f}" '
                f'height="{plot_bottom - y:.1f}" fill="{ACTUAL}"/>'
            )
            if all_fit or index in always:
                parts.append(
                    _text(
                        x + slot / 2,
                        y - 5,
                        format_figure(value, unit),
                        anchor="middle",
                        size=size,
                        bold=True,
                    )
                )
        for line, words in enumerate(_wrap(label, slot, size)):
            parts.append(
                _text(
                    x + slot / 2,
                    plot_bottom + 18 + line * (size + 2),
                    words,
                    anchor="middle",
                    size=size,
                )
            )
    parts.append(tail)
    rows = [(label, format_figure(value, unit)) for label, value in bars]
    total = sum((Decimal(str(v)) for _, v in bars if v is not None), Decimal(0))
    if not known:
        said = "no data yet"
    elif len(bars) <= 6:
        said = ", ".join(f"{label} {figure}" for label, figure in rows)
    else:
        last, most = known[-1][0], max(known, key=lambda k: k[1])[0]
        said = (
            f"{rows[last][1]} in {rows[last][0]}; the most {rows[most][1]} in {rows[most][0]}"
            + (f"; {format_figure(total, unit)} in all" if unit != "percent" else "")
        )
    summary = f"{title}: {said}."
    return Chart(
        svg=mark_safe("".join(parts)),
        title=title,
        summary=summary,
        rows=rows
        + ([("Total", format_figure(total, unit))] if len(rows) > 1 and unit != "percent" else []),
        headers=(label_header, value_header),
    )
