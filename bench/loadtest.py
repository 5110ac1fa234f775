"""Many users at once: ``python -m bench.loadtest`` (or ``make loadtest``).

On the PostgreSQL database in ``DATABASE_URL`` (seeded: ``seed_demo --scale
N``) with Redis in ``REDIS_URL`` as the shared cache, it starts gunicorn in
production mode on a free 127.0.0.1 port (``DEBUG=0``, a random
``SECRET_KEY``, static files collected into a temporary folder, HTTPS
redirect with each request carrying the proxy's ``X-Forwarded-Proto``), then
runs locust headless (``bench/locustfile.py``: public finder searches, meeting
pages, feeds and calendars; portal pages; staff pages) at each of ``--users``
(8, 32, 64) for ``--seconds`` each, and writes ``bench/results/loadtest-scale-N.md``
and ``.json``: per run the requests, failures, median and p95 and requests a
second, with the machine, the commit, the load average before and after, and
gunicorn's workers and threads.

Two things are set for the test only: the public rate limit is lifted (the
load comes from one address; README "Performance" says how to size it), and
signed-in users get sessions made directly (``Client.force_login``), so staff
skip the second factor that a real staff sign-in asks for.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import platform
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench import BASE_DIR
from bench.__main__ import _commit, _load
from bench.faults import PROXY_HEADERS, free_port

# Two cores: three processes keep both busy while one waits on PostgreSQL or
# Redis, and four threads each cover those waits without more memory.
DEFAULT_WORKERS = 3
DEFAULT_THREADS = 4
# Seconds gunicorn keeps an idle connection: longer than a user's pause between
# requests (up to 2 s), or a reused connection is cut as the next request is
# sent (gunicorn's default of 2 s gave "Remote end closed connection" errors).
KEEP_ALIVE = 10


def _env(args, static_root: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "127.0.0.1",
        "STATIC_ROOT": str(static_root),
        "SECURE_SSL_REDIRECT": "1",
        "STAFF_2FA_REQUIRED": "0",  # sessions are made directly (module docstring)
        "PUBLIC_RATE_LIMIT_PER_MINUTE": "1000000",  # the load is ours, from one address
        "DATABASE_CONN_MAX_AGE": "60",
        "EMAIL_URL": "memorymail://",
    }


def _plan(env: dict[str, str]) -> dict:
    """The paths and session cookies, made with the server's settings."""
    os.environ.update(env)
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    from meetings import feeds
    from meetings.models import Meeting
    from smartnet.models import User

    listed = Meeting.objects.listed()
    postcodes = list(
        listed.exclude(venue_postcode="").values_list("venue_postcode", flat=True)[:20]
    ) or ["M1 1AA"]
    regions = sorted(feeds.regions(), key=lambda r: -r[2])[:8]
    cookies = {}
    for role in ("staff_admin", "partner_contact"):
        user = User.objects.filter(role=role, is_active=True).order_by("pk").first()
        if user is None:
            raise SystemExit(f"no {role} user: run seed_demo first")
        client = Client()
        client.force_login(user)
        cookies[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return {
        "finder": [f"/meetings/?where={p.replace(' ', '+')}&radius=25" for p in postcodes],
        "meetings": [f"/meetings/{s}/" for s in listed.values_list("slug", flat=True)[:50]],
        "regions": [f"/meetings/feed/{slug}.json" for slug, _name, _n in regions],
        "cookies": cookies,
        "cookie_name": settings.SESSION_COOKIE_NAME,
    }


def _wait_for(base: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            request = urllib.request.Request(base + "/healthz", headers=PROXY_HEADERS)  # noqa: S310
            with urllib.request.urlopen(request, timeout=5):  # noqa: S310 - 127.0.0.1 only
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("gunicorn did not answer /healthz in time")


def _summary(stem: Path) -> dict:
    """The locust CSV's rows: each request name and the aggregate."""
    rows = {}
    with open(f"{stem}_stats.csv", newline="") as f:
        for row in csv.DictReader(f):
            rows[row["Name"]] = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "median_ms": float(row["50%"]),
                "p95_ms": float(row["95%"]),
                "rps": round(float(row["Requests/s"]), 1),
            }
    errors = Path(f"{stem}_failures.csv")
    if errors.exists():
        with open(errors, newline="") as f:
            for row in csv.DictReader(f):
                rows.setdefault("errors", {})[f"{row['Name']}: {row['Error']}"] = int(
                    row["Occurrences"]
                )
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="smartnet load test (issue 20)")
    parser.add_argument("--users", default="8,32,64", help="comma-separated user counts")
    parser.add_argument("--seconds", type=int, default=60, help="per user count")
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS)
    parser.add_argument("--threads", type=int, default=DEFAULT_THREADS)
    parser.add_argument("--scale", type=int, default=10, help="the seeded scale (a label)")
    parser.add_argument("--out", type=Path, default=BASE_DIR / "bench" / "results")
    args = parser.parse_args(argv)
    users = [int(u) for u in args.users.split(",")]
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")) or not os.environ.get("REDIS_URL"):
        parser.error("set DATABASE_URL to PostgreSQL and REDIS_URL to Redis (the shared cache)")
    bin_dir = Path(sys.executable).parent
    static_root = Path(tempfile.mkdtemp(prefix="smartnet-loadtest-static-"))
    env = _env(args, static_root)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=BASE_DIR, env=env, check=True,
    )  # fmt: skip
    plan = _plan(env)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    results: dict = {
        "scale": args.scale,
        "machine": (
            f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
        ),
        "date": datetime.date.today().isoformat(),  # noqa: DTZ011 - a label
        "commit": _commit(),
        "workers": args.workers,
        "threads": args.threads,
        "keep_alive": KEEP_ALIVE,
        "seconds": args.seconds,
        "load_before": _load(),
        "runs": {},
    }
    server = subprocess.Popen(
        [str(bin_dir / "gunicorn"), "smartnet.wsgi", "-b", f"127.0.0.1:{port}",
         "--workers", str(args.workers), "--threads", str(args.threads),
         "--keep-alive", str(KEEP_ALIVE), "--timeout", "60", "--log-level", "warning"],
        cwd=BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    work = Path(tempfile.mkdtemp(prefix="smartnet-loadtest-"))
    try:
        _wait_for(base)
        locust_env = {**os.environ, "LOADTEST_PLAN": json.dumps(plan)}
        for n in users:
            print(f"locust: {n} users for {args.seconds} s", flush=True)
            stem = work / f"users-{n}"
            subprocess.run(
                [str(bin_dir / "locust"), "-f", str(BASE_DIR / "bench" / "locustfile.py"),
                 "--headless", "-u", str(n), "-r", str(max(1, n // 4)),
                 "--run-time", f"{args.seconds}s", "--host", base, "--csv", str(stem),
                 "--only-summary", "--loglevel", "WARNING"],
                cwd=BASE_DIR, env=locust_env, check=False, capture_output=True,
            )  # fmt: skip
            results["runs"][str(n)] = _summary(stem)
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(static_root, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)
    results["load_after"] = _load()
    write(results, args.out)
    return 0


def write(results: dict, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    lines = [
        f"Load test, scale {results['scale']}, {results['machine']}, {results['date']}, "
        f"commit {results['commit']}; gunicorn {results['workers']} workers x "
        f"{results['threads']} threads, keep-alive {results.get('keep_alive')} s; "
        f"{results['seconds']} s per run.",
        "",
        "| users | requests | failures | median ms | p95 ms | requests/s |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for n, rows in results["runs"].items():
        total = rows.get("Aggregated", {})
        lines.append(
            f"| {n} | {total.get('requests')} | {total.get('failures')} | "
            f"{total.get('median_ms')} | {total.get('p95_ms')} | {total.get('rps')} |"
        )
    lines += [
        "",
        "| users | request | requests | failures | median ms | p95 ms |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for n, rows in results["runs"].items():
        for name, row in rows.items():
            if name not in ("Aggregated", "errors"):
                lines.append(
                    f"| {n} | {name} | {row['requests']} | {row['failures']} | "
                    f"{row['median_ms']} | {row['p95_ms']} |"
                )
    failures = [
        f"- {n} users: {what} x {count}"
        for n, rows in results["runs"].items()
        for what, count in rows.get("errors", {}).items()
    ]
    if failures:
        lines += ["", "Failures:", "", *failures]
    lines += [
        "",
        f"Load average (1, 5, 15 min) before: {results['load_before']}, "
        f"after: {results['load_after']}.",
    ]
    text = "\n".join(lines) + "\n"
    stem = out / f"loadtest-scale-{results['scale']}"
    stem.with_suffix(".md").write_text(text)
    stem.with_suffix(".json").write_text(json.dumps(results, indent=2, default=str))
    print(text)


if __name__ == "__main__":
    raise SystemExit(main())
