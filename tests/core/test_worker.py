"""A real Celery worker takes a task from the Redis broker and changes the database."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.db import connections, transaction

from smartnet import queue
from smartnet.celery import app as celery_app
from smartnet.models import JobRun, OutboxTask
from smartnet.tasks import ping


def wait_for(predicate, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def _close_worker_connections(**kwargs):
    # The worker thread's own connection must not outlive the test database.
    connections.close_all()


@pytest.fixture
def redis_worker(redis_url):
    celery_app.conf.task_always_eager = False
    celery_app.conf.broker_url = redis_url
    task_postrun.connect(_close_worker_connections)
    try:
        with start_worker(
            celery_app, perform_ping_check=False, loglevel="WARNING", shutdown_timeout=10
        ):
            yield
    finally:
        task_postrun.disconnect(_close_worker_connections)
        celery_app.conf.task_always_eager = True


@pytest.mark.django_db(transaction=True)
def test_a_task_sent_through_redis_is_run_by_a_worker(redis_worker):
    with transaction.atomic():
        queue.enqueue(ping, "through-redis")
        # Nothing is sent before the transaction commits.
        assert OutboxTask.objects.get().sent_at is None
    assert OutboxTask.objects.get().sent_at is not None
    assert wait_for(lambda: JobRun.objects.filter(job="ping", key="through-redis").exists())


@pytest.mark.django_db(transaction=True)
def test_the_same_task_delivered_twice_does_its_work_once(redis_worker):
    ping.delay("twice")
    ping.delay("twice")
    assert wait_for(lambda: JobRun.objects.filter(key="twice").exists())
    time.sleep(1)
    assert JobRun.objects.filter(key="twice").count() == 1
