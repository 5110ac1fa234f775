"""``python manage.py purge_delivery_addresses [--today YYYY-MM-DD]``

The address-retention job by hand, exactly as the nightly task runs it: blanks
the delivery address of parcels dispatched, delivered or rejected more than
``MATERIALS_ADDRESS_RETENTION_DAYS`` before ``--today`` (default today).
Running it twice changes nothing the second time.
"""

import datetime

from django.core.management.base import BaseCommand
from django.utils import timezone

from materials import services
from smartnet.management import day_option


class Command(BaseCommand):
    help = "Remove delivery addresses of parcels finished more than the retention period ago."

    def add_arguments(self, parser):
        parser.add_argument("--today", help="Run as if today were this date (YYYY-MM-DD).")

    def handle(self, *args, today=None, **options):
        on = day_option(today, "--today") or timezone.localdate()
        changed = services.delivery_addresses_purge(today=on)
        days = services.address_retention_days()
        self.stdout.write(
            f"removed {changed} delivery address(es) of parcels finished before "
            f"{on - datetime.timedelta(days=days)} ({days} days before {on})"
        )
