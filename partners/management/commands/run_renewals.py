from django.core.management.base import BaseCommand

from partners.services import run_renewals
from smartnet.management import day_option


class Command(BaseCommand):
    help = "Run the renewals job: reminders, renewal drafts and invoices, lapses. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--today", help="Run as if today were this date (YYYY-MM-DD).")

    def handle(self, *args, today=None, **options):
        on = day_option(today, "--today")
        while True:  # batch after batch, as the task queues them, until none is left
            summary = run_renewals(today=on)
            for key in ("reminders", "renewals_drafted", "lapsed", "needs_human"):
                self.stdout.write(f"{key.replace('_', ' ')}: {len(summary[key])}")
                for item in summary[key]:
                    self.stdout.write(f"  - {item}")
            self.stdout.write(f"awaiting approval: {summary['awaiting_approval']}")
            if not summary["left"]:
                break
            self.stdout.write(f"{summary['left']} periods left for the next batch")
