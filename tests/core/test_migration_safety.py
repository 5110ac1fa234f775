"""Migrations that would lock the big tables for long are refused here.

The big tables (head counts, dispatch lines, completions, and the tables
like them that grow with every meeting, parcel and course) are read and
written all day; an operation that rewrites or scans one of them under an
ACCESS EXCLUSIVE lock stops the site for the minutes it takes. Refused on
those tables, outside the migration that creates the table:

* ``AddField`` of a NOT NULL column (with or without a default);
* ``AlterField`` that changes the column's database type;
* ``AddIndex`` / ``AddConstraint`` / ``AlterUniqueTogether`` that builds an
  index while holding the lock (not ``AddIndexConcurrently``).

The safe pattern (README, "Upgrade"): add the column nullable; fill it in
batches from a data migration or command; then set NOT NULL in a later
release (PostgreSQL checks it with a scan, but no rewrite). Build indexes with
``django.contrib.postgres.operations.AddIndexConcurrently`` in a migration
with ``atomic = False``. A new type: a new column, filled, then swapped.
An operation that is known safe goes in ``ALLOWED`` with the reason.
"""

from django.db import connection, migrations, models
from django.db.migrations.loader import MigrationLoader

BIG_TABLES = {
    ("meetings", "headcount"),
    ("meetings", "meeting"),
    ("meetings", "meetingstatuschange"),
    ("materials", "dispatchline"),
    ("materials", "dispatch"),
    ("materials", "stockmovement"),
    ("training", "completion"),
    ("training", "enrolment"),
    ("partners", "invoice"),
    ("partners", "invoiceline"),
    ("partners", "payment"),
}
# (app, migration, operation description) -> why it is safe.
ALLOWED: dict[tuple[str, str, str], str] = {
    ("partners", "0004_invoice_credited", "AddField invoice.amount_credited NOT NULL"): (
        "before the first production start; a constant default on PostgreSQL 11+ "
        "is stored in the catalogue, no table rewrite"
    ),
    (
        "materials",
        "0002_starter_pack_per_facilitator",
        "AddConstraint dispatch dispatch_starter_once_per_person_meeting without CONCURRENTLY",
    ): ("before the first production start; a partial unique index on starter packs only"),
    (
        "materials",
        "0002_starter_pack_per_facilitator",
        "AddConstraint dispatch dispatch_starter_one_waiting_per_meeting without CONCURRENTLY",
    ): ("before the first production start; a partial unique index on waiting starter packs only"),
    ("meetings", "0004_venue_unplaced", "AddField meeting.venue_unplaced NOT NULL"): (
        "before the first production start; a constant default on PostgreSQL 11+ "
        "is stored in the catalogue, no table rewrite"
    ),
    ("partners", "0008_receivables", "AddField invoice.amount_refunded NOT NULL"): (
        "before the first production start; a constant default on PostgreSQL 11+ "
        "is stored in the catalogue, no table rewrite"
    ),
    ("partners", "0008_receivables", "AddField invoice.billing_address NOT NULL"): (
        "before the first production start; a constant default on PostgreSQL 11+ "
        "is stored in the catalogue, no table rewrite"
    ),
    ("partners", "0008_receivables", "AddField invoice.po_number NOT NULL"): (
        "before the first production start; a constant default on PostgreSQL 11+ "
        "is stored in the catalogue, no table rewrite"
    ),
    ("partners", "0008_receivables", "AddField invoice.po_waived_reason NOT NULL"): (
        "before the first production start; a constant default on PostgreSQL 11+ "
        "is stored in the catalogue, no table rewrite"
    ),
    ("partners", "0008_receivables", "AddField invoice.void_reason NOT NULL"): (
        "before the first production start; a constant default on PostgreSQL 11+ "
        "is stored in the catalogue, no table rewrite"
    ),
    ("partners", "0008_receivables", "AddField payment.reversal_reason NOT NULL"): (
        "before the first production start; a constant default on PostgreSQL 11+ "
        "is stored in the catalogue, no table rewrite"
    ),
}


def _problems() -> list[tuple[str, str, str]]:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    found = []
    for (app, name), migration in sorted(loader.disk_migrations.items()):
        if app not in {a for a, _m in BIG_TABLES}:
            continue
        created = {
            op.name_lower for op in migration.operations if isinstance(op, migrations.CreateModel)
        }
        state = None
        for op in migration.operations:
            model = getattr(op, "model_name", None) or getattr(op, "name_lower", None)
            if (app, model) not in BIG_TABLES or model in created:
                continue
            problem = None
            if isinstance(op, migrations.AddField) and not op.field.null:
                problem = f"AddField {model}.{op.name} NOT NULL"
            elif isinstance(op, migrations.AlterField):
                state = state or loader.project_state((app, name), at_end=False)
                old = state.apps.get_model(app, model)._meta.get_field(op.name)
                new = op.field.clone()
                new.set_attributes_from_name(op.name)
                new.model = old.model
                if old.db_type(connection) != new.db_type(connection):
                    problem = f"AlterField {model}.{op.name} type change"
            elif isinstance(op, (migrations.AddIndex, migrations.AddConstraint)) and (
                type(op).__name__ != "AddIndexConcurrently"
            ):
                what = getattr(op, "index", None) or getattr(op, "constraint", None)
                if isinstance(op, migrations.AddIndex) or getattr(what, "fields", None):
                    problem = f"{type(op).__name__} {model} {what.name} without CONCURRENTLY"
            elif isinstance(op, migrations.AlterUniqueTogether):
                problem = f"AlterUniqueTogether {model}"
            if problem:
                found.append((app, name, problem))
    return found


def test_no_migration_locks_a_big_table():
    problems = [p for p in _problems() if p not in ALLOWED]
    assert problems == [], (
        "these operations lock a big table while they rewrite or index it; use the safe "
        "pattern in this module's docstring (or allow one with its reason): "
        f"{problems}"
    )


def test_the_scan_finds_an_unsafe_operation(monkeypatch):
    """The scan itself can fail: a NOT NULL column added to head counts."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    key = max(k for k in loader.disk_migrations if k[0] == "meetings")
    migration = loader.disk_migrations[key]
    op = migrations.AddField("headcount", "weather", models.CharField(max_length=10, default=""))
    monkeypatch.setattr(migration, "operations", [*migration.operations, op])
    monkeypatch.setattr(MigrationLoader, "__init__", _reuse(loader))
    assert ("meetings", key[1], "AddField headcount.weather NOT NULL") in _problems()


def _reuse(loader):
    def init(self, *args, **kwargs):
        self.__dict__.update(loader.__dict__)

    return init
