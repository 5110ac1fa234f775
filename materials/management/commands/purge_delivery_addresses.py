"""``python manage.py purge_delivery_addresses [--today YYYY-MM-DD]``

The address-retention job by hand, exactly as the nightly task runs it: blanks
the delivery address of parcels dispatched, delivered or rejected more than
``MATERIALS_ADDRESS_RETENTION_DAYS`` before ``--today`` (default today).
Running it twice changes nothing the second time.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from materials import services


class Command(BaseCommand):
    help = "Remove delivery addresses of parcels finished more than the retention period ago."

    def add_arguments(self, parser):
        parser.add_argument("--today", help="Run as if today were this date (YYYY-MM-DD).")

    def handle(self, *args, today=None, **options):
        on = timezone.localdate()
        if today:
            try:
                on = datetime.date.fromisoformat(today)
            except ValueError:
                raise CommandError(
                    f"--today: {today!r} is not a date in the form YYYY-MM-DD"
                ) from None
        changed = services.delivery_addresses_purge(today=on)
        days = services.address_retention_days()
        self.stdout.write(
            f"removed {changed} delivery address(es) of parcels finished before "
            f"{on - datetime.timedelta(days=days)} ({days} days before {on})"
        )
