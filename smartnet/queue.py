"""Queue Celery tasks after commit, through the outbox.

Use ``enqueue("app.tasks.name", *args)`` instead of ``task.delay(...)``
anywhere a database change needs a job: a rolled-back transaction queues
nothing, and a broker that is down loses nothing (the outbox row waits for
``flush_outbox``). Arguments must be JSON: primary keys, dates as ISO strings.
A task is named by its registered name, so a service never imports the tasks
module that imports it (the envelope points at the letter, not back).
"""

import logging

from celery import Task, current_app
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError
from redis.exceptions import ConnectionError as RedisConnectionError

from smartnet.models import OutboxTask

logger = logging.getLogger(__name__)

# What a broker that is down raises; any other error is a bug and propagates.
BROKER_ERRORS = (OSError, KombuOperationalError, RedisConnectionError)


def enqueue(task: str | Task, *args, **kwargs) -> OutboxTask:
    """Record the task in the outbox and send it once the transaction commits.
    ``task`` is its registered name (or the task itself); an unknown name is
    refused at once, not when the worker would fail to find it."""
    name = task if isinstance(task, str) else task.name
    if name not in current_app.tasks:
        raise LookupError(f"no Celery task is registered as {name!r}")
    entry = OutboxTask.objects.create(task_name=name, args=list(args), kwargs=kwargs)
    transaction.on_commit(lambda: send(entry.pk))
    return entry


def send(entry_pk: int) -> bool:
    """Hand one pending outbox entry to the broker; True when it went."""
    claimed = OutboxTask.objects.filter(pk=entry_pk, sent_at__isnull=True)
    entry = claimed.first()
    if entry is None:
        return False
    try:
        # apply_async honours task_always_eager, so a laptop runs it in process.
        current_app.tasks[entry.task_name].apply_async(args=entry.args, kwargs=entry.kwargs)
    except BROKER_ERRORS as exc:
        logger.warning("broker unavailable, task %s kept in outbox: %s", entry.task_name, exc)
        OutboxTask.objects.filter(pk=entry_pk).update(
            attempts=entry.attempts + 1, last_error=str(exc)[:2000]
        )
        return False
    claimed.update(sent_at=timezone.now(), attempts=entry.attempts + 1)
    return True


def flush_outbox(*, limit: int = 500) -> int:
    """Send every pending entry, oldest first; returns how many went."""
    pending = OutboxTask.objects.filter(sent_at__isnull=True).order_by("created_at")
    sent = 0
    for pk in pending.values_list("pk", flat=True)[:limit]:
        if send(pk):
            sent += 1
        else:
            break  # the broker is down: the rest would fail too
    return sent
