from django.core.management.base import BaseCommand

from partners.services import run_invitation_reminders
from smartnet.management import day_option


class Command(BaseCommand):
    help = "Remind, once, each invitation unused after INVITATION_REMINDER_DAYS. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--today", help="Run as if today were this date (YYYY-MM-DD).")

    def handle(self, *args, today=None, **options):
        summary = run_invitation_reminders(today=day_option(today, "--today"))
        if summary.get("already_ran"):
            self.stdout.write("already ran for this day: nothing sent")
        self.stdout.write(f"reminded: {summary['reminded']}")
