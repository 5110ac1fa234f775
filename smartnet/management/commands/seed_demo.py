"""Load deterministic demo data: ``python manage.py seed_demo [--scale N]``.

Same scale and ``--today``, same data (a fixed random seed). Running it again
on a database it already seeded with the same scale and day does nothing; a
demo database seeded otherwise is emptied and reloaded. It refuses a database
holding data it did not load unless ``--force`` (which empties it first), and
always refuses where ``PRODUCTION`` is set.
"""

import argparse
import importlib
import random
import time
from datetime import date

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from smartnet.demo import DemoContext
from smartnet.models import JobRun, User

SEED = 2014  # the year of the network this demo imitates


def positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--scale must be a whole number, not {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"--scale must be 1 or more, not {number}")
    return number


def iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--today must be YYYY-MM-DD, not {value!r}") from None


class Command(BaseCommand):
    help = "Load deterministic demo data (N=1 is roughly the UK network in 2014)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=positive_int, default=1)
        parser.add_argument(
            "--today", type=iso_date, default=None, help="the demo's 'today' (default: today)"
        )
        parser.add_argument(
            "--force", action="store_true", help="empty the database first if it holds data"
        )

    def handle(self, *args, scale: int, today: date | None, force: bool, **options):
        if settings.PRODUCTION:
            raise CommandError("Refusing to load demo data: PRODUCTION is set for this database.")
        today = today or timezone.localdate()
        key = f"scale={scale};today={today.isoformat()}"
        previous = JobRun.objects.filter(job="seed_demo").first()
        if previous and previous.key == key and not force:
            self.stdout.write(f"Demo data already loaded ({key}); nothing to do.")
            self._print_logins(previous.summary.get("logins", []))
            return
        if previous is None and User.objects.exists() and not force:
            raise CommandError(
                "The database already holds data that seed_demo did not load. "
                "Use --force to empty it and load demo data instead."
            )
        if previous or force:
            # A demo database (or --force): replace what is there.
            self.stdout.write("Emptying the database before loading...")
            call_command("flush", interactive=False, verbosity=0)

        ctx = DemoContext(scale=scale, today=today, rng=random.Random(SEED), log=self._log)
        started = time.monotonic()
        with transaction.atomic():
            for config in apps.get_app_configs():
                try:
                    module = importlib.import_module(f"{config.name}.demo")
                except ModuleNotFoundError as exc:
                    if exc.name == f"{config.name}.demo":
                        continue
                    raise
                step = time.monotonic()
                self._log(f"{config.label}: seeding...")
                module.seed(ctx)
                self._log(f"{config.label}: done in {time.monotonic() - step:.1f}s")
            JobRun.objects.create(
                job="seed_demo",
                key=key,
                finished_at=timezone.now(),
                summary={"logins": ctx.logins},
            )
        if connection.vendor == "postgresql":
            # Bulk inserts leave the planner's statistics empty until autovacuum
            # gets round to them; plans made meanwhile (nested loops over
            # "two rows" that are thousands) can be a hundred times slower.
            step = time.monotonic()
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            self._log(f"statistics refreshed (ANALYZE) in {time.monotonic() - step:.1f}s")
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data loaded at scale {scale} in {time.monotonic() - started:.1f}s."
            )
        )
        self._print_logins(ctx.logins)

    def _log(self, message: str) -> None:
        self.stdout.write(f"  {message}")
        self.stdout.flush()

    def _print_logins(self, logins) -> None:
        if not logins:
            return
        self.stdout.write("\nDemo logins (http://127.0.0.1:8000/accounts/login/):")
        width = max(len(role) for role, _, _ in logins)
        for role, email, how in logins:
            self.stdout.write(f"  {role.ljust(width)}  {email}  {how}")
