"""Benchmark the board: the staff dashboard and the board report PDF.

    DATABASE_URL=postgres://... .venv/bin/python -m bench.board [--seed 10] [--repeat 5]

On the database in DATABASE_URL (loaded by ``seed_demo --scale N``, or pass
``--seed N`` to load it first), it:
1. requests the staff dashboard (``/staff/``) cold (cache cleared before each
   request) and warm, as a staff admin: median time and the SQL query count,
   which must not change between runs or scales;
2. requests the objectives list (``/staff/board/``): time and queries;
3. builds a report snapshot for a board meeting (every objective's value,
   light and chart series) and renders its PDF, with the time and the
   process's peak memory (RSS; tracemalloc would slow the timing down).
   Targets: the PDF of 20 objectives and 100 actions in under 10 s, peak
   memory under 500 MB.
Nothing is written: the snapshot is not stored. Prints a markdown table;
``--json FILE`` also writes the numbers.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
from pathlib import Path


def _request(client, path: str, *, clear_cache: bool) -> tuple[float, int, int]:
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if clear_cache:
        cache.clear()
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.get(path)
        elapsed = time.perf_counter() - started
    return elapsed, len(queries.captured_queries), response.status_code


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=None, help="load seed_demo at this scale")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    if args.seed:
        started = time.perf_counter()
        call_command("seed_demo", scale=args.seed, force=True, verbosity=0)
        print(f"seed_demo --scale {args.seed}: {time.perf_counter() - started:.1f}s", flush=True)

    from board.models import Action, BoardMeeting, Objective
    from board.pdf import render_snapshot_pdf
    from board.selectors import build_snapshot
    from meetings.selectors import meetings_per_week
    from smartnet.models import User
    from smartnet.roles import Role

    today = timezone.localdate()
    admin = User.objects.filter(role=Role.STAFF_ADMIN, is_active=True).first()
    if admin is None:
        print("No staff admin: load the demo first (--seed N).", file=sys.stderr)
        return 1
    client = Client()
    client.force_login(admin)
    results: dict = {
        "database": connection.vendor,
        "meetings_per_week": meetings_per_week(on=today),
        "objectives": Objective.objects.filter(archived=False).count(),
        "actions": Action.objects.filter(objective__archived=False).count(),
        "pages": {},
    }

    for name, path, clear in [
        ("staff dashboard, cold", "/staff/", True),
        ("staff dashboard, cached", "/staff/", False),
        ("objectives list", "/staff/board/", False),
    ]:
        _request(client, path, clear_cache=clear)  # warm up
        runs = [_request(client, path, clear_cache=clear) for _ in range(args.repeat)]
        statuses = {status for _, _, status in runs}
        counts = sorted({count for _, count, _ in runs})
        results["pages"][name] = {
            "median_ms": round(statistics.median(t for t, _, _ in runs) * 1000, 1),
            "max_ms": round(max(t for t, _, _ in runs) * 1000, 1),
            "queries": counts,
            "status": sorted(statuses),
        }
        print(f"{name}: {results['pages'][name]}", flush=True)

    meeting = BoardMeeting.objects.filter(date__gte=today).order_by("date").first()
    rss_before_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    cpu_started = time.process_time()
    started = time.perf_counter()
    snapshot = build_snapshot(
        on=today,
        meeting_date=meeting.date if meeting else None,
        meeting_title=str(meeting) if meeting else "Benchmark",
    )
    snapshot_s = time.perf_counter() - started
    snapshot_cpu = time.process_time() - cpu_started
    cpu_started = time.process_time()
    started = time.perf_counter()
    pdf = render_snapshot_pdf(snapshot, status_label="BENCHMARK")
    pdf_s = time.perf_counter() - started
    pdf_cpu = time.process_time() - cpu_started
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    results["report"] = {
        "objectives": len(snapshot["objectives"]),
        "actions": sum(len(o["actions"]) for o in snapshot["objectives"]),
        "snapshot_s": round(snapshot_s, 2),
        "pdf_s": round(pdf_s, 2),
        "total_s": round(snapshot_s + pdf_s, 2),
        # CPU time of this process (the database's work not included): on a busy
        # machine it shows what the wall-clock time would be on an idle one.
        "snapshot_cpu_s": round(snapshot_cpu, 2),
        "pdf_cpu_s": round(pdf_cpu, 2),
        "pdf_bytes": len(pdf),
        "rss_before_report_mb": round(rss_before_mb, 1),
        "process_peak_rss_mb": round(rss_mb, 1),
    }
    print(f"report: {results['report']}", flush=True)

    print()
    print(
        f"| board ({results['database']}, {results['meetings_per_week']} meetings/week, "
        f"{results['objectives']} objectives, {results['actions']} actions) "
        "| median | max | queries |"
    )
    print("|---|---|---|---|")
    for name, row in results["pages"].items():
        print(f"| {name} | {row['median_ms']} ms | {row['max_ms']} ms | {row['queries']} |")
    r = results["report"]
    print(
        f"| report snapshot + PDF ({r['objectives']} objectives, {r['actions']} actions) "
        f"| {r['snapshot_s']} s + {r['pdf_s']} s "
        f"(CPU {r['snapshot_cpu_s']} s + {r['pdf_cpu_s']} s) "
        f"| process peak {r['process_peak_rss_mb']} MB RSS "
        f"({r['rss_before_report_mb']} MB before) | - |"
    )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))
    ok = r["total_s"] < 10 and r["process_peak_rss_mb"] < 500
    for row in results["pages"].values():
        ok = ok and len(row["queries"]) == 1 and row["status"] == [200]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
