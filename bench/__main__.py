"""The benchmark: ``python -m bench --scale N`` (or ``make bench SCALE=N``).

On the database in DATABASE_URL (PostgreSQL for numbers worth recording; the
runner refuses anything else unless ``--allow-sqlite``), it:

1. loads ``seed_demo --scale N --force`` and times it (skip with ``--no-seed``);
2. requests each main page ``--repeat`` times through Django's test client,
   signed in as a user of the role the page is for: median and p95 time and
   the SQL query count;
3. times the Meeting Guide feed cold (cache cleared before each request) and
   cached, and the raw SQL that reads the same rows (the floor);
4. times the staff dashboard cold against its own SQL statements sent raw;
5. runs the jobs, each in a new Python process for its own peak memory (RSS):
   ``run_renewals`` for every day of a year, a Moodle import of
   ``--moodle-rows`` rows, and the board report PDF.

It writes ``bench/results/scale-N.md`` and ``.json`` and prints the table.
The jobs change the database (renewals, completions): run it on a scratch
database, never on real data.
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench import BASE_DIR

# The jobs send e-mail; keep it in memory, not on the console.
os.environ.setdefault("EMAIL_URL", "memorymail://")


@dataclass
class Page:
    name: str
    path: callable  # () -> str
    role: str | None  # None: anonymous


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def _get(client, path: str):
    """GET ``path`` and read the whole body (a streamed feed is built as it is read)."""
    response = client.get(path)
    if response.streaming:
        b"".join(response.streaming_content)
    return response


def time_request(client, path: str, repeat: int, *, before=None) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if before:
        before()
    _get(client, path)  # warm up: imports, template loading, first connection
    times = []
    for _ in range(repeat):
        if before:
            before()
        started = time.perf_counter()
        response = _get(client, path)
        times.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}")
    if before:
        before()
    with CaptureQueriesContext(connection) as queries:
        _get(client, path)
    return {
        "median_ms": _ms(statistics.median(times)),
        "p95_ms": _ms(_percentile(times, 95)),
        "queries": len(queries),
    }


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _peak_rss_mb() -> float:
    """This process's peak resident memory since it started its program
    (``VmHWM``): unlike ``getrusage``'s ``ru_maxrss``, which Linux carries over
    from the parent across fork and exec, it is the process's own."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def run_job_here(name: str, args) -> dict:
    """Run one job in this process (a fresh one, started by :func:`measure_job`):
    its time and this process's peak resident memory, less what the process held
    once Django and the job's input were ready."""
    prepare = JOBS[name]
    fn = prepare(args)  # builds the job's input (the Moodle file, say) outside the measure
    baseline = _peak_rss_mb()
    started = time.perf_counter()
    result = fn()
    seconds = round(time.perf_counter() - started, 2)
    peak = _peak_rss_mb()
    return {
        "seconds": seconds,
        "result": result,
        "peak_mb": round(peak - baseline, 1),
        "process_peak_mb": round(peak, 1),
    }


