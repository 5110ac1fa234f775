"""Booking places on face-to-face and training-the-trainer events, and the
waiting list of a full event.

Capacity is the database's: every change to an event's places takes the event
row's lock first (``select_for_update``, the locked counter row), counts under
it, and gives each place a seat number unique per event (``EventPlace.seat``).
Two people taking the last place at once: the second waits for the lock, finds
the event full, and joins the waiting list.

A place freed (a cancellation, an offer declined or expired) is offered to the
first person waiting, held for them for ``TRAINING_WAITING_OFFER_DAYS``; an
open offer counts against capacity. The daily job (``bookings_daily_run``)
expires offers, offers places still free, and sends the day-before reminders.
E-mails are queued after commit (``training.tasks.send_booking_mail``) and each
is sent once (``smartnet.mail.send_once``).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from partners.models import Person
from smartnet import mail
from smartnet.models import JobRun
from smartnet.queue import enqueue
from training.calendar import event_attachment
from training.eligibility import may_take
from training.links import booking_url
from training.models import (
    OPEN_WAIT_STATUSES,
    Delivery,
    EventPlace,
    TrainingEvent,
    WaitingListEntry,
    WaitStatus,
)

BOOKABLE = (Delivery.FACE_TO_FACE, Delivery.TRAIN_THE_TRAINER)
JOB = "training.bookings_daily"


class Outcome:
    BOOKED = "booked"
    ALREADY_BOOKED = "already_booked"
    WAITING = "waiting"
    ALREADY_WAITING = "already_waiting"


@dataclass(frozen=True)
class BookingResult:
    outcome: str
    message: str
    place: EventPlace | None = None
    entry: WaitingListEntry | None = None


# --- Reads -------------------------------------------------------------------------------


def free_places(event: TrainingEvent) -> int:
    """Places neither booked nor held for an open offer."""
    booked = EventPlace.objects.filter(event=event).count()
    held = WaitingListEntry.objects.filter(event=event, status=WaitStatus.OFFERED).count()
    return max(0, event.capacity - booked - held)


def waiting_position(entry: WaitingListEntry) -> int:
    """1 for the first in line."""
    return (
        WaitingListEntry.objects.filter(event_id=entry.event_id, status=WaitStatus.WAITING)
        .filter(Q(joined_at__lt=entry.joined_at) | Q(joined_at=entry.joined_at, pk__lte=entry.pk))
        .count()
    )


def booking_state(*, event: TrainingEvent, person: Person) -> dict[str, Any]:
    """What ``person`` has on ``event``: their place, their open waiting-list
    entry (and its position), the free places."""
    entry = WaitingListEntry.objects.filter(
        event=event, person=person, status__in=OPEN_WAIT_STATUSES
    ).first()
    return {
        "place": EventPlace.objects.filter(event=event, person=person).first(),
        "entry": entry,
        "position": waiting_position(entry)
        if entry and entry.status == WaitStatus.WAITING
        else None,
        "free": free_places(event),
    }


def closed_reason(event: TrainingEvent, today: datetime.date) -> str:
    """Why ``event`` takes no bookings on ``today`` ("" when it does)."""
    if event.course.delivery not in BOOKABLE:
        return f"{event.course.title} is an online course: there are no places to book."
    if event.held_on < today:
        return f"This event took place on {event.held_on:%-d %B %Y}; it can no longer be booked."
    if event.held_on == today:
        return "This event is today; bookings closed at the end of yesterday."
    return ""


# --- Writes ------------------------------------------------------------------------------


def _lock(event: TrainingEvent) -> TrainingEvent:
    return TrainingEvent.objects.select_for_update().select_related("course").get(pk=event.pk)


def _check(event: TrainingEvent, person: Person, today: datetime.date) -> None:
    reason = closed_reason(event, today)
    if reason:
        raise ValidationError({"event": reason})
    if person.anonymised_at is not None:
        raise ValidationError({"person": "This person's record has been erased."})
    decision = may_take(course=event.course, person=person, on=event.held_on)
    if not decision.allowed:
        raise ValidationError({"person": f"{person.full_name} cannot book: {decision.reason}."})


def _next_seat(event: TrainingEvent) -> int:
    taken = set(EventPlace.objects.filter(event=event).values_list("seat", flat=True))
    return next(n for n in range(1, event.capacity + len(taken) + 2) if n not in taken)


def _place(event: TrainingEvent, person: Person, by) -> EventPlace:
    place = EventPlace.objects.create(
        event=event, person=person, seat=_next_seat(event), booked_by=by
    )
    enqueue("training.tasks.send_booking_mail", "confirmed", place.pk)
    return place


def _offer_next(event: TrainingEvent, today: datetime.date) -> int:
    """Offer free places to the first in line (the caller holds the event's
    lock); returns how many offers were made."""
    if event.held_on <= today:
        return 0
    made = 0
    expires = min(
        today + datetime.timedelta(days=settings.TRAINING_WAITING_OFFER_DAYS),
        event.held_on - datetime.timedelta(days=1),
    )
    while free_places(event) > 0:
        entry = WaitingListEntry.objects.filter(event=event, status=WaitStatus.WAITING).first()
        if entry is None:
            break
        entry.status = WaitStatus.OFFERED
        entry.offered_on = today
        entry.offer_expires_on = expires
        entry.save(update_fields=["status", "offered_on", "offer_expires_on"])
        enqueue("training.tasks.send_booking_mail", "offer", entry.pk)
        made += 1
    return made


def _expire(event: TrainingEvent, today: datetime.date) -> int:
    return WaitingListEntry.objects.filter(
        event=event, status=WaitStatus.OFFERED, offer_expires_on__lt=today
    ).update(status=WaitStatus.EXPIRED)


@transaction.atomic
def booking_request(
    *, event: TrainingEvent, person: Person, by=None, today: datetime.date | None = None
) -> BookingResult:
    """Book ``person`` a place on ``event``, or put them on its waiting list
    when it is full; an open offer to them is taken up. ``by`` is the staff
    user booking on their behalf. ValidationError (naming the field) when the
    event is past or online, or the course's access rule refuses them."""
    today = today or timezone.localdate()
    event = _lock(event)
    _check(event, person, today)
    place = EventPlace.objects.filter(event=event, person=person).first()
    if place is not None:
        return BookingResult(Outcome.ALREADY_BOOKED, "You already have a place.", place=place)
    if _expire(event, today):
        _offer_next(event, today)
    entry = WaitingListEntry.objects.filter(
        event=event, person=person, status__in=OPEN_WAIT_STATUSES
    ).first()
    if entry is not None and entry.status == WaitStatus.OFFERED:
        entry.status = WaitStatus.ACCEPTED
        entry.save(update_fields=["status"])
        place = _place(event, person, by)
        return BookingResult(Outcome.BOOKED, "The place offered is yours.", place=place)
    if entry is not None:
        return BookingResult(
            Outcome.ALREADY_WAITING,
            f"Already on the waiting list, number {waiting_position(entry)} in line.",
            entry=entry,
        )
    if free_places(event) > 0:
        return BookingResult(Outcome.BOOKED, "Place booked.", place=_place(event, person, by))
    entry = WaitingListEntry.objects.create(event=event, person=person)
    enqueue("training.tasks.send_booking_mail", "waiting", entry.pk)
    return BookingResult(
        Outcome.WAITING,
        f"The event is full ({event.capacity} places): on the waiting list, "
        f"number {waiting_position(entry)} in line. A freed place is offered by e-mail.",
        entry=entry,
    )


