"""What the project's management commands share."""

import datetime

from django.core.management.base import CommandError


def day_option(value: str | None, option: str) -> datetime.date | None:
    """A ``--today``/``--date`` option's day (None when not given), or a
    CommandError naming the option."""
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{option}: {value!r} is not a date in the form YYYY-MM-DD") from None
