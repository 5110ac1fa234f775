"""Backups that restore: dump, restore into a scratch database, compare.

``check`` takes a ``pg_dump`` in custom format of the configured database,
restores it with ``pg_restore`` into a new scratch database, and compares the
row count of every table and a checksum of every money table
(``MONEY_TABLES``), then drops the scratch database. It is what
``manage.py backup_check`` runs (and ``.ci/run``), and what the README's
restore drill asks a volunteer to run against a night's dump (``--dump``).
"""

import hashlib
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import psycopg2
from django.apps import apps
from django.db import connection
from psycopg2 import sql

# The tables that hold money, by model: their rows are compared checksum by
# checksum. Credit notes are Invoices of kind "credit_note". A money model an
# app adds goes here; a label whose app or model is not installed is skipped.
MONEY_MODELS = (
    "partners.Invoice",
    "partners.InvoiceLine",
    "partners.Payment",
    "partners.CreditNote",
    "partners.Refund",
    "partners.Allocation",
)


def money_tables() -> list[str]:
    tables = []
    for label in MONEY_MODELS:
        try:
            tables.append(apps.get_model(label)._meta.db_table)
        except LookupError:
            continue
    return tables


@dataclass
class Report:
    dump: Path
    tables: dict[str, tuple[int, int]] = field(default_factory=dict)
    checksums: dict[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def mismatches(self) -> list[str]:
        out = [
            f"{table}: {a} rows in the database, {b} restored"
            for table, (a, b) in self.tables.items()
            if a != b
        ]
        out += [
            f"{table}: checksum {a[:12]} in the database, {b[:12]} restored"
            for table, (a, b) in self.checksums.items()
            if a != b
        ]
        return out

    @property
    def ok(self) -> bool:
        return bool(self.tables) and not self.mismatches


def _params(dbname: str | None = None) -> dict:
    settings_dict = connection.settings_dict
    params = {
        "dbname": dbname or settings_dict["NAME"],
        "user": settings_dict.get("USER") or None,
        "password": settings_dict.get("PASSWORD") or None,
        "host": settings_dict.get("HOST") or None,
        "port": settings_dict.get("PORT") or None,
    }
    return {k: v for k, v in params.items() if v}


def _env() -> dict:
    p = _params()
    env = dict(os.environ)
    for key, name in (("host", "PGHOST"), ("port", "PGPORT"), ("user", "PGUSER")):
        if key in p:
            env[name] = str(p[key])
    if "password" in p:
        env["PGPASSWORD"] = p["password"]
    return env


def _run(tool: str, *args: str) -> None:
    """One PostgreSQL client tool, found on PATH; its error text on failure."""
    program = shutil.which(tool)
    if program is None:
        raise FileNotFoundError(f"{tool} is not installed (the PostgreSQL client tools)")
    done = subprocess.run(  # noqa: S603 - our own arguments, no shell
        [program, *args], env=_env(), capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{tool} failed: {done.stderr.strip()}")


def _name() -> str:
    return str(connection.settings_dict["NAME"])


def dump(path: Path, *, dbname: str | None = None) -> Path:
    """``pg_dump --format=custom`` of the database to ``path``."""
    _run("pg_dump", "--format=custom", "--no-owner", "--file", str(path), dbname or _name())
    return path


def create(dbname: str) -> None:
    _run("createdb", dbname)


def restore(path: Path, dbname: str) -> None:
    """A new database ``dbname`` holding the dump at ``path``."""
    create(dbname)
    _run("pg_restore", "--no-owner", "--exit-on-error", "--dbname", dbname, str(path))


def drop(dbname: str) -> None:
    _run("dropdb", "--if-exists", "--force", dbname)


def _tables(cursor) -> list[str]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
    return [row[0] for row in cursor.fetchall()]


def _counts(cursor, tables: list[str]) -> dict[str, int]:
    counts = {}
    for table in tables:
        cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
        counts[table] = cursor.fetchone()[0]
    return counts


def _checksum(cursor, table: str) -> str:
    """An md5 over every row's text, in primary-key order."""
    cursor.execute(
        sql.SQL("SELECT t::text FROM {} AS t ORDER BY t.id").format(sql.Identifier(table))
    )
    digest = hashlib.md5(usedforsecurity=False)
    for (row,) in cursor:
        digest.update(row.encode())
        digest.update(b"\n")
    return digest.hexdigest()


def compare(source: str, restored: str, report: Report) -> Report:
    with (
        psycopg2.connect(**_params(source)) as a,
        psycopg2.connect(**_params(restored)) as b,
        a.cursor() as ca,
        b.cursor() as cb,
    ):
        ca.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        tables = _tables(ca)
        restored_tables = set(_tables(cb))
        source_counts = _counts(ca, tables)
        restored_counts = _counts(cb, [t for t in tables if t in restored_tables])
        for table in tables:
            report.tables[table] = (source_counts[table], restored_counts.get(table, -1))
        for table in money_tables():
            if table in restored_tables:
                report.checksums[table] = (_checksum(ca, table), _checksum(cb, table))
    return report


def check(*, dump_path: Path | None = None, keep_dump: Path | None = None) -> Report:
    """Dump (or take ``dump_path``), restore into a scratch database, compare, drop it.

    With ``dump_path`` the counts compare a dump taken earlier with the
    database now, so they match only if nothing changed since: use it on a
    copy, or read the counts as a report."""
    source = _name()
    scratch = f"{source}_restore_check_{os.getpid()}"
    with tempfile.TemporaryDirectory(prefix="smartnet-backup-") as tmp:
        path = dump_path or dump(keep_dump or Path(tmp) / f"{source}.dump")
        report = Report(dump=path)
        drop(scratch)
        try:
            restore(path, scratch)
            compare(source, scratch, report)
        finally:
            drop(scratch)
    return report
