"""Benchmark the materials dispatch queue and the packing-slip PDFs.

    .venv/bin/python -m bench.materials [--requests 50000] [--slips 500]

Against the database in DATABASE_URL (PostgreSQL for real numbers), inside a
transaction that is rolled back at the end, so it leaves nothing behind:
1. bulk-inserts ``--requests`` dispatches (two lines each) and times the
   staff queue's pages (first, second, middle, last, filtered), counting SQL
   queries: the count must be the same on every page;
2. renders packing slips and address labels for ``--slips`` packed
   dispatches (target: under 20 s).
Prints a markdown table; ``--json FILE`` also writes the numbers as JSON.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import uuid
from pathlib import Path

from bench import Rollback


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50_000)
    parser.add_argument("--slips", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)

    import django

    django.setup()
    from django.db import connection, transaction

    results: dict = {"database": connection.vendor, "requests": args.requests}
    try:
        with transaction.atomic():
            _run(args, results)
            raise Rollback
    except Rollback:
        pass
    _report(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))
    return 0 if results["queries_fixed"] and results["slips_seconds"] < 20 else 1


def _run(args, results: dict) -> None:
    from decimal import Decimal

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from materials import pdf
    from materials.models import Dispatch, DispatchLine, Item, Reason, Status
    from smartnet.models import User
    from smartnet.roles import Role

    poster = Item.objects.create(
        code=f"bench-poster-{uuid.uuid4().hex[:6]}",
        name=f"Bench poster {uuid.uuid4().hex[:6]}",
        unit_cost=Decimal("0.80"),
    )
    leaflet = Item.objects.create(
        code=f"bench-leaflet-{uuid.uuid4().hex[:6]}",
        name=f"Bench leaflet {uuid.uuid4().hex[:6]}",
        unit_cost=Decimal("0.06"),
    )
    started = time.perf_counter()
    now = timezone.now()
    statuses = [Status.SUBMITTED, Status.APPROVED, Status.PACKED, Status.AWAITING_VERIFICATION]
    batch = 5000
    for offset in range(0, args.requests, batch):
        size = min(batch, args.requests - offset)
        dispatches = Dispatch.objects.bulk_create(
            Dispatch(
                reason=Reason.REQUEST,
                status=statuses[(offset + i) % len(statuses)],
                contact_name=f"Facilitator {offset + i}",
                contact_email=f"f{offset + i}@example.org",
                address_line_1=f"{i % 200 + 1} High Street",
                town="Leeds",
                postcode="LS1 4DY",
                meeting_label=f"Meeting {(offset + i) % 500}",
                idempotency_key=uuid.uuid4(),
                created_at=now,
                packed_at=now if statuses[(offset + i) % len(statuses)] == Status.PACKED else None,
            )
            for i in range(size)
        )
        DispatchLine.objects.bulk_create(
            [
                line
                for d in dispatches
                for line in (
                    DispatchLine(dispatch=d, item=poster, quantity=10, quantity_packed=10),
                    DispatchLine(dispatch=d, item=leaflet, quantity=100, quantity_packed=100),
                )
            ]
        )
    results["insert_seconds"] = round(time.perf_counter() - started, 1)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # fresh planner statistics, as autovacuum would
            cursor.execute("ANALYZE materials_dispatch")
            cursor.execute("ANALYZE materials_dispatchline")

    staff = User.objects.create_user(
        email=f"bench-{uuid.uuid4().hex[:8]}@example.org", role=Role.MATERIALS
    )
    client = Client()
    client.force_login(staff)
    last = (args.requests + 49) // 50
    pages = {
        "queue page 1 (all)": "/staff/materials/?status=all",
        "queue page 2 (all)": "/staff/materials/?status=all&page=2",
        "queue middle page": f"/staff/materials/?status=all&page={last // 2}",
        "queue last page": f"/staff/materials/?status=all&page={last}",
        "queue open, default": "/staff/materials/",
        "queue search 'Facilitator 4999'": "/staff/materials/?status=all&q=Facilitator+4999",
    }
    rows = []
    counts = set()
    for label, url in pages.items():
        times = []
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as ctx:
                t0 = time.perf_counter()
                response = client.get(url, HTTP_HOST="localhost")
                times.append(time.perf_counter() - t0)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}")
        queries = len(ctx.captured_queries)
        counts.add(queries)
        rows.append(
            {
                "page": label,
                "median_ms": round(statistics.median(times) * 1000, 1),
                "max_ms": round(max(times) * 1000, 1),
                "queries": queries,
            }
        )
    results["pages"] = rows
    results["queries_fixed"] = len(counts) == 1

    packed = list(
        Dispatch.objects.filter(status=Status.PACKED, lines__item=poster)
        .distinct()
        .prefetch_related("lines__item")
        .order_by("pk")[: args.slips]
    )
    t0 = time.perf_counter()
    slips = pdf.packing_slips(packed)
    results["slips_seconds"] = round(time.perf_counter() - t0, 2)
    results["slips_bytes"] = len(slips)
    t0 = time.perf_counter()
    labels = pdf.address_labels(packed)
    results["labels_seconds"] = round(time.perf_counter() - t0, 2)
    results["labels_bytes"] = len(labels)
    results["slips_count"] = len(packed)


def _report(results: dict) -> None:
    print(f"\nMaterials benchmark on {results['database']}, {results['requests']:,} requests")
    print(f"(inserted in {results['insert_seconds']} s, rolled back afterwards)\n")
    print("| page | median ms | max ms | SQL queries |")
    print("|---|---:|---:|---:|")
    for row in results["pages"]:
        print(f"| {row['page']} | {row['median_ms']} | {row['max_ms']} | {row['queries']} |")
    print(f"\nSame query count on every page: {'yes' if results['queries_fixed'] else 'NO'}")
    print(
        f"Packing slips for {results['slips_count']} dispatches: {results['slips_seconds']} s "
        f"({results['slips_bytes'] // 1024} KiB); address labels: {results['labels_seconds']} s "
        f"(target: under 20 s)"
    )


if __name__ == "__main__":
    sys.exit(main())
