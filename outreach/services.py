"""Writing, sending and unsubscribing from communications (see ``models``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from outreach.models import (
    Communication,
    CommunicationStatus,
    Recipient,
    RecipientStatus,
    Segment,
    Unsubscription,
)
from outreach.segments import audience
from partners.models import Person
from smartnet import mail
from smartnet.queue import enqueue

UNSUBSCRIBE_SALT = "outreach.unsubscribe"


# --- Writing -----------------------------------------------------------------------------


@transaction.atomic
def communication_create(
    *,
    subject: str,
    body: str,
    segment: str,
    region: str = "",
    kind: str = "",
    standing: str = "",
    by=None,
) -> Communication:
    """A draft communication. ValidationError naming the field when refused."""
    errors: dict[str, str] = {}
    if not subject.strip():
        errors["subject"] = "Write a subject."
    if not body.strip():
        errors["body"] = "Write the message."
    if segment not in Segment.values:
        errors["segment"] = "Choose who it is for."
    if segment != Segment.PARTNER_CONTACTS and (kind or standing):
        errors["segment"] = "Kind and standing apply to partners' main contacts only."
    if segment == Segment.FACILITATORS and region:
        errors["region"] = "Facilitators are not chosen by region."
    if errors:
        raise ValidationError(errors)
    return Communication.objects.create(
        subject=subject.strip(),
        body=body.strip(),
        segment=segment,
        region=region,
        kind=kind,
        standing=standing,
        created_by=by,
    )


def personalise(communication: Communication, person: Person) -> mail.Message:
    """The e-mail as ``person`` gets it (the preview shows the same)."""
    return mail.render(
        "outreach/email/communication",
        {
            "subject": communication.subject,
            "body": communication.body.replace("{first_name}", person.first_name),
            "unsubscribe_url": unsubscribe_url(person.pk, communication.pk),
        },
        to=[person.email] if person.email else [],
    )


# --- Sending -----------------------------------------------------------------------------


def communication_send(*, communication: Communication, by=None) -> int:
    """Queue the communication to its audience as it is now: one ``Recipient``
    row per person (unique), then batches in the background. A second call
    does nothing (a conditional status change). Returns the recipients queued."""
    with transaction.atomic():
        claimed = Communication.objects.filter(
            pk=communication.pk, status=CommunicationStatus.DRAFT
        ).update(status=CommunicationStatus.SENDING, sent_by=by, queued_at=timezone.now())
        if claimed != 1:
            raise ValidationError({"communication": "This communication has already been sent."})
        people = audience(communication).people.values_list("pk", "email")
        rows = [
            Recipient(communication_id=communication.pk, person_id=pk, email=email)
            for pk, email in people.iterator(chunk_size=2000)
        ]
        Recipient.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
        total = Recipient.objects.filter(communication_id=communication.pk).count()
        Communication.objects.filter(pk=communication.pk).update(total=total)
        enqueue("outreach.tasks.send_batch", communication.pk)
    return total


def send_batch(*, communication_id: int, size: int | None = None) -> dict[str, Any]:
    """Send the next ``size`` pending recipients (``OUTREACH_BATCH_SIZE``).

    Claims them first, in one committed conditional update (rows another
    worker holds are skipped, ``skip_locked``), then sends each and stamps
    them; someone who unsubscribed since it was queued is skipped. On a
    refusal the ones sent are stamped, the rest given back (pending) for the
    task's retry, and the error propagates. Returns counts and whether more
    is left."""
    size = size or settings.OUTREACH_BATCH_SIZE
    communication = Communication.objects.get(pk=communication_id)
    now = timezone.now()
    with transaction.atomic(durable=True):
        ids = list(
            Recipient.objects.select_for_update(skip_locked=True)
            .filter(communication=communication, status=RecipientStatus.PENDING)
            .order_by("pk")
            .values_list("pk", flat=True)[:size]
        )
        Recipient.objects.filter(pk__in=ids, status=RecipientStatus.PENDING).update(
            status=RecipientStatus.CLAIMED, claimed_at=now
        )
    batch = list(
        Recipient.objects.filter(pk__in=ids, status=RecipientStatus.CLAIMED, claimed_at=now)
        .select_related("person")
        .order_by("pk")
    )
    gone = set(
        Unsubscription.objects.filter(person_id__in=[r.person_id for r in batch]).values_list(
            "person_id", flat=True
        )
    )
    skipped = [r.pk for r in batch if r.person_id in gone or r.person.anonymised_at is not None]
    Recipient.objects.filter(pk__in=skipped).update(status=RecipientStatus.SKIPPED)
    sent: list[int] = []
    try:
        for recipient in batch:
            if recipient.pk in skipped:
                continue
            message = personalise(communication, recipient.person)
            mail.send(
                mail.Message(
                    subject=message.subject,
                    text=message.text,
                    html=message.html,
                    to=[recipient.email],
                )
            )
            sent.append(recipient.pk)
    finally:
        Recipient.objects.filter(pk__in=sent).update(
            status=RecipientStatus.SENT, sent_at=timezone.now()
        )
        unsent = [r.pk for r in batch if r.pk not in sent and r.pk not in skipped]
        if unsent and len(sent) + len(skipped) < len(batch):
            # Only reached on a refusal: give the rest back for the retry.
            Recipient.objects.filter(pk__in=unsent, status=RecipientStatus.CLAIMED).update(
                status=RecipientStatus.PENDING, claimed_at=None
            )
    left = Recipient.objects.filter(
        communication=communication, status=RecipientStatus.PENDING
    ).exists()
    if not left:
        Communication.objects.filter(
            pk=communication.pk, status=CommunicationStatus.SENDING
        ).update(status=CommunicationStatus.SENT, finished_at=timezone.now())
    return {"sent": len(sent), "skipped": len(skipped), "left": left}


def progress(communication: Communication) -> dict[str, int]:
    """How far the sending has gone (one grouped query)."""
    counts = dict.fromkeys(RecipientStatus.values, 0)
    for row in (
        Recipient.objects.filter(communication=communication)
        .values("status")
        .annotate(n=Count("pk"))
    ):
        counts[row["status"]] = row["n"]
    total = sum(counts.values())
    done = counts[RecipientStatus.SENT] + counts[RecipientStatus.SKIPPED]
    return {
        "total": total,
        "unconfirmed": counts[RecipientStatus.CLAIMED],
        "sent": counts[RecipientStatus.SENT],
        "skipped": counts[RecipientStatus.SKIPPED],
        "pending": counts[RecipientStatus.PENDING],
        "percent": 100 if not total else int(100 * done / total),
    }


# --- Unsubscribing -----------------------------------------------------------------------


def unsubscribe_token(person_id: int, communication_id: int | None = None) -> str:
    return signing.dumps([person_id, communication_id], salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_url(person_id: int, communication_id: int | None = None) -> str:
    token = unsubscribe_token(person_id, communication_id)
    return settings.SITE_URL + reverse("outreach:unsubscribe", args=[token])


def read_unsubscribe_token(token: str) -> tuple[int, int | None] | None:
    """(person id, communication id), or None for a link that was altered."""
    try:
        value = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(value, list) or len(value) != 2 or not isinstance(value[0], int):
        return None
    return value[0], value[1] if isinstance(value[1], int) else None


def is_unsubscribed(person_id: int) -> bool:
    return Unsubscription.objects.filter(person_id=person_id).exists()


def unsubscribe(*, person_id: int, communication_id: int | None = None) -> bool:
    """Record that the person wants no more communications; True when new.
    Kept for good; automatic e-mails (reminders, invoices, bookings) still go."""
    if not Person.objects.filter(pk=person_id, anonymised_at__isnull=True).exists():
        return False
    communication = Communication.objects.filter(pk=communication_id).first()
    _, created = Unsubscription.objects.get_or_create(
        person_id=person_id, defaults={"communication": communication}
    )
    return created


# --- A person's history and personal data ------------------------------------------------


def history_lines(person_id: int) -> list[str]:
    lines = [
        f"{r.communication.subject} ({r.communication.get_segment_display()}), "
        f"{r.get_status_display().lower()}"
        + (f" {timezone.localtime(r.sent_at):%d %b %Y}" if r.sent_at else "")
        for r in Recipient.objects.filter(person_id=person_id).select_related("communication")
    ]
    unsub = Unsubscription.objects.filter(person_id=person_id).first()
    if unsub:
        lines.append(f"Unsubscribed from communications {unsub.unsubscribed_at:%d %b %Y}")
    return lines


def personal_data_export(person_id: int) -> dict:
    unsub = Unsubscription.objects.filter(person_id=person_id).first()
    return {
        "communications": [
            {
                "subject": r.communication.subject,
                "body": r.communication.body,
                "to": r.email,
                "status": r.get_status_display(),
                "sent_at": r.sent_at.isoformat() if r.sent_at else None,
            }
            for r in Recipient.objects.filter(person_id=person_id).select_related("communication")
        ],
        "unsubscribed_at": unsub.unsubscribed_at.isoformat() if unsub else None,
    }


def personal_data_erase(person_id: int) -> dict[str, int]:
    """What was sent to them goes (it names them by address); so does their
    unsubscription (an erased person is never written to anyway)."""
    recipients, _ = Recipient.objects.filter(person_id=person_id).delete()
    unsubscriptions, _ = Unsubscription.objects.filter(person_id=person_id).delete()
    return {"communications received": recipients, "unsubscriptions": unsubscriptions}
