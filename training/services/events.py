"""Face-to-face and training-the-trainer events: creating, booking, attendance."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from partners.models import Person
from training.eligibility import may_take
from training.models import (
    Course,
    EventPlace,
    Source,
    TrainingEvent,
)
from training.services.completions import CompletionDraft, RecordResult, completions_record

# --- Face-to-face events ----------------------------------------------------------------


@transaction.atomic
def event_create(
    *, course: Course, held_on: date, venue: str, capacity: int, trainer_ids: Iterable[int] = ()
) -> TrainingEvent:
    if capacity < 1:
        raise ValidationError({"capacity": "Capacity must be at least 1."})
    event = TrainingEvent.objects.create(
        course=course, held_on=held_on, venue=venue, capacity=capacity
    )
    event.trainers.set(list(trainer_ids))
    return event


@transaction.atomic
def event_book(*, event: TrainingEvent, person: Person) -> EventPlace:
    """Book a place, checking capacity (under a row lock) and the access rule;
    refused when full. (People booking themselves, and staff booking on their
    behalf, go through ``bookings.booking_request``, which keeps a waiting list.)"""
    TrainingEvent.objects.select_for_update().get(pk=event.pk)
    if EventPlace.objects.filter(event=event, person=person).exists():
        return EventPlace.objects.get(event=event, person=person)
    if EventPlace.objects.filter(event=event).count() >= event.capacity:
        raise ValidationError({"person": f"The event is full ({event.capacity} places)."})
    decision = may_take(course=event.course, person=person, on=event.held_on)
    if not decision.allowed:
        raise ValidationError({"person": f"{person.full_name} cannot book: {decision.reason}."})
    taken = set(EventPlace.objects.filter(event=event).values_list("seat", flat=True))
    seat = next(n for n in range(1, len(taken) + 2) if n not in taken)
    return EventPlace.objects.create(event=event, person=person, seat=seat)


@transaction.atomic
def event_record_attendance(
    *, event: TrainingEvent, attended_ids: Iterable[int], today: date | None = None
) -> RecordResult:
    """Mark who attended (everyone else booked did not) and record their completions."""
    today = today or timezone.localdate()
    if event.held_on > today:
        raise ValidationError(
            {"attended": "Attendance can be recorded once the event has taken place."}
        )
    attended = set(attended_ids)
    places = list(EventPlace.objects.filter(event=event))
    booked = {p.person_id for p in places}
    unknown = attended - booked
    if unknown:
        raise ValidationError({"attended": "Only people booked on the event can attend it."})
    for place in places:
        place.attended = place.person_id in attended
    EventPlace.objects.bulk_update(places, ["attended"])
    drafts = [
        CompletionDraft(
            person_id=pid,
            course=event.course,
            completed_on=event.held_on,
            source=Source.EVENT,
            source_id=f"event:{event.pk}:{pid}",
            event_id=event.pk,
        )
        for pid in sorted(attended)
    ]
    return completions_record(drafts, today=today)
