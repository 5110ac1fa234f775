"""The public feeds: Meeting Guide JSON, iCal, and printable region lists.

Only public, active meetings appear (``Meeting.objects.listed()``). Nothing
about a facilitator goes out; every free-text field is read through
``meetings.public_text`` (no facilitator's surname, e-mail address or phone
number), as the Meeting Guide spec asks for anonymity.

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
from collections.abc import Iterator
from itertools import islice
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils.text import slugify
from icalendar import Calendar, Event, Timezone, vRecur

from meetings import feeds_cache, public_text
from meetings.finder import listed_meetings, region_of
from meetings.models import Format, Meeting, Programme
from partners.models import Nation

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


def _coordinate(value) -> float | None:
    return None if value is None else round(float(value), 5)


FEED_COLUMNS = (
    "pk", "name", "slug", "weekday", "start_time", "end_time", "format", "programme",
    "wheelchair_access", "notes", "directions", "updated_at", "conference_url",
    "conference_phone", "conference_notes", "venue_name", "venue_address_line_1",
    "venue_address_line_2", "venue_town", "venue_postcode", "venue_latitude",
    "venue_longitude", "site_id", "site__name", "site__address_line_1",
    "site__address_line_2", "site__town", "site__postcode", "site__latitude",
    "site__longitude", "site__area__region", "site__area__nation", "host__name",
)  # fmt: skip


def _row_region(row: dict) -> str:
    """``finder.region_of`` for a values() row."""
    if row["format"] == Format.ONLINE:
        return "Online"
    if row["site_id"]:
        return row["site__area__region"] or Nation(row["site__area__nation"]).label
    return row["venue_town"] or "Other"


def feed_entry(row: dict, *, url_template: str) -> dict:
    """One meeting (a values() row of FEED_COLUMNS, cleaned by
    ``public_text.clean_row``) in Meeting Guide form."""
    fmt = row["format"]
    notes_parts = [row["notes"]]
    if fmt != Format.ONLINE and row["directions"]:
        notes_parts.append(row["directions"])
    types = ["A"]
    if row["programme"] in PROGRAMME_TYPES:
        types.append(PROGRAMME_TYPES[row["programme"]])
    types.append(FORMAT_TYPES[fmt])
    if row["wheelchair_access"] and fmt != Format.ONLINE:
        types.append("X")
    entry = {
        "name": row["name"],
        "slug": row["slug"],
        "day": (row["weekday"] + 1) % 7,
        "time": f"{row['start_time']:%H:%M}",
        "end_time": f"{row['end_time']:%H:%M}",
        "timezone": "Europe/London",
        "types": types,
        "notes": "\n\n".join(p for p in notes_parts if p),
        "region": _row_region(row),
        "url": url_template.format(slug=row["slug"]),
        "feedback_url": f"mailto:{settings.MEETINGS_FEEDBACK_EMAIL}?subject={row['slug']}",
        "updated": row["updated_at"].astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S"),
    }
    if row["host__name"]:
        entry["group"] = row["host__name"]
    if fmt == Format.ONLINE:
        town = row["venue_town"]
        entry["formatted_address"] = f"{town}, UK" if town else "United Kingdom"
        entry["approximate"] = "yes"
    else:
        prefix = "site__" if row["site_id"] else "venue_"
        line1 = row[f"{prefix}address_line_1"]
        line2 = row[f"{prefix}address_line_2"]
        town = row["site__town"] if row["site_id"] else row["venue_town"]
        postcode = row["site__postcode"] if row["site_id"] else row["venue_postcode"]
        street = ", ".join(p for p in (line1, line2) if p)
        entry.update(
            {
                "location": row["site__name"] if row["site_id"] else row["venue_name"],
                "address": street,
                "city": town,
                "postal_code": postcode,
                "country": "UK",
                "formatted_address": ", ".join(p for p in (street, town, postcode, "UK") if p),
                "approximate": "no",
            }
        )
        lat, lon = row["site__latitude"], row["site__longitude"]
        if lat is None or lon is None:
            lat, lon = row["venue_latitude"], row["venue_longitude"]
        if lat is not None and lon is not None:
            entry["latitude"] = _coordinate(lat)
            entry["longitude"] = _coordinate(lon)
    if fmt != Format.IN_PERSON:
        if row["conference_url"]:
            entry["conference_url"] = row["conference_url"]
            if row["conference_notes"]:
                entry["conference_url_notes"] = row["conference_notes"]
        if row["conference_phone"]:
            entry["conference_phone"] = re.sub(r"[^\d+,*#]", "", row["conference_phone"])
            if row["conference_notes"] and not row["conference_url"]:
                entry["conference_phone_notes"] = row["conference_notes"]
    return entry


def _detail_url_template() -> str:
    """The meeting page's absolute URL with ``{slug}`` in it: one reverse() per feed,
    not one per meeting (reverse is most of the cost of a 5,000-meeting feed)."""
    return absolute(reverse("meetings:detail", args=["SLUG"])).replace("SLUG", "{slug}")


# Meetings are read this many at a time (a server-side cursor on PostgreSQL),
# each batch with its facilitators' surnames in one query: memory stays bounded
# by the batch, not the network (30 MB of JSON at scale 100).
FEED_CHUNK = 2000


def feed_entries(meetings: QuerySet[Meeting] | None = None) -> Iterator[dict]:
    """The Meeting Guide entries of ``meetings`` (default: every listed meeting),
    in slug order, read ``FEED_CHUNK`` rows at a time: one query for the rows and
    one per chunk for the surnames to cut (so two for any feed up to a chunk).
    Rows are read with values(): model instances would double the time of a
    5,000-meeting feed."""
    if meetings is None:
        meetings = Meeting.objects.listed()
    rows = meetings.order_by("slug").values(*FEED_COLUMNS).iterator(chunk_size=FEED_CHUNK)
    template = _detail_url_template()
    while chunk := list(islice(rows, FEED_CHUNK)):
        surnames = public_text.surnames_by_meeting([row["pk"] for row in chunk])
        for row in chunk:
            yield feed_entry(
                public_text.clean_row(row, surnames=surnames.get(row["pk"], ())),
                url_template=template,
            )


def build_feed(meetings: QuerySet[Meeting] | None = None) -> list[dict]:
    """The Meeting Guide feed as a list (see ``feed_entries``)."""
    return list(feed_entries(meetings))


def feed_chunks(
    meetings: QuerySet[Meeting] | None = None, *, per_write: int = 200
) -> Iterator[bytes]:
    """The feed's JSON, written meeting by meeting: the same bytes as
    ``json.dumps(build_feed(), ensure_ascii=False, separators=(",", ":"))``,
    without the whole list (or the whole text) in memory at once."""
    yield b"["
    parts: list[str] = []
    first = True
    for entry in feed_entries(meetings):
        text = json.dumps(entry, ensure_ascii=False, separators=(",", ":"))
        parts.append(text if first else "," + text)
        first = False
        if len(parts) >= per_write:
            yield "".join(parts).encode()
            parts = []
    yield ("".join(parts) + "]").encode()


def feed_json(meetings: QuerySet[Meeting] | None = None) -> bytes:
    return b"".join(feed_chunks(meetings))


# --- Per-region feeds ----------------------------------------------------------


def region_names(region_slug: str) -> list[str]:
    """The region names (from the cached region list) whose slug is
    ``region_slug``; empty for a region with no listed meeting."""
    return [name for slug, name, _count in cached_regions() if slug == region_slug]


def in_regions(names: list[str]) -> Q:
    """Meetings whose ``region_of`` is one of ``names``, as a database filter
    (the same rule: online; a site's area region, or its nation; a venue's town)."""
    nations = [code for code, label in Nation.choices if label in names]
    not_online = ~Q(format=Format.ONLINE)
    at_site = Q(site__isnull=False) & (
        Q(site__area__region__in=names) | Q(site__area__region="", site__area__nation__in=nations)
    )
    at_venue = Q(site__isnull=True) & Q(venue_town__in=names)
    if "Other" in names:
        at_venue |= Q(site__isnull=True, venue_town="")
    where = not_online & (at_site | at_venue)
    if "Online" in names:
        where |= Q(format=Format.ONLINE)
    return where


def region_feed_meetings(region_slug: str) -> QuerySet[Meeting] | None:
    """The listed meetings of one region (None for an unknown region)."""
    names = region_names(region_slug)
    if not names:
        return None
    return Meeting.objects.listed().filter(in_regions(names))


# --- iCal -------------------------------------------------------------------


def _first_occurrence(meeting: Meeting) -> datetime.date:
    """The first session: the meeting's weekday on or after it opened."""
    opened = meeting.first_active_on or meeting.created_at.date()
    return opened + datetime.timedelta(days=(meeting.weekday - opened.weekday()) % 7)


