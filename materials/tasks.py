"""Celery tasks: envelopes that take ids and call one service each.

Queued with ``smartnet.queue.enqueue`` (after commit, through the outbox).
The services they call are idempotent: automatic dispatches are unique per
trigger, and the e-mails are only sent for the state they describe.
"""

import datetime

from celery import shared_task

from materials import emails, services


@shared_task(name="materials.tasks.create_manual_dispatch")
def create_manual_dispatch(person_id: int) -> int | None:
    dispatch = services.dispatch_create_for_trained_facilitator(person_id=person_id)
    return dispatch.pk if dispatch else None


@shared_task(name="materials.tasks.create_starter_pack")
def create_starter_pack(meeting_id: int, facilitator_person_ids: list[int]) -> int | None:
    dispatch = services.dispatch_create_starter_pack(
        meeting_id=meeting_id, facilitator_person_ids=facilitator_person_ids
    )
    return dispatch.pk if dispatch else None


@shared_task(name="materials.tasks.starter_packs_for_facilitators")
def starter_packs_for_facilitators(
    meeting_id: int, facilitator_person_ids: list[int], new_peer_person_ids: list[int]
) -> list[int]:
    made = services.dispatch_starter_packs_for_facilitators(
        meeting_id=meeting_id,
        facilitator_person_ids=facilitator_person_ids,
        new_peer_person_ids=new_peer_person_ids,
    )
    return [d.pk for d in made]


@shared_task(name="materials.tasks.send_sign_in_link", autoretry_for=(OSError,), max_retries=5)
def send_sign_in_link(user_id: int) -> int:
    return emails.sign_in_link_send(user_id=user_id)


@shared_task(name="materials.tasks.send_low_stock_alert", autoretry_for=(OSError,), max_retries=5)
def send_low_stock_alert(item_id: int, crossed_at: str = "") -> int:
    return emails.low_stock_alert_send(item_id=item_id, crossed_at=crossed_at)


@shared_task(
    name="materials.tasks.send_request_confirmation", autoretry_for=(OSError,), max_retries=5
)
def send_request_confirmation(dispatch_id: int) -> int:
    return emails.request_confirmation_send(dispatch_id=dispatch_id)


@shared_task(name="materials.tasks.send_rejection_email", autoretry_for=(OSError,), max_retries=5)
def send_rejection_email(dispatch_id: int) -> int:
    return emails.rejection_send(dispatch_id=dispatch_id)


@shared_task(name="materials.tasks.send_dispatched_email", autoretry_for=(OSError,), max_retries=5)
def send_dispatched_email(dispatch_id: int) -> int:
    return emails.dispatched_send(dispatch_id=dispatch_id)


@shared_task(name="materials.tasks.purge_delivery_addresses", acks_late=True)
def purge_delivery_addresses(today: str | None = None) -> int:
    """The nightly retention job; ``today`` (ISO date) only for a re-run as of a day."""

    on = datetime.date.fromisoformat(today) if today else None
    return services.delivery_addresses_purge(today=on)
