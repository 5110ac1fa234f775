"""Backups that restore (PostgreSQL): the dump-restore-compare check finds a
difference when there is one, and a dump taken before the latest migrations
restores and migrates forward."""

import os
import subprocess
import sys
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from smartnet import backups
from smartnet.models import JobRun

ROOT = Path(settings.BASE_DIR)
PROJECT_APPS = ("smartnet", "partners", "meetings", "training", "materials", "board")


@pytest.fixture
def pg(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL") if not os.environ.get(
            "SMARTNET_REQUIRE_SERVICES"
        ) else pytest.fail("needs PostgreSQL: set DATABASE_URL=postgres://...")


def test_backup_check_restores_every_row(pg, capsys):
    JobRun.objects.create(job="backup-test", key="1", summary={"n": 1})
    report = backups.check()
    assert report.ok, report.mismatches
    assert report.tables["smartnet_jobrun"] == (1, 1)
    assert "partners_invoice" in report.checksums and "partners_payment" in report.checksums
    call_command("backup_check")
    assert "every count and checksum matches" in capsys.readouterr().out


def test_a_restored_copy_that_differs_is_reported(pg, tmp_path):
    JobRun.objects.create(job="backup-test", key="1")
    path = backups.dump(tmp_path / "db.dump")
    source = connection.settings_dict["NAME"]
    scratch = f"{source}_differs"
    backups.drop(scratch)
    try:
        backups.restore(path, scratch)
        with psycopg2.connect(**backups._params(scratch)) as conn, conn.cursor() as cursor:
            cursor.execute("DELETE FROM smartnet_jobrun")
            cursor.execute(
                "INSERT INTO partners_invoicecounter (series, next_number) VALUES ('x', 1)"
            )
        report = backups.compare(source, scratch, backups.Report(dump=path))
    finally:
        backups.drop(scratch)
    assert not report.ok
    assert any(
        m.startswith("smartnet_jobrun: 1 rows in the database, 0 restored")
        for m in report.mismatches
    )


def _manage(dbname: str, *args: str) -> str:
    url = (
        f"postgres://{connection.settings_dict['USER'] or 'postgres'}@"
        f"{connection.settings_dict['HOST'] or '127.0.0.1'}:"
        f"{connection.settings_dict['PORT'] or 5432}/{dbname}"
    )
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "1"}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    ).stdout


def _before_latest() -> list[tuple[str, str]]:
    """Each project app's migration before its latest (apps with one: zero)."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    targets = []
    for app in PROJECT_APPS:
        names = sorted(name for (label, name) in loader.disk_migrations if label == app)
        targets.append((app, names[-2] if len(names) > 1 else names[-1]))
    return targets


def test_a_dump_from_before_the_latest_migrations_restores_and_migrates(pg, tmp_path):
    source = connection.settings_dict["NAME"]
    old, new = f"{source}_old", f"{source}_new"
    for name in (old, new):
        backups.drop(name)
    backups.create(old)
    try:
        for app, target in _before_latest():
            _manage(old, "migrate", app, target, "-v0")
        with psycopg2.connect(**backups._params(old)) as conn, conn.cursor() as cursor:
            cursor.execute(
                "INSERT INTO smartnet_jobrun (job, key, started_at, summary) "
                "VALUES ('partners.run_renewals', '2030-01-01', now(), '{}')"
            )
        path = backups.dump(tmp_path / "old.dump", dbname=old)
        backups.restore(path, new)
        _manage(new, "migrate", "-v0")
        assert "No planned migration" in _manage(new, "migrate", "--plan")
        with psycopg2.connect(**backups._params(new)) as conn, conn.cursor() as cursor:
            cursor.execute("SELECT job, outcome, error FROM smartnet_jobrun")
            assert cursor.fetchall() == [("partners.run_renewals", "ok", "")]
    finally:
        for name in (old, new):
            backups.drop(name)
