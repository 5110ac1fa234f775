"""``python manage.py rollup_figures [--today YYYY-MM-DD]``

The nightly roll-up job by hand: computes every dashboard figure for the day
and meetings per week on the growth chart's Mondays, and stores them
(``board.rollups.rebuild``). Running it twice changes nothing twice.
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from board import rollups
from smartnet.management import day_option


class Command(BaseCommand):
    help = "Rebuild the staff dashboard's daily roll-ups for a day (default today)."

    def add_arguments(self, parser):
        parser.add_argument("--today", help="Run as if today were this date (YYYY-MM-DD).")

    def handle(self, *args, today=None, **options):
        on = day_option(today, "--today") or timezone.localdate()
        done = rollups.rebuild(today=on)
        self.stdout.write(f"roll-ups for {done['day']}: {done['figures']} figures stored")
