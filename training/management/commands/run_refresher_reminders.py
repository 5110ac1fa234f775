from django.core.management.base import BaseCommand

from smartnet.management import day_option
from training.services import refresher_reminders_run


class Command(BaseCommand):
    help = "Remind Champions and facilitators whose status lapses soon. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--today", help="Run as if today were this date (YYYY-MM-DD).")

    def handle(self, *args, today=None, **options):
        summary = refresher_reminders_run(today=day_option(today, "--today"))
        self.stdout.write(
            f"reminded: {summary['reminded']}; already reminded: {summary['already']}; "
            f"no e-mail address: {summary['no_email']}"
        )
