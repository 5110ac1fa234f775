"""The public meeting finder's search: place, day, time of day, format, programme.

Only public, active meetings are ever found (``Meeting.objects.listed()``).
In-person and hybrid meetings are sorted by distance (haversine, in Python:
the listed network is a few thousand rows at most); online-only meetings are
listed apart, without a distance.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import QuerySet

from meetings.models import Format, Meeting, Programme
from meetings.postcodes import Place, distance_miles, find_place

TIME_OF_DAY = {
    "morning": (datetime.time(0), datetime.time(12)),
    "afternoon": (datetime.time(12), datetime.time(17)),
    "evening": (datetime.time(17), datetime.time(23, 59, 59)),
}


@dataclass
class Results:
    place: Place | None = None
    unknown_place: str = ""
    nearby: list[tuple[Meeting, float | None]] = field(default_factory=list)
    online: list[Meeting] = field(default_factory=list)


def listed_meetings() -> QuerySet[Meeting]:
    return Meeting.objects.listed().select_related("site", "site__area")


def search(
    *,
    where: str = "",
    day: int | None = None,
    time_of_day: str = "",
    meeting_format: str = "",
    programme: str = "",
    radius: int = 25,
) -> Results:
    meetings = listed_meetings()
    if day is not None:
        meetings = meetings.filter(weekday=day)
    if time_of_day in TIME_OF_DAY:
        low, high = TIME_OF_DAY[time_of_day]
        meetings = meetings.filter(start_time__gte=low, start_time__lt=high)
    if meeting_format == Format.IN_PERSON:
        meetings = meetings.filter(format__in=[Format.IN_PERSON, Format.HYBRID])
    elif meeting_format == Format.ONLINE:
        meetings = meetings.filter(format__in=[Format.ONLINE, Format.HYBRID])
    elif meeting_format == Format.HYBRID:
        meetings = meetings.filter(format=Format.HYBRID)
    if programme in Programme.values:
        meetings = meetings.filter(programme=programme)
    results = Results()
    if where.strip():
        results.place = find_place(where)
        if results.place is None:
            results.unknown_place = where.strip()
    rows = list(meetings.order_by("weekday", "start_time", "name"))
    results.online = [m for m in rows if m.format == Format.ONLINE]
    in_person = [m for m in rows if m.format != Format.ONLINE]
    if results.place is not None:
        here = results.place
        measured = []
        for m in in_person:
            if m.latitude is None or m.longitude is None:
                continue
            miles = distance_miles(
                here.latitude, here.longitude, float(m.latitude), float(m.longitude)
            )
            if miles <= radius:
                measured.append((m, miles))
        measured.sort(key=lambda pair: (pair[1], pair[0].weekday, pair[0].start_time))
        results.nearby = measured
    elif not results.unknown_place:
        results.nearby = [(m, None) for m in in_person]
    return results


def region_of(meeting: Meeting) -> str:
    """The region a meeting is listed under (feeds and printable lists)."""
    if meeting.format == Format.ONLINE:
        return "Online"
    if meeting.site_id:
        area = meeting.site.area
        return area.region or area.get_nation_display()
    return meeting.venue_town or "Other"
