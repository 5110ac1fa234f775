"""The staff dashboard's figures (``/staff/``), each with the list behind it.

Computing them reads every app's selectors, so the whole set is cached for
``BOARD_DASHBOARD_CACHE_SECONDS`` (five minutes by default): figures from other
apps may be that stale; a change to the board's own objectives or actions
drops the cache at once (``invalidate``). A miss costs a fixed number of
queries whatever the size of the data (tests/board/test_dashboard.py).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from board import charts, metrics, rag, rollups, selectors
from board.models import Objective
from materials import selectors as materials_selectors
from meetings import selectors as meetings_selectors
from partners import selectors as partners_selectors
from smartnet import charts as charts_module

CACHE_KEY = "board:dashboard:{day}"
MONEY_CACHE_KEY = "board:dashboard:money:{day}"
GROWTH_WEEKS = rollups.GROWTH_WEEKS
# The metrics the dashboard's tiles print (besides each objective's).
TILE_METRICS = ("meetings_per_week", "peer_led_share", "partners_behind_on_peer_led")
# The owed-by-age bands, shortened to fit under the bars of a phone's chart.
SHORT_AGE_LABELS = {
    "Not yet due": "Not due",
    "1-30 days late": "1-30 d",
    "31-60 days late": "31-60 d",
    "61-90 days late": "61-90 d",
    "Over 90 days late": "90+ d",
}


def _url(name: str, query: dict | None = None) -> str:
    url = reverse(name)
    return f"{url}?{urlencode(query)}" if query else url


def invalidate(today: date | None = None) -> None:

    day = (today or timezone.localdate()).isoformat()
    cache.delete_many([CACHE_KEY.format(day=day), MONEY_CACHE_KEY.format(day=day)])


def headline_objective() -> Objective | None:
    """The objective that sets the meetings-per-week trajectory (the first one on it)."""
    return (
        Objective.objects.filter(metric_key="meetings_per_week", archived=False)
        .order_by("position", "pk")
        .first()
    )


def figures(*, today: date) -> dict:
    key = CACHE_KEY.format(day=today.isoformat())
    cached = cache.get(key)
    if cached is not None:
        return cached
    result = compute_figures(today=today)
    cache.set(key, result, settings.BOARD_DASHBOARD_CACHE_SECONDS)
    return result


def compute_figures(*, today: date) -> dict:

    metric_cache = selectors.MetricCache()
    target = settings.BOARD_MEETINGS_TARGET
    headline = headline_objective()
    objectives = list(selectors.objectives_queryset())
    # The figures come from the daily roll-ups (an indexed read; a missing one is
    # computed live once and stored): the tiles' metrics and every objective's.
    keys = [*TILE_METRICS, *(o.metric_key for o in objectives if o.metric_key)]
    mondays = rollups.chart_mondays(today, GROWTH_WEEKS)
    values, series = rollups.read(today=today, keys=keys, mondays=mondays)
    metric_cache.preload(today, values)

    per_week = metric_cache.value("meetings_per_week", today)
    expected = None
    if headline is not None:
        expected = rag.expected_value(
            baseline=headline.baseline_value,
            baseline_date=headline.baseline_date,
            target=headline.target_value,
            target_date=headline.target_date,
            on=today,
        ).quantize(Decimal("1"))
        target = int(headline.target_value)

    statuses = selectors.objective_statuses(today, cache=metric_cache, queryset=objectives)
    summary = selectors.summary(statuses)
    objectives_url = _url("board_staff:objectives")

    # The chart ends on today's figure, the one the headline prints.
    if series and series[-1][0] == today:
        series[-1] = (today, per_week)
    else:
        series.append((today, per_week))
    trajectory = []
    if headline is not None:
        trajectory = [
            (headline.baseline_date, float(headline.baseline_value)),
            (headline.target_date, float(headline.target_value)),
        ]
    growth = charts_module.for_screens(
        lambda width, height: charts.growth_chart(
            series,
            trajectory=trajectory,
            target=target,
            title="Meetings per week",
            width=width,
            height=height,
        )
    )

    share = metric_cache.value("peer_led_share", today)
    return {
        "meetings_per_week": {
            "value": per_week,
            "target": target,
            "expected": expected,
            "behind_line": expected is not None and Decimal(per_week) < expected,
            "url": metrics.get("meetings_per_week").list_url,
        },
        "new_meetings": {
            "value": meetings_selectors.new_meetings_count(
                start=today - timedelta(days=27), end=today
            ),
            "per_week_pace": Decimal(3),
            "url": metrics.get("meetings_per_week").list_url,
        },
        "peer_led_share": {
            "value": metrics.format_value(share, metrics.Unit.PERCENT),
            "url": metrics.get("peer_led_share").list_url,
        },
        "renewals_due": {
            "value": partners_selectors.renewals_due(on=today).count(),
            "url": _url("partners_staff:renewals"),
        },
        "overdue_invoices": {
            "value": partners_selectors.overdue_invoices(on=today).count(),
            "url": _url("partners_staff:overdue"),
        },
        "partners_behind": {
            "value": metric_cache.value("partners_behind_on_peer_led", today),
            "url": metrics.get("partners_behind_on_peer_led").list_url,
        },
        "materials_queue": {
            "value": materials_selectors.queue_size(),
            "url": _url("materials_staff:queue"),
        },
        "objectives": {
            "colour": summary.colour.value if summary.colour else None,
            "word": rag.word(summary.colour) if summary.colour else "None",
            "counts": [
                {**c, "url": _url("board_staff:objectives", {"rag": c["colour"]})}
                for c in rag.counts_in_order(summary.counts)
            ],
            "counts_words": rag.counts_in_words(summary.counts),
            "total": summary.total,
            "url": objectives_url,
        },
        "growth_chart": growth,
        "growth_caption": (
            f"{expected} expected today on the trajectory to {target}."
            if expected is not None
            else ""
        ),
    }


def money_figures(*, today: date) -> dict:
    """What finance staff see instead of the meetings chart: income by month and
    what is owed by how late it is (cached like ``figures``)."""
    key = MONEY_CACHE_KEY.format(day=today.isoformat())
    cached = cache.get(key)
    if cached is not None:
        return cached
    income = partners_selectors.income_by_month(on=today, months=12)
    owed = partners_selectors.owed_by_age(on=today)
    income_total = sum((amount for _, amount in income), Decimal(0))
    owed_total = sum((amount for _, amount in owed), Decimal(0))
    late_total = sum((amount for label, amount in owed[1:]), Decimal(0))
    result = {
        "income_total": income_total,
        "owed_total": owed_total,
        "late_total": late_total,
        "income_chart": charts_module.for_screens(
            lambda width, height: charts_module.bar_chart(
                [
                    (month.strftime("%b" if width < 600 else "%b %y"), amount)
                    for month, amount in income
                ],
                title="Money received by month, last 12 months",
                desc="Payments received in each of the last twelve months, in pounds.",
                unit="money",
                label_header="Month",
                value_header="Received",
                width=width,
                height=height,
            ),
            wide=(640, 320),
        ),
        "owed_chart": charts_module.for_screens(
            lambda width, height: charts_module.bar_chart(
                [
                    (SHORT_AGE_LABELS.get(label, label) if width < 600 else label, amount)
                    for label, amount in owed
                ],
                title="Money owed by how late it is",
                desc="What open invoices still owe, by days past their due date, in pounds.",
                unit="money",
                label_header="How late",
                value_header="Owed",
                width=width,
                height=height,
            ),
            wide=(640, 320),
        ),
        "overdue_url": _url("partners_staff:overdue"),
    }
    cache.set(key, result, settings.BOARD_DASHBOARD_CACHE_SECONDS)
    return result
