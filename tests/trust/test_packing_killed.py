"""Packing under faults: the staff request that takes stock is cut off half way.

Packing is not a Celery task but a staff HTTP request (the queue's bulk
"pack" action), so the fault is in the web process. The app runs under a
real gunicorn (one sync worker) on the test database. A batch of 30 approved
dispatches, each with a leaflet line and a poster line, is packed in one
request. The test holds a row lock on the poster line of the 12th dispatch,
so the worker stops inside that dispatch's transaction after it has claimed
the dispatch, taken leaflets and posters from stock and written both stock
movements (the line's own update waits for the lock); the test checks from
pg_locks that those writes are open, then:

1. SIGKILLs the gunicorn worker (gunicorn starts a new one), or
2. ends the worker's PostgreSQL connection with ``pg_terminate_backend``
   (the request answers 500 and the worker lives on).

Either way the 11 dispatches before it stay packed, the 12th and the rest
are still approved with no stock taken, and stock equals its ledger. Then the
same batch is posted again, as staff would: it packs the 19 left and refuses
the 11 already packed, so every dispatch is packed once, stock falls exactly
once per dispatch, and nothing is lost.

Packing is all or nothing per dispatch (one transaction each), not per batch:
the test asserts exactly that.

Needs PostgreSQL (row locks, and the gunicorn process shares the test
database by name); under SMARTNET_REQUIRE_SERVICES=1 it fails instead of
skipping.
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import urllib.parse
from http.cookies import SimpleCookie
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.db import connection
from django.db.models import Sum
from django.test import Client

from materials.models import Backorder, Dispatch, DispatchLine, Item, Status, StockMovement
from tests.factories import UserFactory
from tests.materials.factories import make_dispatch, make_item
from tests.trust.test_worker_killed import _database_url, _wait
from tests.trust.tried import TRIED

BATCH = 30
STUCK = 12  # the dispatch whose transaction is open when the fault strikes (1-based)
STOCK = 10_000
LEAFLETS, POSTERS = 3, 2


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn with one sync worker on the test database, 127.0.0.1 only."""

    def __init__(self, log: Path) -> None:
        self.port = _free_port()
        env = {
            **{k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "EMAIL_URL"}},
            "DATABASE_URL": _database_url(),
            "DATABASE_CONN_MAX_AGE": "0",
            "DEBUG": "1",
            "STAFF_2FA_REQUIRED": "0",
            "EMAIL_URL": "memorymail://",
        }
        env.pop("SMARTNET_REQUIRE_SERVICES", None)
        self.proc = subprocess.Popen(
            [str(Path(sys.executable).with_name("gunicorn")), "smartnet.wsgi",
             "-b", f"127.0.0.1:{self.port}", "--workers", "1", "--timeout", "60",
             "--graceful-timeout", "5", "--log-level", "warning"],
            cwd=settings.BASE_DIR, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        _wait(lambda: self.proc.poll() is not None or self.answers(), 30)
        assert self.answers(), "gunicorn did not start:\n" + log.read_text()[-3000:]

    def answers(self) -> bool:
        try:
            return self.request("GET", "/healthz")[0] == 200
        except OSError:
            return False

    def worker_pid(self) -> int:
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text()
        pids = [int(p) for p in children.split()]
        assert len(pids) == 1, f"expected one gunicorn worker, found {pids}"
        return pids[0]

    def request(self, method: str, path: str, body: str = "", headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request(method, path, body=body or None, headers=headers or {})
            response = conn.getresponse()
            return response.status, response.getheaders(), response.read()
        finally:
            conn.close()

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)


class Staff:
    """A materials staff member's browser: a session made by force_login
    (committed, so gunicorn reads it) and a CSRF cookie it sends back."""

    def __init__(self, server: Server) -> None:
        client = Client()
        client.force_login(UserFactory(email="packer@smartnet.example", role="materials"))
        self.server = server
        self.csrf = secrets.token_hex(16)  # a 32-character secret, as Django's cookie holds
        self.cookies = {"sessionid": client.cookies["sessionid"].value, "csrftoken": self.csrf}

    def _headers(self) -> dict:
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}

    def pack(self, ids: list[int]):
        body = urllib.parse.urlencode([("action", "pack"), *[("ids", i) for i in ids]])
        headers = {
            **self._headers(),
            "Content-Type": "application/x-www-form-urlencoded",
            "X-CSRFToken": self.csrf,
        }
        status, response_headers, _ = self.server.request(
            "POST", "/staff/materials/", body, headers
        )
        for name, value in response_headers:
            if name.lower() == "set-cookie":
                for key, morsel in SimpleCookie(value).items():
                    self.cookies[key] = morsel.coded_value
        return status

    def messages(self) -> str:
        """The queue page after a POST, with the messages the POST left."""
        status, _, body = self.server.request("GET", "/staff/materials/", "", self._headers())
        assert status == 200
        return body.decode()


