"""Benchmark the renewals job and the staff partner list.

    .venv/bin/python -m bench.partners [--agreements 10000] [--partners 3000]

Against the database in DATABASE_URL (PostgreSQL for real numbers), inside a
transaction rolled back at the end, so it leaves nothing behind (e-mail goes
to memory):

1. bulk-inserts ``--agreements`` active site-licence agreements (one term,
   one site, one contact each) whose end dates are spread evenly over a year,
   so each day brings a few to each reminder mark, a few to the 30-day
   renewal draft and a few to lapse;
2. runs ``run_renewals`` for one day as a catch-up (the job never ran before,
   so it acts on every period inside the 60-day window), then for the same
   day again (acts on nothing), then for each of the next ``--days`` days:
   the seconds, the SQL queries, the periods scanned and those acted on;
3. times the staff partner list with ``--partners`` partners at page sizes
   25, 50, 100 and 200: the query count must be the same at every size.

Prints a markdown table; ``--json FILE`` also writes the numbers.
"""

from __future__ import annotations

import argparse
import datetime
import json
import statistics
import sys
import time
import uuid
from pathlib import Path

from bench import Rollback


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agreements", type=int, default=10_000)
    parser.add_argument("--partners", type=int, default=3_000)
    parser.add_argument("--days", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection, transaction

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    results: dict = {"database": connection.vendor, "agreements": args.agreements}
    try:
        with transaction.atomic():
            _partner_list(args, results)
            _renewals(args, results)
            raise Rollback
    except Rollback:
        pass
    _report(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))
    daily_ok = all(r["seconds"] < 10 for r in results["runs"])
    return 0 if daily_ok and results["list_queries_fixed"] else 1


