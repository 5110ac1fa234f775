"""Celery envelopes for the partners services."""

import datetime

from celery import shared_task

from partners import services


@shared_task(
    name="partners.tasks.run_renewals", autoretry_for=(OSError,), retry_backoff=True, max_retries=3
)
def run_renewals(today: str | None = None) -> dict:
    """The daily renewals job (beat); ``today`` as an ISO date, default today."""
    on = datetime.date.fromisoformat(today) if today else None
    return services.run_renewals(today=on)