@transaction.atomic
def booking_cancel(
    *, event: TrainingEvent, person: Person, today: datetime.date | None = None
) -> int:
    """Give up ``person``'s place, or their place in the queue or offer; a
    freed place is offered to the next in line. Returns offers made."""
    today = today or timezone.localdate()
    event = _lock(event)
    if event.held_on <= today:
        raise ValidationError(
            {"event": "The event has taken place: bookings can no longer change."}
        )
    deleted, _ = EventPlace.objects.filter(event=event, person=person).delete()
    left = WaitingListEntry.objects.filter(
        event=event, person=person, status__in=OPEN_WAIT_STATUSES
    ).update(status=WaitStatus.LEFT)
    if not deleted and not left:
        raise ValidationError({"person": "There is no booking or waiting-list place to cancel."})
    return _offer_next(event, today)


def booking_invite(*, event: TrainingEvent, people: Iterable[Person], by=None) -> int:
    """E-mail each person a signed link to book ``event`` themselves (once
    per person and event). Returns how many invitations were queued."""
    reason = closed_reason(event, timezone.localdate())
    if reason:
        raise ValidationError({"emails": reason})
    count = 0
    with transaction.atomic():
        for person in people:
            enqueue("training.tasks.send_booking_mail", "invitation", event.pk, person.pk)
            count += 1
    return count