def _batch() -> tuple[Item, Item, list[Dispatch], DispatchLine]:
    leaflet = make_item("leaflet", stock=STOCK)  # created first: packed first (id order)
    poster = make_item("poster", stock=STOCK)
    dispatches = [make_dispatch({leaflet: LEAFLETS, poster: POSTERS}) for _ in range(BATCH)]
    stuck_line = DispatchLine.objects.get(dispatch=dispatches[STUCK - 1], item=poster)
    return leaflet, poster, dispatches, stuck_line


def _hold_row_lock(line: DispatchLine):
    """Another session locks one dispatch line (as a slow transaction would)."""
    s = connection.settings_dict
    conn = psycopg2.connect(
        dbname=s["NAME"],
        user=s["USER"] or "postgres",
        password=s["PASSWORD"] or "",
        host=s["HOST"] or "127.0.0.1",
        port=s["PORT"] or 5432,
    )
    cursor = conn.cursor()
    cursor.execute("SELECT id FROM materials_dispatchline WHERE id = %s FOR UPDATE", [line.pk])
    return conn


def _blocked_backend(lock_conn) -> int | None:
    """The packing session waiting for our lock, once it is waiting."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND %s = ANY(pg_blocking_pids(pid))",
            [lock_conn.get_backend_pid()],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def _open_writes(pid: int) -> set[str]:
    """Tables the waiting transaction has written to (uncommitted)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relation::regclass::text FROM pg_locks "
            "WHERE pid = %s AND mode = 'RowExclusiveLock' AND granted",
            [pid],
        )
        return {r[0] for r in cursor.fetchall()}


