from django.core.management.base import BaseCommand

from partners.services import run_chasing
from smartnet.management import day_option


class Command(BaseCommand):
    help = (
        "Run the chasing job: overdue reminders PARTNERS_CHASE_DAYS days after the due "
        "date, each once per invoice. Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", help="Run as if today were this date (YYYY-MM-DD).")

    def handle(self, *args, today=None, **options):
        summary = run_chasing(today=day_option(today, "--today"))
        for key in ("reminders", "needs_human"):
            self.stdout.write(f"{key.replace('_', ' ')}: {len(summary[key])}")
            for item in summary[key]:
                self.stdout.write(f"  - {item}")
