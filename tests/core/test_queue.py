"""The outbox: a rolled-back change queues nothing; a broker that is down loses nothing."""

from unittest import mock

import pytest
from django.db import transaction
from kombu.exceptions import OperationalError

from smartnet import queue
from smartnet.models import JobRun, OutboxTask
from smartnet.tasks import ping

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_committed_enqueue_runs_the_task_once():
    with transaction.atomic():
        queue.enqueue(ping, "committed")
    assert JobRun.objects.filter(job="ping", key="committed").count() == 1
    assert OutboxTask.objects.get().sent_at is not None


def test_a_rolled_back_transaction_queues_nothing():
    with pytest.raises(RuntimeError), transaction.atomic():
        queue.enqueue(ping, "rolled-back")
        raise RuntimeError("the request failed")
    assert not OutboxTask.objects.exists()
    assert not JobRun.objects.filter(key="rolled-back").exists()


def test_a_broker_that_is_down_keeps_the_task_until_flushed():
    down = OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
    with mock.patch.object(ping, "apply_async", side_effect=down):
        with transaction.atomic():
            queue.enqueue(ping, "kept")
        entry = OutboxTask.objects.get()
        assert entry.sent_at is None
        assert entry.attempts == 1
        assert "Connection refused" in entry.last_error
        assert queue.flush_outbox() == 0  # still down: nothing sent, nothing lost
    # The broker is back: the flush sends it, once.
    assert queue.flush_outbox() == 1
    assert queue.flush_outbox() == 0
    assert JobRun.objects.filter(key="kept").count() == 1


@pytest.mark.django_db
def test_a_task_is_queued_by_its_registered_name_and_a_typo_is_refused_at_once():
    entry = queue.enqueue("smartnet.tasks.ping", "by-name")
    assert entry.task_name == "smartnet.tasks.ping"
    with pytest.raises(LookupError, match="smartnet.tasks.pnig"):
        queue.enqueue("smartnet.tasks.pnig", "typo")
    assert not OutboxTask.objects.filter(task_name="smartnet.tasks.pnig").exists()
