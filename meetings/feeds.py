"""The public feeds: Meeting Guide JSON, iCal, and printable region lists.

Only public, active meetings appear (``Meeting.objects.listed()``). Nothing
about a facilitator goes out; the free-text notes are also scrubbed of any
facilitator's surname, as the Meeting Guide spec asks for anonymity.

Meeting type codes: the spec's own codes where they fit (``A`` secular: every
SMART meeting is secular; ``X`` wheelchair access). The spec has no codes for
our programmes or formats, so ours are prefixed ``SMART-`` (no spec code, and
no ISO 639 language code, has a hyphen after five letters):

| code | meaning |
|---|---|
| ``SMART-REC`` | SMART Recovery programme meeting |
| ``SMART-FAM`` | SMART Recovery Family & Friends meeting |
| ``SMART-INP`` | in person |
| ``SMART-ONL`` | online |
| ``SMART-HYB`` | hybrid (in person and online) |

``TC`` (temporarily closed) is never sent: a paused meeting leaves the feed.
"""

from __future__ import annotations

import datetime
import json
import re
from collections import defaultdict
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.text import slugify
from icalendar import Calendar, Event, Timezone, vRecur

from meetings.finder import listed_meetings, region_of
from meetings.models import Format, LeadershipPeriod, Meeting, Programme

LONDON = ZoneInfo("Europe/London")
OUR_TYPES = {
    "SMART-REC": "SMART Recovery programme meeting",
    "SMART-FAM": "SMART Recovery Family & Friends meeting",
    "SMART-INP": "In person",
    "SMART-ONL": "Online",
    "SMART-HYB": "Hybrid (in person and online)",
}
PROGRAMME_TYPES = {Programme.SMART: "SMART-REC", Programme.FAMILY_FRIENDS: "SMART-FAM"}
FORMAT_TYPES = {
    Format.IN_PERSON: "SMART-INP",
    Format.ONLINE: "SMART-ONL",
    Format.HYBRID: "SMART-HYB",
}
ICAL_DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _surnames_by_meeting(meeting_ids: list[int]) -> dict[int, set[str]]:
    """Every surname of anyone who ever facilitated these meetings (one query)."""
    through = LeadershipPeriod.facilitators.through
    rows = through.objects.filter(leadershipperiod__meeting_id__in=meeting_ids).values_list(
        "leadershipperiod__meeting_id", "person__last_name"
    )
    names: dict[int, set[str]] = defaultdict(set)
    for meeting_id, last_name in rows:
        if last_name and len(last_name.strip()) > 1:
            names[meeting_id].add(last_name.strip())
    return names


def plain_text(value: str, *, surnames: set[str] = frozenset()) -> str:
    text = strip_tags(value or "").strip()
    for surname in surnames:
        text = re.sub(rf"\b{re.escape(surname)}\b", surname[0] + ".", text, flags=re.IGNORECASE)
    return text


def meeting_types(meeting: Meeting) -> list[str]:
    types = ["A"]
    if meeting.programme in PROGRAMME_TYPES:
        types.append(PROGRAMME_TYPES[meeting.programme])
    types.append(FORMAT_TYPES[meeting.format])
    if meeting.wheelchair_access and meeting.format != Format.ONLINE:
        types.append("X")
    return types


def _coordinate(value) -> float | None:
    return None if value is None else round(float(value), 5)


