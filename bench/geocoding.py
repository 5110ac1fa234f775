"""Benchmark the geocoding backfill: 5,000 venues, the lookup service answering in 20 ms.

    .venv/bin/python -m bench.geocoding [--venues 5000] [--delay 0.02] [--json FILE]

Against the database in DATABASE_URL (PostgreSQL for real numbers), inside a
transaction that is rolled back at the end. It inserts ``--venues`` community
venues without coordinates: a fifth at postcodes in the table (districts of
the sample file), the rest at postcodes only the lookup service knows (a local
stand-in speaking postcodes.io's JSON, answering each request after
``--delay`` seconds), one in fifty at a postcode nobody knows. Then it runs
``geocoding.backfill`` once and times it (target under 30 s), and checks that
every venue it should place was placed.
"""

from __future__ import annotations

import argparse
import datetime
import json
import time
from pathlib import Path

from bench import Rollback


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venues", type=int, default=5000)
    parser.add_argument("--delay", type=float, default=0.02)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import override_settings

    from meetings import geocoding
    from meetings.models import Format, Meeting, PostcodeCentroid, Status
    from tests.meetings.postcodes_io_stub import PostcodesIo

    results: dict = {"database": connection.vendor, "venues": args.venues, "delay": args.delay}
    remote = {}
    for n in range(args.venues):
        # Made-up unit postcodes in districts BN1..BN99 (not in the sample table).
        remote[f"BN{n % 99 + 1} {n % 9 + 1}{chr(65 + n % 26)}{chr(65 + (n // 26) % 26)}"] = (
            50.8 + (n % 100) / 1000,
            -0.1 - (n % 97) / 1000,
        )
    try:
        with PostcodesIo(remote, delay=args.delay) as api, transaction.atomic():
            call_command("load_postcodes", "--sample", verbosity=0)
            known = list(
                PostcodeCentroid.objects.filter(is_district=True).values_list("postcode", flat=True)
            )
            codes = list(remote)
            rows = []
            expected_unplaced = 0
            for n in range(args.venues):
                if n % 50 == 0:
                    postcode = f"ZZ{n % 9 + 1} 9ZZ"
                    expected_unplaced += 1
                elif n % 5 == 0:
                    postcode = f"{known[n % len(known)]} 1AA"
                else:
                    postcode = codes[n]
                rows.append(
                    Meeting(
                        name=f"Venue {n}",
                        slug=f"bench-venue-{n}",
                        weekday=n % 7,
                        start_time=datetime.time(18),
                        end_time=datetime.time(19),
                        format=Format.IN_PERSON,
                        venue_name="Hall",
                        venue_address_line_1="1 High Street",
                        venue_town="Brighton",
                        venue_postcode=postcode,
                        status=Status.ACTIVE,
                    )
                )
            Meeting.objects.bulk_create(rows, batch_size=1000)
            with override_settings(POSTCODES_IO_URL=api.url, POSTCODES_IO_TIMEOUT=5):
                started = time.perf_counter()
                outcome = geocoding.backfill()
                results["seconds"] = round(time.perf_counter() - started, 2)
            results["placed"] = outcome.placed
            results["unplaced"] = outcome.unplaced
            results["expected_unplaced"] = expected_unplaced
            results["service_requests"] = len(api.requests)
            results["left_without_point"] = Meeting.objects.filter(
                slug__startswith="bench-venue-", venue_latitude__isnull=True
            ).count()
            raise Rollback
    except Rollback:
        pass
    print("| measure | measured | target |")
    print("|---|---|---|")
    print(
        f"| backfill of {args.venues:,} venues, lookup answering in "
        f"{args.delay * 1000:.0f} ms | {results['seconds']} s | < 30 s |"
    )
    print(
        f"| placed / not placed | {results['placed']:,} / {results['unplaced']:,} "
        f"(expected not placed: {results['expected_unplaced']:,}) | all placeable placed |"
    )
    print(f"| requests to the lookup service | {results['service_requests']:,} | bulk, 100 each |")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    ok = results["unplaced"] == results["expected_unplaced"] and results["seconds"] < 30
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
