"""Celery envelopes for outreach."""

from celery import shared_task

from outreach import services
from smartnet.queue import enqueue


@shared_task(
    name="outreach.tasks.send_batch", autoretry_for=(OSError,), retry_backoff=True, max_retries=5
)
def send_batch(communication_id: int) -> dict:
    """One batch of a communication; queues the next while any is left."""
    result = services.send_batch(communication_id=communication_id)
    if result["left"]:
        enqueue(send_batch, communication_id)
    return result
