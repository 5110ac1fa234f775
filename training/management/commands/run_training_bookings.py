from django.core.management.base import BaseCommand

from smartnet.management import day_option
from training.services import bookings_daily_run


class Command(BaseCommand):
    help = "Expire waiting-list offers, offer free places, send day-before reminders. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--today", help="Run as if today were this date (YYYY-MM-DD).")

    def handle(self, *args, today=None, **options):
        summary = bookings_daily_run(today=day_option(today, "--today"))
        self.stdout.write(
            f"offers expired: {summary['offers_expired']}; offers made: {summary['offers_made']}; "
            f"reminders sent: {summary['reminders']}"
        )
