"""Fee arithmetic: the fee schedule, block-agreement windows, what a site
owes for a term, and the invoice lines those amounts make. Reads and sums;
nothing here writes.

- A term's fee for a site is ``site_fee x chargeable days / days in term``.
- ``PARTNERS_MID_TERM_CHARGING=pro_rata`` (default): a site is charged for the
  days it is covered (from ``joined_on``); ``full_year``: a site is charged the
  whole term whatever day it joins.
- Days on which the site's area is under a block agreement in force are not
  chargeable (the commissioner pays for them), in either mode.
- A site that leaves mid-term is not refunded automatically; staff raise a
  credit note if the partner is owed money.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError

from partners.models import (
    PENDING_STATUSES,
    AgreementKind,
    AgreementPeriod,
    Area,
    FeeRate,
    Product,
    SiteCoverage,
)

PENNY = Decimal("0.01")


def one_year_from(start: datetime.date) -> datetime.date:
    """The last day of a one-year term that starts on ``start``."""
    try:
        return start.replace(year=start.year + 1) - datetime.timedelta(days=1)
    except ValueError:  # 29 February: the term ends on 28 February
        return start.replace(year=start.year + 1, day=28)


def _days(start: datetime.date, end: datetime.date) -> int:
    return (end - start).days + 1 if end >= start else 0


def parse_amount(value, *, field: str = "amount") -> Decimal:
    """A positive amount in pounds with at most two decimal places, or a
    ValidationError naming ``field``."""
    try:
        amount = Decimal(str(value).strip().replace(",", "").lstrip("£"))
    except (InvalidOperation, ValueError):
        raise ValidationError(
            {field: f"Enter the {field.replace('_', ' ')} in pounds, such as 250.00."}
        ) from None
    if not amount.is_finite():
        raise ValidationError({field: f"Enter the {field.replace('_', ' ')} in pounds."})
    if amount <= 0:
        raise ValidationError({field: f"The {field.replace('_', ' ')} must be more than zero."})
    if amount != amount.quantize(PENNY):
        raise ValidationError(
            {field: f"The {field.replace('_', ' ')} has more than two decimal places."}
        )
    return amount.quantize(PENNY)


def fee_rate_on(on: datetime.date) -> Decimal:
    """The site fee per year in force on ``on`` (from the fee schedule)."""
    rate = FeeRate.objects.filter(effective_from__lte=on).order_by("-effective_from").first()
    if rate is None:
        raise ValidationError({"start_date": f"No site fee is set for {on:%d %B %Y}."})
    return rate.site_fee


def block_windows(
    *, area_ids: Iterable[int], start: datetime.date, end: datetime.date
) -> dict[int, list[tuple[datetime.date, datetime.date]]]:
    """Area id -> the date ranges within [start, end] in which a block agreement
    in force covers it (one query)."""
    area_ids = set(area_ids)
    windows: dict[int, list[tuple[datetime.date, datetime.date]]] = defaultdict(list)
    if not area_ids:
        return windows
    periods = (
        AgreementPeriod.objects.filter(
            agreement__kind=AgreementKind.BLOCK,
            activated_on__isnull=False,
            start_date__lte=end,
            end_date__gte=start,
            agreement__organisation__areas__in=area_ids,
        )
        .exclude(status__in=PENDING_STATUSES)
        .values_list("start_date", "end_date", "terminated_on", "agreement__organisation__areas")
    )
    for p_start, p_end, terminated_on, area_id in periods:
        if area_id not in area_ids:
            continue
        last = p_end
        if terminated_on:
            last = min(last, terminated_on - datetime.timedelta(days=1))
        s, e = max(p_start, start), min(last, end)
        if e >= s:
            windows[area_id].append((s, e))
    return windows


def _covered_days(span: tuple[datetime.date, datetime.date], windows) -> int:
    """Days of ``span`` inside the union of ``windows``."""
    start, end = span
    clipped = sorted((max(s, start), min(e, end)) for s, e in windows if e >= start and s <= end)
    total, cursor = 0, None
    for s, e in clipped:
        if cursor is not None and s <= cursor:
            s = cursor + datetime.timedelta(days=1)
        if e >= s:
            total += _days(s, e)
            cursor = e if cursor is None else max(cursor, e)
    return total


def coverage_fee(
    *,
    site_fee: Decimal,
    term_start: datetime.date,
    term_end: datetime.date,
    joined_on: datetime.date,
    left_on: datetime.date | None = None,
    windows: Sequence[tuple[datetime.date, datetime.date]] = (),
    charging: str | None = None,
) -> tuple[Decimal, int, int]:
    """The fee for one site in one term: (amount, chargeable days, block days)."""
    charging = charging or settings.PARTNERS_MID_TERM_CHARGING
    term_days = _days(term_start, term_end)
    if charging == "full_year":
        span = (term_start, term_end)
    else:
        span = (max(joined_on, term_start), min(left_on or term_end, term_end))
    span_days = _days(*span)
    block_days = _covered_days(span, windows) if span_days else 0
    chargeable = span_days - block_days
    amount = (site_fee * chargeable / term_days).quantize(PENNY, rounding=ROUND_HALF_UP)
    return amount, chargeable, block_days


def invoice_line_values(
    product: Product, description: str, amount: Decimal, quantity=Decimal(1)
) -> dict:
    unit = amount
    net = (unit * quantity).quantize(PENNY, rounding=ROUND_HALF_UP)
    vat = (net * product.vat_rate / 100).quantize(PENNY, rounding=ROUND_HALF_UP)
    return {
        "product": product,
        "description": description[:300],
        "quantity": quantity,
        "unit_amount": unit,
        "net_amount": net,
        "vat_treatment": product.vat_treatment,
        "vat_rate": product.vat_rate,
        "vat_amount": vat,
    }


def products_by_code() -> dict[str, Product]:
    return {p.code: p for p in Product.objects.all()}


def coverage_lines(period: AgreementPeriod, coverage: Iterable[SiteCoverage], *, charging=None):
    """Invoice lines (dicts) for the given coverage rows of a site-licence period."""
    coverage = list(coverage)
    product = products_by_code()[Product.SITE_LICENCE]
    windows = block_windows(
        area_ids={c.site.area_id for c in coverage}, start=period.start_date, end=period.end_date
    )
    lines = []
    for row in coverage:
        amount, chargeable, block_days = coverage_fee(
            site_fee=period.licence_fee,
            term_start=period.start_date,
            term_end=period.end_date,
            joined_on=row.joined_on,
            left_on=row.left_on,
            windows=windows.get(row.site.area_id, []),
            charging=charging,
        )
        text = (
            f"Site licence: {row.site.name}, "
            f"{max(row.joined_on, period.start_date):%d/%m/%Y}-{period.end_date:%d/%m/%Y}"
        )
        if block_days:
            text += f" ({block_days} days paid by a block agreement)"
        lines.append(invoice_line_values(product, text, amount))
    return lines


def period_lines(period: AgreementPeriod) -> list[dict]:
    """The invoice lines of a whole term."""
    if period.agreement.kind == AgreementKind.BLOCK:
        product = products_by_code()[Product.BLOCK_AGREEMENT]
        text = (
            f"Block agreement {period.agreement.reference}, "
            f"{period.start_date:%d/%m/%Y}-{period.end_date:%d/%m/%Y}"
        )
        return [invoice_line_values(product, text, period.block_amount)]
    return coverage_lines(period, period.coverage.select_related("site"))


def quote_site_fee(*, period: AgreementPeriod, area: Area, joins_on: datetime.date) -> Decimal:
    """What a site in ``area`` joining ``period`` on ``joins_on`` would be charged."""
    windows = block_windows(area_ids={area.pk}, start=period.start_date, end=period.end_date)
    amount, _, _ = coverage_fee(
        site_fee=period.licence_fee,
        term_start=period.start_date,
        term_end=period.end_date,
        joined_on=joins_on,
        windows=windows.get(area.pk, []),
    )
    return amount
