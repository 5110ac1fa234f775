"""Benchmark the meetings feed and the meetings-per-week series.

    .venv/bin/python -m bench.meetings [--meetings 5000] [--repeat 7]

Against the database in DATABASE_URL (PostgreSQL for real numbers) and the
cache in REDIS_URL, inside a transaction that is rolled back at the end, so it
leaves nothing behind:
1. bulk-inserts ``--meetings`` active public meetings (in person, online,
   hybrid) opened over four years, with their lifecycle and leadership rows;
2. builds the Meeting Guide feed uncached (target under 500 ms) and serves
   it from the cache through the view (target under 20 ms), counting queries
   (the count must not depend on the number of meetings);
3. computes meetings per week for every week of four years (target under 1 s).
Prints a markdown table; ``--json FILE`` also writes the numbers as JSON.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import statistics
import time
from pathlib import Path

from bench import Rollback


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--meetings", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection, transaction

    from meetings import feeds_cache

    results: dict = {
        "database": connection.vendor,
        "cache": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1],
        "meetings": args.meetings,
    }
    try:
        with transaction.atomic():
            _run(args, results)
            raise Rollback
    except Rollback:
        pass
    feeds_cache.invalidate()  # nothing cached may outlive the rolled-back rows
    _report(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))
    ok = (
        results["feed_uncached_ms"] < 500
        and results["feed_cached_ms"] < 20
        and results["series_ms"] < 1000
        and results["queries_fixed"]
    )
    return 0 if ok else 1


def _insert(n: int, today: datetime.date, rng: random.Random) -> None:
    from django.utils import timezone

    from meetings.models import (
        Format,
        Leadership,
        LeadershipPeriod,
        Meeting,
        MeetingStatusChange,
        Status,
    )

    now = timezone.now()
    start = today - datetime.timedelta(days=4 * 365)
    run = rng.randrange(10**6)
    meetings = []
    for i in range(n):
        fmt = rng.choice([Format.IN_PERSON] * 8 + [Format.ONLINE, Format.HYBRID])
        m = Meeting(
            name=f"Bench meeting {i}",
            slug=f"bench-{run}-{i}",
            weekday=rng.randrange(7),
            start_time=datetime.time(18),
            end_time=datetime.time(19, 30),
            format=fmt,
            status=Status.ACTIVE,
            first_active_on=start + datetime.timedelta(days=rng.randrange(1460)),
            notes="Bring a friend if you like.",
            created_at=now,
            updated_at=now,
        )
        if fmt != Format.ONLINE:
            m.venue_name = "Community Hall"
            m.venue_address_line_1 = f"{i} High Street"
            m.venue_town = "Leeds"
            m.venue_postcode = "LS1 4AP"
            m.venue_latitude = "53.79648"
            m.venue_longitude = "-1.54785"
        if fmt != Format.IN_PERSON:
            m.conference_url = f"https://meet.example.org/{i}"
        meetings.append(m)
    Meeting.objects.bulk_create(meetings, batch_size=1000)
    changes, periods = [], []
    for m in meetings:
        opened = m.first_active_on
        changes.append(MeetingStatusChange(meeting=m, status=Status.PROPOSED, on=opened))
        changes.append(MeetingStatusChange(meeting=m, status=Status.ACTIVE, on=opened))
        if rng.random() < 0.2:
            paused = opened + datetime.timedelta(days=rng.randrange(30, 200))
            changes.append(MeetingStatusChange(meeting=m, status=Status.PAUSED, on=paused))
            changes.append(
                MeetingStatusChange(
                    meeting=m, status=Status.ACTIVE, on=paused + datetime.timedelta(days=28)
                )
            )
        periods.append(LeadershipPeriod(meeting=m, kind=Leadership.PROFESSIONAL, start_date=opened))
    MeetingStatusChange.objects.bulk_create(changes, batch_size=5000)
    LeadershipPeriod.objects.bulk_create(periods, batch_size=5000)


def _timed(fn, repeat: int, cpu: list | None = None) -> tuple[float, object]:
    """Median wall-clock milliseconds (and, into ``cpu``, this process's CPU ms:
    steadier than wall time on a shared, loaded machine)."""
    times, cpu_times, value = [], [], None
    for _ in range(repeat):
        c0, t0 = time.process_time(), time.perf_counter()
        value = fn()
        times.append((time.perf_counter() - t0) * 1000)
        cpu_times.append((time.process_time() - c0) * 1000)
    if cpu is not None:
        cpu.append(statistics.median(cpu_times))
    return statistics.median(times), value


def _run(args, results: dict) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from meetings import feeds, feeds_cache, selectors

    today = timezone.localdate()
    rng = random.Random(2014)
    t0 = time.perf_counter()
    _insert(args.meetings, today, rng)
    results["insert_s"] = round(time.perf_counter() - t0, 2)
    listed = len(json.loads(feeds.feed_json()))
    results["listed"] = listed

    def uncached():
        feeds_cache.invalidate()
        return feeds.feed_json()

    with CaptureQueriesContext(connection) as big:
        feeds.feed_json()
    results["feed_queries"] = len(big.captured_queries)
    cpu: list = []
    results["feed_uncached_ms"], body = _timed(uncached, args.repeat, cpu)
    results["feed_uncached_cpu_ms"] = cpu[0]
    results["load_average"] = os.getloadavg()[0]
    results["feed_bytes"] = len(body)

    client = Client(HTTP_ACCEPT_ENCODING="gzip")
    feeds_cache.invalidate()
    client.get("/meetings/feed.json")  # fills the cache
    with CaptureQueriesContext(connection) as cached_queries:
        client.get("/meetings/feed.json")
    results["cached_queries"] = len(cached_queries.captured_queries)
    results["feed_cached_ms"], response = _timed(
        lambda: client.get("/meetings/feed.json"), args.repeat * 3
    )
    if response.status_code != 200:
        raise RuntimeError(f"feed answered {response.status_code}")

    # The same query count with a tenth of the meetings: a fixed number.
    from meetings.models import Meeting

    keep = set(Meeting.objects.order_by("pk").values_list("pk", flat=True)[: args.meetings // 10])
    Meeting.objects.exclude(pk__in=keep).update(is_public=False)
    with CaptureQueriesContext(connection) as small:
        feeds.feed_json()
    results["queries_fixed"] = len(small.captured_queries) == results["feed_queries"]

    start = today - datetime.timedelta(days=4 * 365)
    with CaptureQueriesContext(connection) as series_queries:
        series = selectors.meetings_per_week_series(start=start, end=today)
    results["series_queries"] = len(series_queries.captured_queries)
    results["series_ms"], series = _timed(
        lambda: selectors.meetings_per_week_series(start=start, end=today), args.repeat
    )
    results["series_weeks"] = len(series)


def _report(r: dict) -> None:
    print(
        f"\nmeetings benchmark on {r['database']} (cache {r['cache']}), {r['meetings']} meetings, "
        f"load average {r['load_average']:.1f} on {os.cpu_count()} CPUs"
    )
    print("| measure | value | target |")
    print("|---|---|---|")
    print(f"| public meetings in the feed | {r['listed']} | |")
    print(
        f"| feed uncached (median) | {r['feed_uncached_ms']:.0f} ms "
        f"({r['feed_uncached_cpu_ms']:.0f} ms CPU in Python) | < 500 ms |"
    )
    print(f"| feed from cache through the view (median) | {r['feed_cached_ms']:.1f} ms | < 20 ms |")
    print(
        f"| feed queries (uncached / cached) | {r['feed_queries']} / {r['cached_queries']} | "
        f"fixed: {'yes' if r['queries_fixed'] else 'NO'} |"
    )
    print(f"| feed size | {r['feed_bytes'] / 1024:.0f} KiB | |")
    print(
        f"| meetings per week, {r['series_weeks']} weeks (median) | {r['series_ms']:.0f} ms in "
        f"{r['series_queries']} query | < 1000 ms |"
    )


if __name__ == "__main__":
    raise SystemExit(main())
