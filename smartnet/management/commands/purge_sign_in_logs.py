"""``python manage.py purge_sign_in_logs [--today YYYY-MM-DD]``

The sign-in log retention job by hand, exactly as the nightly task runs it:
deletes django-axes records (sign-ins, failed sign-ins) older than
``SIGN_IN_LOG_RETENTION_DAYS`` before ``--today`` (default now), and expired
sessions. Running it twice removes nothing the second time.
"""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from smartnet.management import day_option
from smartnet.sign_in_records import sign_in_logs_purge


class Command(BaseCommand):
    help = "Delete sign-in records older than SIGN_IN_LOG_RETENTION_DAYS."

    def add_arguments(self, parser):
        parser.add_argument("--today", help="Run as if today were this date (YYYY-MM-DD).")

    def handle(self, *args, today=None, **options):
        on = day_option(today, "--today")
        now = (
            datetime.datetime.combine(on, datetime.time(), tzinfo=timezone.get_current_timezone())
            if on
            else timezone.now()
        )
        removed = sign_in_logs_purge(now=now)
        self.stdout.write(
            f"removed {removed} sign-in record(s) and expired session(s) older than "
            f"{settings.SIGN_IN_LOG_RETENTION_DAYS} days"
        )
