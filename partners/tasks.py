"""Celery envelopes for the partners services."""

import datetime

from celery import shared_task
from django.utils import timezone

from partners import services
from partners.models import Invoice
from smartnet.queue import enqueue


@shared_task(
    name="partners.tasks.run_renewals", autoretry_for=(OSError,), retry_backoff=True, max_retries=3
)
def run_renewals(today: str | None = None) -> dict:
    """The daily renewals job (beat); ``today`` as an ISO date, default today.
    A catch-up longer than one batch queues the next batch for the same day."""
    on = datetime.date.fromisoformat(today) if today else timezone.localdate()
    summary = services.run_renewals(today=on)
    if summary["left"]:
        enqueue(run_renewals, on.isoformat())
    return summary


@shared_task(
    name="partners.tasks.invoice_send", autoretry_for=(OSError,), retry_backoff=True, max_retries=5
)
def invoice_send(invoice_id: int) -> bool:
    """E-mail an issued invoice or credit note once (queued when it is issued);
    a refusal gives back the claim and the retry sends it."""
    return services.invoice_send(invoice=Invoice.objects.get(pk=invoice_id))


@shared_task(
    name="partners.tasks.reminder_send", autoretry_for=(OSError,), retry_backoff=True, max_retries=5
)
def reminder_send(reminder_id: int) -> bool:
    """E-mail an overdue reminder sent by hand from the overdue screen, once."""
    return services.reminder_deliver(reminder_id=reminder_id)


@shared_task(
    name="partners.tasks.run_chasing", autoretry_for=(OSError,), retry_backoff=True, max_retries=3
)
def run_chasing(today: str | None = None) -> dict:
    """The daily chasing of overdue invoices (beat); ``today`` as an ISO date."""
    on = datetime.date.fromisoformat(today) if today else timezone.localdate()
    return services.run_chasing(today=on)


@shared_task(
    name="partners.tasks.invitation_send",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def invitation_send(invitation_id: int) -> bool:
    return services.invitation_send(invitation_id=invitation_id)


@shared_task(
    name="partners.tasks.run_invitation_reminders",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=3,
)
def run_invitation_reminders(today: str | None = None) -> dict:
    """The daily invitation reminders (beat); ``today`` as an ISO date."""
    on = datetime.date.fromisoformat(today) if today else timezone.localdate()
    return services.run_invitation_reminders(today=on)
