"""How numbers read on every page, PDF and e-mail: money, counts, shares, durations.

``{% load numbers %}`` then ``{{ invoice.total|money }}`` (£1,234.56),
``{{ partners|whole }}`` (2,893), ``{{ share|percent }}`` (45%),
``{{ overdue|days }}`` (58 days). Nothing else formats these by hand.
"""

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils import timezone

register = template.Library()

# What a missing figure reads as, everywhere.
MISSING = "-"


def _decimal(value: object) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None
    return number if number.is_finite() else None


def format_money(value: object, *, pence: bool = True) -> str:
    """Pounds with a thousands separator and two decimals: ``-£1,234.50``."""
    number = _decimal(value)
    if number is None:
        return MISSING
    places = Decimal("0.01") if pence else Decimal("1")
    rounded = number.quantize(places, rounding=ROUND_HALF_UP)
    sign = "-" if rounded < 0 else ""
    body = f"{abs(rounded):,.2f}" if pence else f"{abs(rounded):,.0f}"
    return f"{sign}£{body}"


def format_whole(value: object) -> str:
    """A count of things (partners, people, meetings): whole, with separators."""
    number = _decimal(value)
    if number is None:
        return MISSING
    return f"{number.quantize(Decimal('1'), rounding=ROUND_HALF_UP):,.0f}"


@register.filter
def money(value: object) -> str:
    """``Decimal("878.090000")`` -> ``£878.09``; ``12500`` -> ``£12,500.00``."""
    return format_money(value)


@register.filter
def pounds(value: object) -> str:
    """Money in whole pounds, for charts and headlines: ``£12,500``."""
    return format_money(value, pence=False)


@register.filter
def whole(value: object) -> str:
    """``331.78`` -> ``332``; ``16769404.59`` -> ``16,769,405``."""
    return format_whole(value)


@register.filter
def percent(value: object, places: int = 0) -> str:
    """A share already in percent (``45.6``) -> ``46%``; ``percent:1`` -> ``45.6%``."""
    number = _decimal(value)
    if number is None:
        return MISSING
    step = Decimal(1).scaleb(-int(places))
    return f"{number.quantize(step, rounding=ROUND_HALF_UP):,}%"


@register.filter
def days(value: object) -> str:
    """A duration in days, from a timedelta or a number of days:
    ``58`` -> ``58 days``, ``1`` -> ``1 day``."""
    if isinstance(value, timedelta):
        count = value.days
    else:
        number = _decimal(value)
        if number is None:
            return MISSING
        count = int(number.quantize(Decimal("1"), rounding=ROUND_HALF_UP))
    return f"{count:,} day" if abs(count) == 1 else f"{count:,} days"


@register.filter
def days_since(value: date | None, today: date | None = None) -> str:
    """Whole days from ``value`` to ``today`` (``{{ invoice.due_date|days_since:today }}``)."""
    if value is None:
        return MISSING
    return days((today or timezone.localdate()) - value)