def measure_job(name: str, args) -> dict:
    """Run job ``name`` in a new Python process (``python -m bench --job NAME``),
    so its peak memory is its own and not the runner's (a fork would inherit the
    pages the runner touched). The child prints its result as the last line."""
    command = [
        sys.executable,
        "-m",
        "bench",
        "--job",
        name,
        "--moodle-rows",
        str(args.moodle_rows),
        "--renewal-days",
        str(args.renewal_days),
    ]
    if args.allow_sqlite:
        command.append("--allow-sqlite")
    done = subprocess.run(command, capture_output=True, text=True, cwd=BASE_DIR, check=False)
    if done.returncode:
        raise SystemExit(f"job {name} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _commit() -> str:
    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        cwd=BASE_DIR,
        check=False,
    )
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        capture_output=True,
        text=True,
        cwd=BASE_DIR,
        check=False,
    )
    commit = done.stdout.strip() or "unknown"
    return commit + (" (with uncommitted changes)" if dirty.stdout.strip() else "")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="smartnet benchmark (issue 8)")
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--no-seed", action="store_true")
    parser.add_argument("--moodle-rows", type=int, default=100_000)
    parser.add_argument("--renewal-days", type=int, default=365)
    parser.add_argument("--allow-sqlite", action="store_true")
    parser.add_argument("--skip-jobs", action="store_true", help="measure the pages only")
    parser.add_argument("--out", type=Path, default=BASE_DIR / "bench" / "results")
    parser.add_argument("--job", help=argparse.SUPPRESS)  # the runner's child: one job
    args = parser.parse_args(argv)
    if args.scale < 1:
        parser.error("--scale must be 1 or more")

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql" and not args.allow_sqlite:
        parser.error("set DATABASE_URL to a PostgreSQL database (or pass --allow-sqlite)")
    if args.job:
        print(json.dumps(run_job_here(args.job, args), default=str))
        return 0
    # Measure as production runs: no debug cursor or template debugging.
    settings.DEBUG = False
    results: dict = {
        "scale": args.scale,
        "database": connection.vendor,
        "machine": (
            f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
        ),
        "date": datetime.date.today().isoformat(),  # noqa: DTZ011 - a label, not business data
        "commit": _commit(),
        "load_before": _load(),
    }
    # A fresh database has no tables: migrate first (a no-op when up to date).
    call_command("migrate", interactive=False, verbosity=0)

    if not args.no_seed:
        print(f"seed_demo --scale {args.scale} ...", flush=True)
        started = time.perf_counter()
        call_command("seed_demo", scale=args.scale, force=True, stdout=sys.stdout)
        results["seed_seconds"] = round(time.perf_counter() - started, 1)

    results["pages"] = bench_pages(args.repeat)
    results["floors"] = bench_floors(results["pages"], args.repeat)
    results["jobs"] = {} if args.skip_jobs else bench_jobs(args)
    results["load_after"] = _load()
    write(results, args.out)
    return 0


def _user(role: str):
    from smartnet.models import User

    user = User.objects.filter(role=role, is_active=True).order_by("pk").first()
    if user is None:
        raise SystemExit(f"no {role} user in the database: run seed_demo first")
    return user


def bench_pages(repeat: int) -> dict:
    from django.core.cache import cache
    from django.db.models import Count
    from django.test import Client
    from django.urls import reverse

    from meetings.models import Meeting
    from partners.models import Organisation

    busiest = (
        Organisation.objects.annotate(n=Count("sites")).order_by("-n", "pk").values("pk").first()
    )
    venue = (
        Meeting.objects.filter(status="active", is_public=True)
        .exclude(venue_postcode="")
        .values_list("venue_postcode", flat=True)
        .first()
    ) or "M1 1AA"
    pages = [
        Page("staff dashboard", lambda: reverse("staff_dashboard"), "staff_admin"),
        Page("partner list", lambda: reverse("partners_staff:partner_list"), "finance"),
        Page(
            "partner detail",
            lambda: reverse("partners_staff:partner_detail", args=[busiest["pk"]]),
            "finance",
        ),
        Page(
            "meeting finder search",
            lambda: f"{reverse('meetings:finder')}?where={venue}&radius=25",
            None,
        ),
        Page("Champion register", lambda: reverse("training_staff:champions"), "training"),
        Page("dispatch queue", lambda: reverse("materials_staff:queue"), "materials"),
        Page("portal home", lambda: reverse("portal:home"), "partner_contact"),
        Page("feed (cached)", lambda: reverse("meetings:feed"), None),
    ]
    out = {}
    for page in pages:
        client = Client()
        if page.role:
            client.force_login(_user(page.role))
        print(f"page: {page.name}", flush=True)
        out[page.name] = time_request(client, page.path(), repeat)
    print("page: feed (cold)", flush=True)
    out["feed (cold)"] = time_request(
        Client(), reverse("meetings:feed"), repeat, before=cache.clear
    )
    region = _busiest_region()
    print(f"page: region feed {region} (cold)", flush=True)
    out["region feed (cold)"] = time_request(
        Client(), reverse("meetings:region_feed", args=[region]), repeat, before=cache.clear
    )
    print("page: staff dashboard (cold)", flush=True)
    client = Client()
    client.force_login(_user("staff_admin"))
    out["staff dashboard (cold)"] = time_request(
        client, reverse("staff_dashboard"), repeat, before=cache.clear
    )
    return out


