"""Faults with a real service really stopped: a private Redis server that the
test starts, kills and starts again (the shared one is left alone)."""

import shutil
import socket
import subprocess
import time
from types import SimpleNamespace

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.db import connections, transaction
from django.test import override_settings

from smartnet import queue
from smartnet.celery import app as celery_app
from smartnet.models import JobRun, OutboxTask
from smartnet.tasks import ping
from tests.conftest import missing_service


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def private_redis():
    binary = shutil.which("redis-server")
    if not binary:
        missing_service("needs redis-server on PATH for the fault tests")
    port = _free_port()
    url = f"redis://127.0.0.1:{port}/0"
    state = {"proc": None}

    def start():
        state["proc"] = subprocess.Popen(
            [
                binary,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(url, socket_connect_timeout=0.5)
        for _ in range(50):
            try:
                client.ping()
                return
            except redis.RedisError:
                time.sleep(0.1)
        raise RuntimeError("private redis-server did not start")

    def stop():
        proc = state["proc"]
        if proc and proc.poll() is None:
            proc.kill()
            proc.wait(5)

    start()
    try:
        yield SimpleNamespace(url=url, start=start, stop=stop)
    finally:
        stop()


def _use_broker(url: str) -> None:
    """Point the Celery app at another broker (forget its pooled connections)."""
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    celery_app.conf.broker_url = url


def _tolerant_cache(url: str) -> dict:
    return {
        "default": {
            "BACKEND": "smartnet.cache.TolerantRedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }


@pytest.mark.django_db
def test_pages_keep_working_when_redis_goes_down(client, private_redis, settings):
    settings.REDIS_URL = private_redis.url
    with override_settings(CACHES=_tolerant_cache(private_redis.url)):
        assert client.get("/").status_code == 200
        assert client.get("/healthz").json()["status"] == "ok"
        private_redis.stop()
        assert client.get("/").status_code == 200
        assert client.get("/accounts/login/").status_code == 200
        health = client.get("/healthz")
        assert health.status_code == 200
        assert health.json()["status"] == "degraded"
        assert health.json()["cache"]["setting"] == "REDIS_URL"


def _close_connections(**kwargs):
    connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_jobs_queued_while_redis_is_down_are_sent_once_when_it_returns(private_redis):
    previous = celery_app.conf.broker_url
    celery_app.conf.task_always_eager = False
    _use_broker(private_redis.url)
    try:
        private_redis.stop()
        with transaction.atomic():
            queue.enqueue(ping, "queued-while-down")
        entry = OutboxTask.objects.get()
        assert entry.sent_at is None, "a job was lost or claimed sent while the broker was down"
        assert entry.last_error

        private_redis.start()
        _use_broker(private_redis.url)
        assert queue.flush_outbox() == 1
        assert queue.flush_outbox() == 0
        task_postrun.connect(_close_connections)
        try:
            with start_worker(
                celery_app, perform_ping_check=False, loglevel="WARNING", shutdown_timeout=10
            ):
                deadline = time.monotonic() + 20
                while time.monotonic() < deadline:
                    if JobRun.objects.filter(key="queued-while-down").exists():
                        break
                    time.sleep(0.1)
        finally:
            task_postrun.disconnect(_close_connections)
        assert JobRun.objects.filter(key="queued-while-down").count() == 1
    finally:
        _use_broker(previous)
        celery_app.conf.task_always_eager = True
