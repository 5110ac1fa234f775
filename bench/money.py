"""Benchmark money in (issue 17): a day's chasing and a bank statement matched.

    .venv/bin/python -m bench.money [--organisations 10000] [--invoices 30000] [--lines 2000]

Against the database in DATABASE_URL (PostgreSQL for real numbers), inside a
transaction rolled back at the end, so it leaves nothing behind. E-mail goes
to memory, and the mail module's check that a claim is committed before its
send is switched off (everything here is one transaction, rolled back).

1. bulk-inserts ``--organisations`` organisations (a billing contact each) and
   ``--invoices`` issued invoices among them, due dates spread over the last
   400 days and the next 30; a third of them paid; the overdue ones carry the
   reminders of the steps they passed before today (a steady state: the job
   ran every day until yesterday);
2. runs ``run_chasing`` for today, then today again, then tomorrow: the
   seconds, SQL queries, open overdue invoices scanned and reminders sent;
3. matches a ``--lines`` line bank statement (Barclays layout; most lines name
   an open invoice with its balance, some with another amount, some without a
   number): the seconds and queries of reading and matching, then of posting.

Prints a markdown table; exits 1 when a day's chasing takes 10 s or more or
the statement takes 5 s or more to match.
"""

from __future__ import annotations

import argparse
import datetime
import time
import uuid
from collections import deque

from bench import Rollback


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=10_000)
    parser.add_argument("--invoices", type=int, default=30_000)
    parser.add_argument("--lines", type=int, default=2_000)
    args = parser.parse_args(argv)

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection, transaction
    from django.utils import timezone

    from smartnet import mail

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail._require_committed = lambda: None  # one rolled-back transaction
    connection.queries_log = deque(maxlen=1_000_000)
    rows: list[tuple] = []
    try:
        with transaction.atomic():
            today = timezone.localdate()
            t0 = time.perf_counter()
            invoices = _insert(args, today, uuid.uuid4().hex[:6])
            print(f"inserted in {time.perf_counter() - t0:.1f} s", flush=True)
            rows += _chasing(today)
            rows.append(_statement(args, invoices, today))
            raise Rollback
    except Rollback:
        pass
    print(
        f"\n{connection.vendor}, {args.organisations:,} organisations, {args.invoices:,} invoices\n"
    )
    print("| run | seconds | SQL queries | scanned | acted on |")
    print("|---|---:|---:|---:|---:|")
    for label, seconds, queries, scanned, acted in rows:
        print(f"| {label} | {seconds:.2f} | {queries:,} | {scanned:,} | {acted:,} |")
    chasing_ok = all(r[1] < 10 for r in rows if r[0].startswith("chasing"))
    statement_ok = all(r[1] < 5 for r in rows if r[0].startswith("statement matched"))
    return 0 if chasing_ok and statement_ok else 1


def _insert(args, today: datetime.date, tag: str):
    from decimal import Decimal

    from django.conf import settings
    from django.db import connection

    from partners.defaults import ensure_defaults
    from partners.models import (
        Affiliation,
        AffiliationRole,
        Invoice,
        InvoiceReminder,
        Organisation,
        Person,
    )

    ensure_defaults()
    orgs = Organisation.objects.bulk_create(
        (
            Organisation(name=f"Bench {tag} {i}", slug=f"bench-{tag}-{i}", kind="nhs")
            for i in range(args.organisations)
        ),
        batch_size=2000,
    )
    people = Person.objects.bulk_create(
        (
            Person(first_name="Bench", last_name=o.slug, email=f"{o.slug}@bench.example")
            for o in orgs
        ),
        batch_size=2000,
    )
    Affiliation.objects.bulk_create(
        (
            Affiliation(
                person=p,
                organisation=o,
                role=AffiliationRole.BILLING_CONTACT,
                start_date=today - datetime.timedelta(days=800),
            )
            for p, o in zip(people, orgs, strict=True)
        ),
        batch_size=2000,
    )
    base = 900_000_000  # numbers INV-9xxxxxxxx, apart from real ones
    invoices = []
    for i in range(args.invoices):
        due = today - datetime.timedelta(days=(i * 431) // args.invoices - 30)
        total = Decimal(500 + (i % 7) * 100)
        paid = total if i % 3 == 0 else Decimal(0)
        invoices.append(
            Invoice(
                organisation=orgs[i % len(orgs)],
                number=f"INV-{base + i}",
                status="paid" if paid else "issued",
                issue_date=due - datetime.timedelta(days=30),
                due_date=due,
                net_total=total,
                total=total,
                amount_paid=paid,
            )
        )
    invoices = Invoice.objects.bulk_create(invoices, batch_size=2000)
    steps = sorted(settings.PARTNERS_CHASE_DAYS)
    InvoiceReminder.objects.bulk_create(
        (
            InvoiceReminder(
                invoice=inv,
                days=step,
                for_date=inv.due_date + datetime.timedelta(days=step),
                recipients="x@bench.example",
            )
            for inv in invoices
            if inv.status == "issued"
            for step in steps
            if inv.due_date + datetime.timedelta(days=step) < today
        ),
        batch_size=5000,
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "ANALYZE partners_invoice, partners_invoicereminder, partners_affiliation, "
                "partners_chasinghold, partners_organisation, partners_person"
            )
    return invoices


def _chasing(today: datetime.date) -> list[tuple]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from partners import selectors
    from partners.services import run_chasing

    rows = []
    for label, day in (
        ("chasing: today", today),
        ("chasing: today again", today),
        ("chasing: tomorrow", today + datetime.timedelta(days=1)),
    ):
        scanned = selectors.overdue_invoices(on=day).count()
        with CaptureQueriesContext(connection) as ctx:
            t0 = time.perf_counter()
            summary = run_chasing(today=day)
            seconds = time.perf_counter() - t0
        rows.append((label, seconds, len(ctx), scanned, len(summary["reminders"])))
        print(rows[-1], flush=True)
    return rows


def _statement(args, invoices, today: datetime.date) -> tuple:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from partners.services import statements

    open_invoices = [i for i in invoices if i.status == "issued"]
    lines = ["Number,Date,Account,Amount,Subcategory,Memo"]
    day = f"{today:%d/%m/%Y}"
    for n in range(args.lines):
        inv = open_invoices[(n * 7) % len(open_invoices)]
        if n % 10 == 8:
            memo, amount = f"PART {inv.number}", inv.total - 1
        elif n % 10 == 9:
            memo, amount = f"UNKNOWN PAYER {n}", inv.total
        else:
            memo, amount = f"BACS {inv.number} REMIT", inv.total
        lines.append(f",{day},20-00-00 12345678,{amount},DIRECTDEP,{memo}")
    content = "\n".join(lines) + "\n"
    statement = statements.statement_upload(raw=content.encode(), filename="b.csv", user=None)
    columns = statements.guess_columns(statements.read_csv(content)[0])
    with CaptureQueriesContext(connection) as ctx:
        t0 = time.perf_counter()
        matched = statements.match_lines(statements.statement_lines(statement.content, columns))
        seconds = time.perf_counter() - t0
    count = sum(1 for line in matched if line.status == "matched")
    print(("statement matched", seconds, len(ctx), args.lines, count), flush=True)
    return (f"statement matched ({args.lines:,} lines)", seconds, len(ctx), args.lines, count)


if __name__ == "__main__":
    raise SystemExit(main())
