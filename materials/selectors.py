"""Reads other apps (and the staff pages) make of materials. See CONTRACTS.md."""

from __future__ import annotations

import statistics
from datetime import date
from decimal import Decimal

from django.db.models import DecimalField, ExpressionWrapper, F, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from materials.models import OPEN_STATUSES, Dispatch, DispatchLine, Reason, Status

SENT_STATUSES = (Status.DISPATCHED, Status.DELIVERED)
_COST = ExpressionWrapper(
    F("quantity_packed") * F("unit_cost"),
    output_field=DecimalField(max_digits=14, decimal_places=2),
)


def _sent_lines(*, start: date, end: date) -> QuerySet[DispatchLine]:
    return DispatchLine.objects.filter(
        dispatch__status__in=SENT_STATUSES,
        dispatch__dispatched_on__gte=start,
        dispatch__dispatched_on__lte=end,
    )


def dispatched_totals(*, start: date, end: date) -> tuple[int, Decimal]:
    """Items dispatched with a dispatch date in [start, end], and their cost at packing."""
    totals = _sent_lines(start=start, end=end).aggregate(
        items=Coalesce(Sum("quantity_packed"), 0),
        cost=Coalesce(Sum(_COST), Decimal("0"), output_field=DecimalField()),
    )
    return int(totals["items"]), Decimal(totals["cost"]).quantize(Decimal("0.01"))


def days_request_to_dispatch(*, start: date, end: date) -> Decimal | None:
    """Median days from a facilitator's request to its dispatch, over requests
    dispatched in [start, end] (None if none were). Automatic packs are not
    requests, so they are left out."""
    rows = Dispatch.objects.filter(
        reason=Reason.REQUEST,
        status__in=SENT_STATUSES,
        dispatched_on__gte=start,
        dispatched_on__lte=end,
    ).values_list("created_at", "dispatched_on")
    days = sorted(
        max(0, (sent - timezone.localtime(created).date()).days)
        for created, sent in rows
        if sent is not None
    )
    if not days:
        return None
    return Decimal(str(statistics.median(days))).quantize(Decimal("0.1"))


def queue_size() -> int:
    """Requests and dispatches not yet dispatched or rejected."""
    return Dispatch.objects.filter(status__in=OPEN_STATUSES).count()


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def quarter_label(day: date) -> str:
    return f"{day.year} Q{(day.month - 1) // 3 + 1}"


def quarters(*, start: date, end: date) -> list[tuple[str, date, date]]:
    """Calendar quarters overlapping [start, end]: (label, first day, last day)."""
    result = []
    current = quarter_start(start)
    while current <= end:
        month = current.month + 3
        following = date(current.year + (month > 12), (month - 1) % 12 + 1, 1)
        result.append(
            (quarter_label(current), current, date.fromordinal(following.toordinal() - 1))
        )
        current = following
    return result


def spend_by_quarter(*, start: date, end: date) -> list[tuple[str, Decimal]]:
    """Materials spend (items dispatched x unit cost) per calendar quarter, e.g. ("2014 Q2", ...).

    Every quarter overlapping [start, end] is listed, zero included; only
    dispatch dates inside [start, end] count. One query.
    """
    spans = quarters(start=start, end=end)
    spend = {label: Decimal("0.00") for label, _, _ in spans}
    # Summed per day in SQL, then by quarter here: portable across SQLite and PostgreSQL.
    by_day = (
        _sent_lines(start=start, end=end)
        .values("dispatch__dispatched_on")
        .annotate(cost=Sum(_COST))
        .order_by()
    )
    for row in by_day:
        label = quarter_label(row["dispatch__dispatched_on"])
        spend[label] += row["cost"] or Decimal("0")
    return [(label, spend[label].quantize(Decimal("0.01"))) for label, _, _ in spans]


def dispatches_for_person(*, person_id: int) -> QuerySet[Dispatch]:
    """Parcels sent to ``person_id`` (dispatched or delivered), latest first,
    with their lines and items, for the training person page."""
    return (
        Dispatch.objects.filter(person_id=person_id, status__in=SENT_STATUSES)
        .prefetch_related("lines__item")
        .order_by("-dispatched_on", "-pk")
    )


def dispatch_lines_for_person(person_id: int) -> list[str]:
    """Parcels sent to the person as lines for their training page: what,
    when, which items."""
    lines = []
    for dispatch in dispatches_for_person(person_id=person_id):
        when = f" on {dispatch.dispatched_on:%d/%m/%Y}" if dispatch.dispatched_on else ""
        items = ", ".join(
            f"{line.quantity_packed} x {line.item.name}" for line in dispatch.lines.all()
        )
        lines.append(f"{dispatch}{when}" + (f": {items}" if items else ""))
    return lines
