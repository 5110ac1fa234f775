"""PostgreSQL restarted under load: requests fail cleanly, then recover.

    .venv/bin/python bench/faults.py [--seconds 40] [--restarts 2] [--down 3]

Runs as root on a machine with PostgreSQL's server binaries. It:

1. creates its own throw-away PostgreSQL cluster (``initdb`` as the postgres
   user via ``runuser``) on a free port, listening on 127.0.0.1 only, and
   migrates a fresh database there;
2. starts the app in production mode (``DEBUG=0``, a random ``SECRET_KEY``,
   static files collected into a temporary ``STATIC_ROOT``, HTTPS redirect,
   HSTS, secure cookies and staff two-factor left at their production
   defaults) under gunicorn (2 threads) on another free 127.0.0.1 port, with
   that database and no Redis; every request carries ``X-Forwarded-Proto:
   https`` as the HTTPS proxy in front of it would;
3. sends requests in a loop to ``/healthz`` and a database-backed page
   (``/meetings/``) for ``--seconds``, while it stops PostgreSQL (fast
   shutdown, open connections cut) for ``--down`` seconds ``--restarts`` times;
4. prints the counts: answers by status, client timeouts (a hang), the slowest
   answer, and the time from each restart to the first good answer.

Exit status 1 if any request hung (no answer within 5 s), any answer was not
200/500/503, a 500 was not the app's own error page (a traceback or debug
page), or the app did not recover after the last restart. Everything it
started is stopped and its cluster deleted at the end; the traffic stays on
127.0.0.1 and the run is bounded by ``--seconds``.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import glob
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
CLIENT_TIMEOUT = 5.0
PATHS = ["/healthz", "/meetings/"]
# What the HTTPS proxy in front of the app adds (SECURE_PROXY_SSL_HEADER).
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}
ERROR_PAGE = b"<h1>Something went wrong</h1>"  # templates/500.html


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        sys.exit(f"no PostgreSQL server binary {name}: apt-get install postgresql")
    return found[-1]


def as_postgres(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["runuser", "-u", "postgres", "--", *args], check=True, capture_output=True, **kwargs
    )


class Cluster:
    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="smartnet-faults-pg-"))
        shutil.chown(self.dir, "postgres", "postgres")
        self.data = self.dir / "data"
        self.port = free_port()
        as_postgres(pg_bin("initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        as_postgres(
            pg_bin("pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.dir / "log"),
            "-w", "start",
        )  # fmt: skip

    def stop(self) -> None:
        as_postgres(pg_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def delete(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def request(base: str, path: str) -> tuple[str, float]:
    started = time.monotonic()
    # base is always http://127.0.0.1:<port> (built above).
    req = urllib.request.Request(base + path, headers=PROXY_HEADERS)  # noqa: S310
    try:
        with urllib.request.urlopen(req, timeout=CLIENT_TIMEOUT) as response:  # noqa: S310
            status = str(response.status)
    except urllib.error.HTTPError as exc:
        status = str(exc.code)
        if exc.code == 500 and ERROR_PAGE not in exc.read():
            status = "500 (not the app's error page)"
    except TimeoutError:
        status = "timeout"
    except (urllib.error.URLError, ConnectionError) as exc:
        reason = getattr(exc, "reason", exc)
        status = "timeout" if isinstance(reason, TimeoutError) else f"refused ({reason})"
    return status, time.monotonic() - started


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def production_checks(base: str) -> dict[str, bool]:
    """Evidence that the app runs with production settings, not DEBUG."""
    no_redirect = urllib.request.build_opener(_NoRedirect)
    try:
        no_redirect.open(base + "/meetings/", timeout=CLIENT_TIMEOUT)
        redirected = False
    except urllib.error.HTTPError as exc:
        redirected = exc.code == 301 and exc.headers["Location"].startswith("https://")
    req = urllib.request.Request(base + "/meetings/", headers=PROXY_HEADERS)  # noqa: S310
    with urllib.request.urlopen(req, timeout=CLIENT_TIMEOUT) as response:  # noqa: S310
        hsts = "max-age=" in (response.headers["Strict-Transport-Security"] or "")
        page = response.read().decode()
    req = urllib.request.Request(base + "/no-such-page/", headers=PROXY_HEADERS)  # noqa: S310
    try:
        urllib.request.urlopen(req, timeout=CLIENT_TIMEOUT)  # noqa: S310
        debug_off = False
    except urllib.error.HTTPError as exc:
        # DEBUG's 404 page lists the URL patterns; the app's own does not.
        debug_off = exc.code == 404 and b"URLconf" not in exc.read()
    return {
        "DEBUG off (the app's 404 page)": debug_off,
        "plain HTTP redirected to HTTPS": redirected,
        "HSTS header": hsts,
        "hashed static files (collectstatic manifest)": bool(
            re.search(r"/static/smartnet/app\.[0-9a-f]{12}\.css", page)
        ),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=40)
    parser.add_argument("--restarts", type=int, default=2)
    parser.add_argument("--down", type=float, default=3)
    args = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("run as root (initdb runs as the postgres user through runuser)")

    cluster = Cluster()
    static_root = Path(tempfile.mkdtemp(prefix="smartnet-faults-static-"))
    server = None
    try:
        cluster.start()
        database_url = f"postgres://postgres@127.0.0.1:{cluster.port}/smartnet_faults_bench"
        subprocess.run(
            [pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(cluster.port), "-U", "postgres",
             "smartnet_faults_bench"],
            check=True,
        )  # fmt: skip
        env = {
            **{k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "EMAIL_URL"}},
            "DATABASE_URL": database_url,
            # Production mode, as README "Running in production" sets it up; the
            # security settings are set to their production defaults so that
            # nothing in the caller's environment or .env can soften them.
            "DEBUG": "0",
            "PRODUCTION": "1",
            "SECRET_KEY": secrets.token_urlsafe(60),
            "ALLOWED_HOSTS": "127.0.0.1",
            "STATIC_ROOT": str(static_root),
            "SECURE_SSL_REDIRECT": "1",
            "STAFF_2FA_REQUIRED": "1",
            "PUBLIC_RATE_LIMIT_PER_MINUTE": "1000000",  # the load is ours: no 429s
            "DATABASE_CONN_MAX_AGE": "60",  # kept connections: the case that needs health checks
        }
        for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
            subprocess.run(
                [PYTHON, "manage.py", *command, "-v", "0"], cwd=ROOT, env=env, check=True
            )
        port = free_port()
        gunicorn = str(Path(PYTHON).with_name("gunicorn"))
        server = subprocess.Popen(
            [gunicorn, "smartnet.wsgi", "-b", f"127.0.0.1:{port}", "--threads", "2",
             "--timeout", "30", "--log-level", "warning"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while request(base, "/healthz")[0] != "200":
            if time.monotonic() > deadline:
                sys.exit("gunicorn did not answer /healthz in 30 s")
            time.sleep(0.2)
        production = production_checks(base)
        print("production mode: " + ", ".join(f"{k}: {v}" for k, v in production.items()))

        counts: dict[str, collections.Counter] = {p: collections.Counter() for p in PATHS}
        slowest = 0.0
        recovery: list[float] = []
        start = time.monotonic()
        gap = args.seconds / (args.restarts + 1)
        plan = [start + gap * (i + 1) for i in range(args.restarts)]
        down_since = None
        up_since = None
        while time.monotonic() - start < args.seconds:
            now = time.monotonic()
            if down_since is None and plan and now >= plan[0]:
                plan.pop(0)
                cluster.stop()
                down_since = now
                print(f"{now - start:5.1f}s PostgreSQL stopped")
            elif down_since is not None and now - down_since >= args.down:
                cluster.start()
                down_since = None
                up_since = time.monotonic()
                print(f"{up_since - start:5.1f}s PostgreSQL started again")
            for path in PATHS:
                status, took = request(base, path)
                counts[path][status] += 1
                slowest = max(slowest, took)
                if up_since is not None and path == "/meetings/" and status == "200":
                    recovery.append(time.monotonic() - up_since)
                    up_since = None
            time.sleep(0.02)
        if down_since is not None:
            cluster.start()

        final = {p: request(base, p)[0] for p in PATHS}
        total = sum(sum(c.values()) for c in counts.values())
        print(f"\nrequests: {total} in {args.seconds:.0f} s, {args.restarts} PostgreSQL restarts")
        for path, c in counts.items():
            print(f"  {path:12} " + ", ".join(f"{k}: {v}" for k, v in sorted(c.items())))
        print(f"slowest answer: {slowest:.2f} s (client timeout {CLIENT_TIMEOUT:.0f} s)")
        print("recovered after each restart in: " + ", ".join(f"{r:.2f} s" for r in recovery))
        print(f"after the run: {final}")
        bad = {
            k: v for c in counts.values() for k, v in c.items() if k not in {"200", "500", "503"}
        }
        ok = (
            not bad
            and len(recovery) == args.restarts
            and set(final.values()) == {"200"}
            and all(production.values())
        )
        print("RESULT: " + ("failed cleanly and recovered" if ok else f"PROBLEM {bad}"))
        return 0 if ok else 1
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()
        cluster.delete()
        shutil.rmtree(static_root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