def meeting_event(meeting: Meeting) -> Event:
    """One meeting's weekly event; ``meeting`` is a ``public_text`` copy."""
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
    description = "\n".join([meeting.notes, *how]).strip()
    if description:
        event.add("description", description)
    event.add("url", absolute(reverse("meetings:detail", args=[meeting.slug])))
    return event


def _calendar(meetings: list[Meeting], *, name: str) -> bytes:
    """An iCal calendar of ``meetings``, copies cleaned by ``public_text``."""
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
    meetings = listed_meetings().order_by("weekday", "start_time", "slug")
    return _calendar(public_text.public_meetings(meetings), name="SMART Recovery meetings")


def meeting_calendar(meeting: Meeting) -> bytes:
    public = public_text.public_meeting(meeting)
    return _calendar([public], name=public.name)


# --- Printable region lists ---------------------------------------------------


def regions() -> list[tuple[str, str, int]]:
    """(slug, region name, meeting count) for every region with a listed meeting.

    Counted in the database, grouped by what ``region_of`` reads, so the cost
    does not grow with the number of meetings loaded into Python."""
    counts: dict[str, int] = defaultdict(int)
    nations = dict(Nation.choices)
    rows = (
        Meeting.objects.listed()
        .order_by()
        .values("format", "site_id", "site__area__region", "site__area__nation", "venue_town")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        if row["format"] == Format.ONLINE:
            name = "Online"
        elif row["site_id"]:
            name = row["site__area__region"] or nations.get(row["site__area__nation"], "")
        else:
            name = row["venue_town"] or "Other"
        counts[name] += row["n"]
    return sorted((slugify(name), name, n) for name, n in counts.items())


def cached_regions() -> list[tuple[str, str, int]]:
    """``regions()`` from the feeds' cache, dropped with it when a meeting changes."""
    key = feeds_cache.key("regions")
    found = cache.get(key)
    if found is None:
        found = regions()
        cache.set(key, found, settings.MEETINGS_FEED_CACHE_SECONDS)
    return found


def region_meetings(region_slug: str) -> tuple[str, list[Meeting]] | None:
    chosen = [
        m
        for m in listed_meetings().order_by("weekday", "start_time", "name")
        if slugify(region_of(m)) == region_slug
    ]
    if not chosen:
        return None
    return region_of(chosen[0]), chosen