def _busiest_region() -> str:
    """The region with the most listed meetings: the largest regional feed."""
    from meetings import feeds

    return max(feeds.regions(), key=lambda region: (region[2], region[0]))[0]


FEED_FLOOR_SQL = """
SELECT m.id, m.name, m.slug, m.weekday, m.start_time, m.end_time, m.format, m.programme,
       m.venue_name, m.venue_address_line_1, m.venue_town, m.venue_postcode,
       m.venue_latitude, m.venue_longitude, m.conference_url, m.conference_phone, m.updated_at,
       s.name, s.address_line_1, s.town, s.postcode, s.latitude, s.longitude, a.name
FROM meetings_meeting m
LEFT JOIN partners_site s ON s.id = m.site_id
LEFT JOIN partners_area a ON a.id = s.area_id
WHERE m.status = 'active' AND m.is_public
"""


def dashboard_statements() -> list[str]:
    """The SQL statements that compute the staff dashboard's figures, as sent to
    the database by one cold computation (parameters bound by the driver)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from board.dashboard import compute_figures

    with CaptureQueriesContext(connection) as captured:
        compute_figures(today=timezone.localdate())
    return [q["sql"] for q in captured.captured_queries]


def time_statements(statements: list[str], repeat: int) -> float:
    """Median time to run ``statements`` one after another on a raw cursor."""
    from django.db import connection

    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
                cursor.fetchall()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def bench_floors(pages: dict, repeat: int) -> dict:
    """The floors: the database's work for the same numbers, without the app.

    Feed: one hand-written SELECT of the rows and columns the feed sends.
    Dashboard: its figures come from some twenty metrics of five apps, so its
    floor is the dashboard's own statements, captured and sent raw (no ORM, no
    Python work on the rows): the ratio is what the application adds to the
    database's work. Each statement's plan was read with EXPLAIN ANALYZE at
    scale 10 (README "Performance").
    """
    from django.db import DatabaseError, transaction

    floors = {}
    statements = dashboard_statements()
    for name, run, page, detail in [
        ("feed", lambda: time_statements([FEED_FLOOR_SQL], repeat), "feed (cold)", "1 statement"),
        (
            "staff dashboard",
            lambda: time_statements(statements, repeat),
            "staff dashboard (cold)",
            f"{len(statements)} statements",
        ),
    ]:
        try:
            with transaction.atomic():
                floor = run()
        except DatabaseError as exc:  # a column renamed since: say so, do not guess
            floors[name] = {"error": str(exc).splitlines()[0]}
            continue
        app = pages[page]["median_ms"]
        floors[name] = {
            "floor_ms": _ms(floor),
            "app_ms": app,
            "ratio": round(app / max(_ms(floor), 0.1), 1),
            "detail": detail,
        }
    return floors


def _renewals_year(args):
    from django.utils import timezone

    from partners.services import run_renewals

    today = timezone.localdate()

    def run():
        slowest_run = slowest_day = 0.0
        runs = 0
        for offset in range(args.renewal_days):
            day_started = time.perf_counter()
            while True:  # a day's batches, as the task queues them
                started = time.perf_counter()
                summary = run_renewals(today=today + datetime.timedelta(days=offset))
                slowest_run = max(slowest_run, time.perf_counter() - started)
                runs += 1
                if not summary["left"]:
                    break
            slowest_day = max(slowest_day, time.perf_counter() - day_started)
        return {
            "days": args.renewal_days,
            "runs": runs,
            "slowest_run_s": round(slowest_run, 2),
            "slowest_day_s": round(slowest_day, 2),
        }

    return run


def _moodle_import(args):
    from partners.models import Person
    from training import services as training_services

    emails = list(
        Person.objects.exclude(email="").order_by("pk").values_list("email", flat=True)[:5000]
    )
    buffer = io.StringIO()
    buffer.write(
        "Full name,Email address,Username,ID number,Course short name,"
        "Course completion: Time completed,Grade\n"
    )
    start = datetime.datetime(2012, 1, 1, 10, tzinfo=datetime.UTC)
    for i in range(args.moodle_rows):
        when = int((start + datetime.timedelta(hours=i)).timestamp())
        buffer.write(f"Bench Person,{emails[i % len(emails)]},,,SRUK-INTRO,{when},80.00 %\n")
    data = buffer.getvalue().encode()
    del buffer

    def run():
        job = training_services.import_prepare(name="bench.csv", data=data)
        job = training_services.import_run(job_id=job.pk)
        return {
            "rows": args.moodle_rows,
            "created": job.created_count,
            "rejected": job.rejected_count,
        }

    return run


def _board_pdf(args):
    from django.utils import timezone

    from board.pdf import render_snapshot_pdf
    from board.services import preview_snapshot

    def run():
        pdf = render_snapshot_pdf(
            preview_snapshot(on=timezone.localdate()), status_label="BENCHMARK"
        )
        return {"bytes": len(pdf)}

    return run


# The jobs, each prepared (its input built) then run in its own process.
JOBS = {
    "run_renewals (a year of days)": _renewals_year,
    "Moodle import": _moodle_import,
    "board report PDF": _board_pdf,
}


def bench_jobs(args) -> dict:
    jobs = {}
    for name in JOBS:
        print(f"job: {name}", flush=True)
        jobs[name] = measure_job(name, args)
    return jobs


def write(results: dict, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    lines = [
        f"Scale {results['scale']} on {results['database']}, {results['machine']}, "
        f"{results['date']}, commit {results.get('commit', 'unknown')}."
        + (f" seed_demo took {results['seed_seconds']} s." if "seed_seconds" in results else ""),
        "",
        "| page | median ms | p95 ms | queries |",
        "|---|---:|---:|---:|",
    ]
    for name, row in results["pages"].items():
        lines.append(f"| {name} | {row['median_ms']} | {row['p95_ms']} | {row['queries']} |")
    lines += [
        "",
        "| raw-SQL floor | floor ms | app ms | app/floor | floor SQL |",
        "|---|---:|---:|---:|---|",
    ]
    for name, row in results["floors"].items():
        if "error" in row:
            lines.append(f"| {name} | error: {row['error']} | | | |")
        else:
            lines.append(
                f"| {name} | {row['floor_ms']} | {row['app_ms']} | {row['ratio']} "
                f"| {row['detail']} |"
            )
    lines += [
        "",
        f"Load average (1, 5, 15 min) before: {results.get('load_before')}, "
        f"after: {results.get('load_after')}.",
        "",
        "| job | seconds | peak MB (own process, above its start) | detail |",
        "|---|---:|---:|---|",
    ]
    for name, row in results["jobs"].items():
        detail = ", ".join(f"{k} {v}" for k, v in row["result"].items())
        lines.append(f"| {name} | {row['seconds']} | {row['peak_mb']} | {detail} |")
    text = "\n".join(lines) + "\n"
    stem = out / f"scale-{results['scale']}"
    stem.with_suffix(".md").write_text(text)
    stem.with_suffix(".json").write_text(json.dumps(results, indent=2, default=str))
    print()
    print(text)


if __name__ == "__main__":
    raise SystemExit(main())