def feed_entry(meeting: Meeting, *, surnames: set[str] = frozenset()) -> dict:
    notes_parts = [plain_text(meeting.notes, surnames=surnames)]
    if meeting.format != Format.ONLINE and meeting.directions:
        notes_parts.append(plain_text(meeting.directions, surnames=surnames))
    entry = {
        "name": meeting.name,
        "slug": meeting.slug,
        "day": (meeting.weekday + 1) % 7,
        "time": meeting.start_time.strftime("%H:%M"),
        "end_time": meeting.end_time.strftime("%H:%M"),
        "timezone": "Europe/London",
        "types": meeting_types(meeting),
        "notes": "\n\n".join(p for p in notes_parts if p),
        "region": region_of(meeting),
        "url": absolute(reverse("meetings:detail", args=[meeting.slug])),
        "feedback_url": f"mailto:{settings.MEETINGS_FEEDBACK_EMAIL}?subject={meeting.slug}",
        "updated": meeting.updated_at.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S"),
    }
    if meeting.host_id:
        entry["group"] = meeting.host.name
    if meeting.format == Format.ONLINE:
        place = meeting.venue_town or "United Kingdom"
        entry["formatted_address"] = f"{place}, UK" if meeting.venue_town else place
        entry["approximate"] = "yes"
    else:
        lines = meeting.address_lines
        street = ", ".join(
            p
            for p in (
                meeting.site.address_line_1 if meeting.site_id else meeting.venue_address_line_1,
                meeting.site.address_line_2 if meeting.site_id else meeting.venue_address_line_2,
            )
            if p
        )
        entry.update(
            {
                "location": meeting.venue_label,
                "address": street,
                "city": meeting.town,
                "postal_code": meeting.postcode,
                "country": "UK",
                "formatted_address": ", ".join([*lines, "UK"]),
                "approximate": "no",
            }
        )
        if meeting.latitude is not None and meeting.longitude is not None:
            entry["latitude"] = _coordinate(meeting.latitude)
            entry["longitude"] = _coordinate(meeting.longitude)
    if meeting.format != Format.IN_PERSON:
        if meeting.conference_url:
            entry["conference_url"] = meeting.conference_url
            if meeting.conference_notes:
                entry["conference_url_notes"] = meeting.conference_notes
        if meeting.conference_phone:
            entry["conference_phone"] = re.sub(r"[^\d+,*#]", "", meeting.conference_phone)
            if meeting.conference_notes and not meeting.conference_url:
                entry["conference_phone_notes"] = meeting.conference_notes
    return entry


def build_feed() -> list[dict]:
    """The Meeting Guide feed: one object per public, active meeting, in two queries."""
    meetings = list(listed_meetings().select_related("host").order_by("slug"))
    surnames = _surnames_by_meeting([m.pk for m in meetings])
    return [feed_entry(m, surnames=surnames.get(m.pk, set())) for m in meetings]


def feed_json() -> bytes:
    return json.dumps(build_feed(), ensure_ascii=False, separators=(",", ":")).encode()


# --- iCal -------------------------------------------------------------------


def _first_occurrence(meeting: Meeting) -> datetime.date:
    """The first session: the meeting's weekday on or after it opened."""
    opened = meeting.first_active_on or meeting.created_at.date()
    return opened + datetime.timedelta(days=(meeting.weekday - opened.weekday()) % 7)


def meeting_event(meeting: Meeting) -> Event:
    first = _first_occurrence(meeting)
    event = Event()
    event.add("uid", f"{meeting.slug}@{settings.SITE_URL.split('://')[-1]}")
    event.add("summary", meeting.name)
    event.add("dtstamp", meeting.updated_at.astimezone(datetime.UTC))
    event.add("dtstart", datetime.datetime.combine(first, meeting.start_time, tzinfo=LONDON))
    event.add("dtend", datetime.datetime.combine(first, meeting.end_time, tzinfo=LONDON))
    event.add("rrule", vRecur(freq="WEEKLY", byday=ICAL_DAYS[meeting.weekday]))
    if meeting.format == Format.ONLINE:
        event.add("location", meeting.conference_url or meeting.conference_phone)
    else:
        event.add("location", ", ".join([meeting.venue_label, *meeting.address_lines]))
    how = []
    if meeting.format != Format.IN_PERSON:
        how.append(f"Join online: {meeting.conference_url or meeting.conference_phone}")
    description = "\n".join([plain_text(meeting.notes), *how]).strip()
    if description:
        event.add("description", description)
    event.add("url", absolute(reverse("meetings:detail", args=[meeting.slug])))
    return event


def calendar(meetings: list[Meeting], *, name: str) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//SMART Recovery network//smartnet meetings//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Europe/London")
    cal.add_component(Timezone.from_tzid("Europe/London"))
    for meeting in meetings:
        cal.add_component(meeting_event(meeting))
    return cal.to_ical()


def calendar_all() -> bytes:
    meetings = list(listed_meetings().order_by("weekday", "start_time", "slug"))
    return calendar(meetings, name="SMART Recovery meetings")


# --- Printable region lists ---------------------------------------------------


def regions() -> list[tuple[str, str, int]]:
    """(slug, region name, meeting count) for every region with a listed meeting."""
    counts: dict[str, int] = defaultdict(int)
    for meeting in listed_meetings():
        counts[region_of(meeting)] += 1
    return sorted((slugify(name), name, n) for name, n in counts.items())


def region_meetings(region_slug: str) -> tuple[str, list[Meeting]] | None:
    chosen = [
        m
        for m in listed_meetings().order_by("weekday", "start_time", "name")
        if slugify(region_of(m)) == region_slug
    ]
    if not chosen:
        return None
    return region_of(chosen[0]), chosen
