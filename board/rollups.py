"""Daily roll-ups of the dashboard's figures (``board.models.DailyFigure``).

The dashboard's figures read every app's history (every meeting's status
changes, half a million completions, two million dispatch lines at scale 100),
so computing them live costs seconds. Here each figure is kept per day:

- ``read`` gives the stored figures for a day (and the meetings-per-week
  series for the growth chart's Mondays) in one query, computing and storing
  whatever is missing (one live computation of that figure, then an indexed
  read until the data under it changes);
- ``drop_from`` is called (after commit) when data under the figures changes:
  board listens to saves and deletes in the apps its metrics read
  (``board.apps``), so a change is seen on the next read, whichever service
  or screen made it. A status change dated in the past also drops the
  meetings-per-week rows of the Mondays from its date;
- ``rebuild`` is the nightly job (``board.tasks.rollup_figures``, the command
  ``rollup_figures [--today]``): every figure for the day and the growth
  chart's Mondays, written with an upsert on the (day, key) constraint, so a
  second run, or two at once, changes nothing twice.

Writes made without signals (queryset updates, bulk inserts of an import or
the demo seed) are picked up by the nightly job; a seeded database starts
with none (``seed_demo`` flushes the table) and its first read fills them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from board import metrics
from board.models import DailyFigure
from meetings import selectors as meetings_selectors

SERIES_KEY = "meetings_per_week"
GROWTH_WEEKS = 104


def chart_mondays(today: date, weeks: int = GROWTH_WEEKS) -> list[date]:
    """The Mondays of the growth chart: from ``weeks`` before ``today`` to today."""
    start = today - timedelta(weeks=weeks)
    day = start - timedelta(days=start.weekday())
    mondays = []
    while day <= today:
        mondays.append(day)
        day += timedelta(days=7)
    return mondays


def _restore(value: Decimal | None) -> metrics.Value:
    """A stored value as the metric gave it: whole numbers as int."""
    if value is None:
        return None
    if value == value.to_integral_value():
        return int(value)
    return value.normalize()


def store(rows: Iterable[tuple[date, str, metrics.Value]]) -> None:
    """Write (day, key, value) rows: an upsert on the (day, key) constraint."""
    now = timezone.now()
    objects = [
        DailyFigure(
            day=day, key=key, value=None if value is None else Decimal(value), computed_at=now
        )
        for day, key, value in rows
    ]
    if objects:
        DailyFigure.objects.bulk_create(
            objects,
            update_conflicts=True,
            unique_fields=["day", "key"],
            update_fields=["value", "computed_at"],
        )


def read(*, today: date, keys: Iterable[str], mondays: list[date]) -> tuple[dict, list]:
    """({key: value} of ``keys`` on ``today``, [(monday, meetings per week)]),
    from the roll-ups, filling (and storing) what is missing from live data."""
    keys = list(dict.fromkeys(keys))
    rows = DailyFigure.objects.filter(
        Q(day=today, key__in=keys) | Q(day__in=mondays, key=SERIES_KEY)
    ).values_list("day", "key", "value")
    found: dict[tuple[date, str], metrics.Value] = {
        (day, key): _restore(value) for day, key, value in rows
    }
    # Today's meetings per week is the metric's own figure, series or not.
    wanted = dict.fromkeys([(today, key) for key in keys] + [(m, SERIES_KEY) for m in mondays])
    missing = [pair for pair in wanted if pair not in found]
    fresh: dict[tuple[date, str], metrics.Value] = {}
    if any(day != today for day, _key in missing):
        series = meetings_selectors.meetings_per_week_series(start=mondays[0], end=today)
        fresh = {(monday, SERIES_KEY): n for monday, n in series if monday != today}
    with metrics.shared_reads():
        for day, key in missing:
            if (day, key) not in fresh:
                fresh[(day, key)] = metrics.get(key).value(day)
    new_rows = [(day, key, fresh[(day, key)]) for day, key in missing]
    store(new_rows)
    found.update({(day, key): value for day, key, value in new_rows})
    values = {key: found[(today, key)] for key in keys}
    series_out = [(monday, found[(monday, SERIES_KEY)]) for monday in mondays]
    return values, series_out


def drop_from(day: date, *, series_from: date | None = None) -> int:
    """Drop the roll-ups from ``day`` on (and the meetings-per-week rows from
    ``series_from``, when a change reaches back): the next read computes them."""
    where = Q(day__gte=day)
    if series_from is not None and series_from < day:
        where |= Q(key=SERIES_KEY, day__gte=series_from)
    deleted, _ = DailyFigure.objects.filter(where).delete()
    return deleted


class _Drop:
    """The drop queued on the current transaction's commit: one per savepoint
    however many rows it saves (a later, earlier-dated status change widens it)."""

    def __init__(self, day: date, series_from: date | None) -> None:
        self.day, self.series_from = day, series_from

    def __call__(self) -> None:
        drop_from(self.day, series_from=self.series_from)


def drop_on_commit(*, series_from: date | None = None) -> None:
    """``drop_from`` today (and the series from ``series_from``) once the
    current transaction commits (at once outside a transaction)."""
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        open_savepoints = set(connection.savepoint_ids)
        for savepoints, queued, _robust in connection.run_on_commit:
            # One queued in this same savepoint: it commits or rolls back with this.
            if isinstance(queued, _Drop) and savepoints == open_savepoints:
                if series_from is not None:
                    queued.series_from = min(filter(None, (queued.series_from, series_from)))
                return
    transaction.on_commit(_Drop(timezone.localdate(), series_from))


def rebuild(*, today: date) -> dict:
    """The nightly job: every scalar metric on ``today`` and meetings per week on
    the growth chart's Mondays, computed live and upserted. Idempotent."""
    mondays = chart_mondays(today)
    series = meetings_selectors.meetings_per_week_series(start=mondays[0], end=today)
    rows: list[tuple[date, str, metrics.Value]] = [
        (monday, SERIES_KEY, n) for monday, n in series if monday != today
    ]
    with metrics.shared_reads():
        rows += [(today, key, metrics.get(key).value(today)) for key in metrics.REGISTRY]
    with transaction.atomic():
        store(rows)
    return {"day": today.isoformat(), "figures": len(rows)}
