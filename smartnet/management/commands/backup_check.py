"""``manage.py backup_check``: prove a dump restores (smartnet.backups)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from smartnet import backups


class Command(BaseCommand):
    help = (
        "pg_dump the database (custom format), restore it into a scratch database, "
        "compare every table's row count and the money tables' checksums, drop the scratch."
    )

    def add_arguments(self, parser):
        parser.add_argument("--keep-dump", type=Path, help="write the dump here and keep it")

    def handle(self, *args, keep_dump: Path | None, **options):
        if connection.vendor != "postgresql":
            raise CommandError("backup_check needs PostgreSQL: set DATABASE_URL=postgres://...")
        report = backups.check(keep_dump=keep_dump)
        rows = sum(a for a, _b in report.tables.values())
        self.stdout.write(
            f"{len(report.tables)} tables, {rows} rows compared; "
            f"{len(report.checksums)} money tables checksummed "
            f"({', '.join(report.checksums)})."
        )
        if not report.ok:
            raise CommandError("the restored copy differs:\n" + "\n".join(report.mismatches))
        self.stdout.write(self.style.SUCCESS("backup restores: every count and checksum matches"))