def bookings_daily_run(*, today: datetime.date | None = None) -> dict[str, int]:
    """The daily bookings job: expire offers not taken up, offer free places
    of events ahead to the waiting lists, send the reminder the day before.
    Idempotent: offers are conditional status changes under the event lock,
    reminders are claimed once per place."""
    today = today or timezone.localdate()
    summary = {"offers_expired": 0, "offers_made": 0, "reminders": 0}
    ahead = (
        WaitingListEntry.objects.filter(status__in=OPEN_WAIT_STATUSES, event__held_on__gt=today)
        .values_list("event_id", flat=True)
        .distinct()
    )
    for event in TrainingEvent.objects.filter(pk__in=list(ahead)).order_by("held_on", "pk"):
        with transaction.atomic():
            locked = _lock(event)
            summary["offers_expired"] += _expire(locked, today)
            summary["offers_made"] += _offer_next(locked, today)
    tomorrow = today + datetime.timedelta(days=1)
    for place_pk in EventPlace.objects.filter(event__held_on=tomorrow).values_list("pk", flat=True):
        if booking_mail_send("reminder", place_pk):
            summary["reminders"] += 1
    with transaction.atomic():
        run, created = JobRun.objects.select_for_update().get_or_create(
            job=JOB, key=today.isoformat(), defaults={"summary": summary}
        )
        if not created:
            merged = {k: run.summary.get(k, 0) + v for k, v in summary.items()}
            JobRun.objects.filter(pk=run.pk).update(summary=merged)
        JobRun.objects.filter(pk=run.pk).update(finished_at=timezone.now())
    return summary


# --- E-mail ------------------------------------------------------------------------------


def booking_mail_send(kind: str, *ids: int) -> bool:
    """Send one booking e-mail (once per kind and key); False when there is
    nothing to send any more (the place was cancelled, the offer taken)."""
    if kind in ("confirmed", "reminder"):
        place = EventPlace.objects.select_related("event__course", "person").filter(pk=ids[0])
        found = place.first()
        if found is None:
            return False
        event, person, key = found.event, found.person, str(found.pk)
        attachments = [event_attachment(event)]
        context: dict[str, Any] = {}
    elif kind in ("waiting", "offer"):
        entry = (
            WaitingListEntry.objects.select_related("event__course", "person")
            .filter(pk=ids[0])
            .first()
        )
        wanted = WaitStatus.OFFERED if kind == "offer" else WaitStatus.WAITING
        if entry is None or entry.status != wanted:
            return False
        event, person = entry.event, entry.person
        key = f"{entry.pk}:{entry.offered_on or ''}"
        attachments = []
        context = {"entry": entry, "position": waiting_position(entry) if kind == "waiting" else 0}
    elif kind == "invitation":
        event = TrainingEvent.objects.select_related("course").get(pk=ids[0])
        person = Person.objects.get(pk=ids[1])
        key, attachments, context = f"{event.pk}:{person.pk}", [], {}
    else:
        raise ValueError(f"unknown booking e-mail {kind!r}")
    if not person.email or person.anonymised_at is not None:
        return False
    message = mail.render(
        f"training/email/booking_{kind}",
        {**context, "event": event, "person": person, "link": booking_url(event.pk, person.pk)},
        to=[person.email],
        attachments=attachments,
    )
    return mail.send_once(message, kind=f"training.booking_{kind}", key=key)