def _backend_gone(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone() is None


def _assert_ledger(*items: Item) -> None:
    for item in items:
        item.refresh_from_db()
        moved = StockMovement.objects.filter(item=item).aggregate(n=Sum("quantity"))["n"]
        assert item.stock_on_hand == moved, (
            f"{item.code}: stock {item.stock_on_hand}, ledger {moved}"
        )


def _assert_packed_once(dispatches, packed: int, leaflet: Item, poster: Item) -> None:
    """The first ``packed`` dispatches are packed with their stock taken once;
    the rest are approved with nothing taken (no half-packed dispatch)."""
    by_pk = {d.pk: d for d in Dispatch.objects.filter(pk__in=[d.pk for d in dispatches])}
    for n, dispatch in enumerate(dispatches, start=1):
        current = by_pk[dispatch.pk]
        movements = sorted(
            StockMovement.objects.filter(dispatch=dispatch).values_list("item_id", "quantity")
        )
        lines = sorted(
            DispatchLine.objects.filter(dispatch=dispatch).values_list("quantity_packed", flat=True)
        )
        if n <= packed:
            assert current.status == Status.PACKED, f"dispatch {n} is {current.status}"
            assert movements == [(leaflet.pk, -LEAFLETS), (poster.pk, -POSTERS)], n
            assert lines == sorted([LEAFLETS, POSTERS]), n
        else:
            assert current.status == Status.APPROVED, f"dispatch {n} is {current.status}"
            assert movements == [], f"dispatch {n} took stock without being packed"
            assert all(not q for q in lines), f"dispatch {n} is half packed: {lines}"
    leaflet.refresh_from_db()
    poster.refresh_from_db()
    assert leaflet.stock_on_hand == STOCK - LEAFLETS * packed
    assert poster.stock_on_hand == STOCK - POSTERS * packed
    assert not Backorder.objects.exists()
    _assert_ledger(leaflet, poster)


def _fault_mid_batch(fault: str, tmp_path: Path) -> None:
    leaflet, poster, dispatches, stuck_line = _batch()
    server = Server(tmp_path / "gunicorn.log")
    lock_conn = None
    try:
        staff = Staff(server)
        lock_conn = _hold_row_lock(stuck_line)
        answer: dict = {}

        def post() -> None:
            try:
                answer["status"] = staff.pack([d.pk for d in dispatches])
            except (OSError, http.client.HTTPException) as exc:
                answer["error"] = exc

        thread = threading.Thread(target=post, daemon=True)
        thread.start()
        assert _wait(lambda: _blocked_backend(lock_conn) is not None, 30), (
            "the packing request never reached the locked line:\n"
            + (tmp_path / "gunicorn.log").read_text()[-3000:]
        )
        pid = _blocked_backend(lock_conn)
        # The 12th dispatch's transaction is open: it has taken stock and
        # written movements, none of it committed yet.
        assert {"materials_item", "materials_stockmovement"} <= _open_writes(pid)
        assert Dispatch.objects.filter(status=Status.PACKED).count() == STUCK - 1

        worker = server.worker_pid()
        if fault == "kill worker":
            os.kill(worker, signal.SIGKILL)
            thread.join(30)
            assert "error" in answer, f"the request answered {answer} although its worker died"
            # The orphaned session ends (rolling back) once it next reads from
            # its client, which is gone: let it through the lock.
            lock_conn.rollback()
        else:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            thread.join(30)
            assert answer.get("status") == 500, f"expected a clean 500, got {answer}"
            assert server.worker_pid() == worker, "the worker died instead of answering 500"
            lock_conn.rollback()
        assert not thread.is_alive()
        assert _wait(lambda: _backend_gone(pid), 30), "the cut-off transaction never ended"

        # Nothing half done: 11 packed, the 12th and the rest untouched.
        _assert_packed_once(dispatches, STUCK - 1, leaflet, poster)

        # Staff post the same batch again once the site answers.
        assert _wait(server.answers, 30), "gunicorn did not come back"
        assert staff.pack([d.pk for d in dispatches]) == 302
        page = staff.messages()
        assert f"Packed {BATCH - STUCK + 1} dispatch(es)." in page
        assert len(re.findall(r"cannot be packed: it is packed", page)) == STUCK - 1
        _assert_packed_once(dispatches, BATCH, leaflet, poster)
    finally:
        if lock_conn is not None:
            lock_conn.close()
        server.stop()


@pytest.mark.django_db(transaction=True)
def test_worker_killed_mid_packing_batch_packs_each_dispatch_once(postgres, tmp_path):
    _fault_mid_batch("kill worker", tmp_path)
    TRIED["packing kills (worker SIGKILL)"] += 1
    print(
        f"worker SIGKILLed with dispatch {STUCK}/{BATCH} open (stock taken, uncommitted): "
        f"{STUCK - 1} stayed packed, 0 half packed; the retry packed {BATCH - STUCK + 1} "
        f"and refused {STUCK - 1}: {BATCH} packed once, stock down by exactly {BATCH} x lines"
    )


@pytest.mark.django_db(transaction=True)
def test_connection_terminated_mid_packing_batch_answers_500_and_retry_packs_once(
    postgres, tmp_path
):
    _fault_mid_batch("terminate backend", tmp_path)
    TRIED["packing kills (pg_terminate_backend)"] += 1
    print(
        f"connection ended with dispatch {STUCK}/{BATCH} open: the request answered 500, "
        f"{STUCK - 1} stayed packed, 0 half packed; the retry packed {BATCH - STUCK + 1} once"
    )
