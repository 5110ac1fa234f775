"""An iCal file for a booked training event (the confirmation and the
day-before reminder carry it). Events are on a day, so the entry is all-day."""

from __future__ import annotations

import datetime

from django.conf import settings
from icalendar import Calendar, Event

from smartnet.mail import Attachment
from training.models import TrainingEvent


def event_ics(event: TrainingEvent) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//SMART Recovery network//training//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    entry = Event()
    entry.add("uid", f"training-event-{event.pk}@{settings.SITE_URL.split('://')[-1]}")
    entry.add("summary", event.course.title)
    entry.add("location", event.venue)
    entry.add("dtstart", event.held_on)
    entry.add("dtend", event.held_on + datetime.timedelta(days=1))
    entry.add("dtstamp", event.created_at)
    calendar.add_component(entry)
    return calendar.to_ical()


def event_attachment(event: TrainingEvent) -> Attachment:
    return Attachment(
        filename=f"training-{event.held_on:%Y-%m-%d}.ics",
        content=event_ics(event),
        mimetype="text/calendar",
    )