def _insert(n: int, today: datetime.date, tag: str, *, spread_days: int = 365):
    from decimal import Decimal

    from partners.defaults import ensure_defaults
    from partners.models import (
        Affiliation,
        AffiliationRole,
        Agreement,
        AgreementKind,
        AgreementPeriod,
        Area,
        Organisation,
        Person,
        Site,
        SiteCoverage,
    )

    ensure_defaults()
    area, _ = Area.objects.get_or_create(
        ons_code="E08000003",
        defaults={
            "name": "Manchester",
            "nation": "england",
            "region": "North West",
            "population": 1,
        },
    )
    batch = 2000
    for offset in range(0, n, batch):
        size = min(batch, n - offset)
        orgs = Organisation.objects.bulk_create(
            Organisation(
                name=f"Bench {tag} {offset + i}",
                slug=f"bench-{tag}-{offset + i}",
                kind="treatment_provider",
            )
            for i in range(size)
        )
        sites = Site.objects.bulk_create(
            Site(
                organisation=o,
                name=f"Site {o.slug}",
                address_line_1="1 High Street",
                town="Manchester",
                postcode="M1 1AE",
                area=area,
                site_type="community",
            )
            for o in orgs
        )
        people = Person.objects.bulk_create(
            Person(first_name="Bench", last_name=o.slug, email=f"{o.slug}@bench.example")
            for o in orgs
        )
        Affiliation.objects.bulk_create(
            Affiliation(
                person=p,
                organisation=o,
                role=AffiliationRole.MAIN_CONTACT,
                start_date=today - datetime.timedelta(days=800),
            )
            for p, o in zip(people, orgs, strict=True)
        )
        agreements = Agreement.objects.bulk_create(
            Agreement(
                kind=AgreementKind.SITE_LICENCE,
                organisation=o,
                reference=f"B-{tag}-{o.pk}",
                signed_on=today - datetime.timedelta(days=400),
            )
            for o in orgs
        )
        periods = []
        for i, agreement in enumerate(agreements):
            # End dates spread evenly from 40 days ago to a year ahead.
            end = today + datetime.timedelta(days=((offset + i) * spread_days) // n - 40)
            start = end - datetime.timedelta(days=364)
            periods.append(
                AgreementPeriod(
                    agreement=agreement,
                    start_date=start,
                    end_date=end,
                    status="active",
                    drafted_on=start,
                    sent_on=start,
                    activated_on=start,
                    site_fee=Decimal("500.00"),
                )
            )
        periods = AgreementPeriod.objects.bulk_create(periods)
        SiteCoverage.objects.bulk_create(
            SiteCoverage(period=p, site=s, joined_on=p.start_date)
            for p, s in zip(periods, sites, strict=True)
        )
    # Fresh statistics, as autovacuum keeps them in production; without them
    # the planner takes the freshly filled tables for empty ones.
    from django.db import connection

    if connection.vendor == "postgresql":
        tables = [
            "partners_organisation",
            "partners_site",
            "partners_person",
            "partners_affiliation",
            "partners_agreement",
            "partners_agreementperiod",
            "partners_sitecoverage",
            "partners_invoice",
            "partners_reminder",
        ]
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE " + ", ".join(tables))


def _renewals(args, results: dict) -> None:
    from collections import deque

    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from partners.models import IN_FORCE_STATUSES, AgreementPeriod
    from partners.services import run_renewals

    connection.queries_log = deque(maxlen=1_000_000)  # the catch-up run makes many
    today = timezone.localdate()
    t0 = time.perf_counter()
    _insert(args.agreements, today, uuid.uuid4().hex[:6])
    results["insert_seconds"] = round(time.perf_counter() - t0, 1)

    def one(label: str, day: datetime.date) -> dict:
        scanned = AgreementPeriod.objects.filter(
            status__in=IN_FORCE_STATUSES, end_date__lte=day + datetime.timedelta(days=60)
        ).count()
        reset_queries()
        with CaptureQueriesContext(connection) as ctx:
            t = time.perf_counter()
            summary = run_renewals(today=day)
            seconds = time.perf_counter() - t
        acted = (
            len(summary["reminders"]) + len(summary["renewals_drafted"]) + len(summary["lapsed"])
        )
        return {
            "run": label,
            "day": day.isoformat(),
            "seconds": round(seconds, 2),
            "queries": len(ctx.captured_queries),
            "scanned": scanned,
            "reminders": len(summary["reminders"]),
            "drafted": len(summary["renewals_drafted"]),
            "lapsed": len(summary["lapsed"]),
            "acted": acted,
            "left": summary["left"],
        }

    def day(label: str, on: datetime.date) -> list[dict]:
        """Runs for one day, batch after batch (as the task queues them)."""
        rows = [one(label, on)]
        while rows[-1]["left"]:
            rows.append(one(f"{label}, batch {len(rows) + 1}", on))
        if len(rows) > 1:
            rows[0]["run"] = f"{label}, batch 1"
        return rows

    runs = day("first run (catch-up)", today)
    again = day("same day again", today)
    daily = []
    for d in range(1, args.days + 1):
        daily += day(f"day +{d}", today + datetime.timedelta(days=d))
    results["runs"] = runs + again + daily
    catch_up = runs
    results["catch_up"] = {
        "batches": len(catch_up),
        "total_seconds": round(sum(r["seconds"] for r in catch_up), 1),
        "slowest_batch_seconds": max(r["seconds"] for r in catch_up),
    }
    # Queries per action, from the daily runs (the constant part is the fixed scan).
    fixed = again[0]["queries"]
    per = [(r["queries"] - fixed) / r["acted"] for r in daily if r["acted"]]
    results["fixed_queries"] = fixed
    results["queries_per_action"] = round(statistics.mean(per), 1) if per else None


def _partner_list(args, results: dict) -> None:
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from partners.models import Organisation
    from smartnet.models import User
    from smartnet.roles import Role

    have = Organisation.objects.exclude(kind="commissioner").count()
    if have < args.partners:
        _insert(args.partners - have, timezone.localdate(), uuid.uuid4().hex[:6])
    total = Organisation.objects.exclude(kind="commissioner").count()
    staff = User.objects.create_user(
        email=f"bench-{uuid.uuid4().hex[:8]}@example.org", role=Role.STAFF_ADMIN
    )
    client = Client()
    client.force_login(staff)
    rows, counts = [], set()
    urls = [(f"page size {n}", f"/staff/partners/?per_page={n}") for n in (25, 50, 100, 200)]
    urls += [
        ("last page (50)", f"/staff/partners/?page={(total + 49) // 50}"),
        ("filter renewal due + search", "/staff/partners/?status=renewal_due&q=bench"),
    ]
    for label, url in urls:
        times = []
        for _ in range(args.repeat):
            reset_queries()
            with CaptureQueriesContext(connection) as ctx:
                t0 = time.perf_counter()
                response = client.get(url, HTTP_HOST="localhost")
                times.append(time.perf_counter() - t0)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}")
        if label.startswith("page size"):
            counts.add(len(ctx.captured_queries))
        rows.append(
            {
                "page": label,
                "median_ms": round(statistics.median(times) * 1000, 1),
                "queries": len(ctx.captured_queries),
            }
        )
    results["partners"] = total
    results["list"] = rows
    results["list_queries_fixed"] = len(counts) == 1


def _report(results: dict) -> None:
    print(
        f"\nPartners benchmark on {results['database']}: {results['agreements']:,} agreements "
        f"(inserted in {results['insert_seconds']} s, rolled back afterwards)\n"
    )
    print("| run_renewals | seconds | SQL queries | scanned | reminders | drafted | lapsed |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in results["runs"]:
        print(
            f"| {r['run']} | {r['seconds']} | {r['queries']} | {r['scanned']} | {r['reminders']} "
            f"| {r['drafted']} | {r['lapsed']} |"
        )
    c = results["catch_up"]
    print(
        f"\nCatch-up: {c['batches']} batches, {c['total_seconds']} s in all, the slowest "
        f"{c['slowest_batch_seconds']} s."
    )
    print(
        f"\nFixed part: {results['fixed_queries']} queries; about {results['queries_per_action']} "
        "queries per period acted on."
    )
    print(f"\nStaff partner list with {results['partners']:,} partners:\n")
    print("| page | median ms | SQL queries |")
    print("|---|---:|---:|")
    for row in results["list"]:
        print(f"| {row['page']} | {row['median_ms']} | {row['queries']} |")
    print(
        f"\nSame query count at every page size: {'yes' if results['list_queries_fixed'] else 'NO'}"
    )


if __name__ == "__main__":
    sys.exit(main())
