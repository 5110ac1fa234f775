"""The public meeting finder's search: place, day, time of day, format, programme.

Only public, active meetings are ever found (``Meeting.objects.listed()``).
In-person and hybrid meetings near a place are found in two steps: the
database keeps the meetings inside a latitude/longitude box around the place
(indexed columns, so the cost follows the meetings nearby, not the network),
then the great-circle distance (haversine, in Python) sorts them and drops the
box's corners. Online-only meetings are listed apart, without a distance.
Either way a page of results loads one page of meetings: sorted by distance,
the distances come from a few columns of the box's meetings (``_Measured``);
otherwise the list stays a queryset.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from meetings.models import Format, Meeting, Programme
from meetings.postcodes import (
    DISTRICT,
    FULL_POSTCODE,
    Place,
    distance_miles,
    find_place,
    suggest_places,
)
from partners.validators import compact_postcode

TIME_OF_DAY = {
    "morning": (datetime.time(0), datetime.time(12)),
    "afternoon": (datetime.time(12), datetime.time(17)),
    "evening": (datetime.time(17), datetime.time(23, 59, 59)),
}


@dataclass
class Results:
    place: Place | None = None
    unknown_place: str = ""
    # Known places spelt like an unknown one ("Did you mean Manchester?").
    suggestions: list[str] = field(default_factory=list)
    # (meeting, miles): a list when sorted by distance, else a lazy _Unmeasured.
    nearby: Sequence[tuple[Meeting, float | None]] = field(default_factory=list)
    online: QuerySet[Meeting] | list[Meeting] = field(default_factory=list)
    # Filtering to online meetings keeps the hybrid ones (they can be joined
    # online), but they are listed under their own heading, not "In-person".
    hybrid_only: bool = False


class _Unmeasured(Sequence):
    """In-person meetings with no distance, for the paginator: counting and
    slicing run in the database, so a page loads only its own rows."""

    def __init__(self, meetings: QuerySet[Meeting]):
        self.meetings = meetings

    def count(self) -> int:
        return self.meetings.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [(m, None) for m in self.meetings[index]]
        return (self.meetings[index], None)


class _Measured(Sequence):
    """In-person meetings by distance, for the paginator: the distances are
    worked out from a few columns of every meeting in the box, and a page
    loads only its own meetings (not a model instance of each meeting, site,
    area and host in the box)."""

    def __init__(self, entries: list[tuple[int, float | None]]):
        self.entries = entries  # (meeting id, miles or None), in the order shown

    def __len__(self) -> int:
        return len(self.entries)

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1 or None][0]
        chunk = self.entries[index]
        meetings = listed_meetings().in_bulk([pk for pk, _miles in chunk])
        return [(meetings[pk], miles) for pk, miles in chunk if pk in meetings]


MILES_PER_DEGREE_LATITUDE = 69.0


def _within_box(latitude: float, longitude: float, miles: float) -> Q:
    """Meetings whose map point (the site's, else the venue's: ``Meeting.latitude``)
    lies in the box that holds every point within ``miles`` of the place."""
    dlat = miles / MILES_PER_DEGREE_LATITUDE
    # Degrees of longitude shrink towards the poles; use the box's widest row.
    widest = min(89.0, abs(latitude) + dlat)
    dlon = miles / (MILES_PER_DEGREE_LATITUDE * math.cos(math.radians(widest)))
    lat_range = (latitude - dlat, latitude + dlat)
    lon_range = (longitude - dlon, longitude + dlon)
    at_site = Q(site__latitude__range=lat_range, site__longitude__range=lon_range)
    at_venue = Q(
        site__latitude__isnull=True,
        venue_latitude__range=lat_range,
        venue_longitude__range=lon_range,
    )
    return at_site | at_venue


def _unplaced_near(label: str) -> Q:
    """Meetings with no map point (their postcode could not be placed) in the
    town or postcode district searched for: listed after the measured ones (or
    alone, when the place itself is unknown), never dropped."""
    no_point = Q(site__latitude__isnull=True, venue_latitude__isnull=True)
    here = Q(site__town__iexact=label) | Q(venue_town__iexact=label)
    district = compact_postcode(label)
    full = FULL_POSTCODE.match(district)
    if full or DISTRICT.match(district):
        outward = full.group(1) if full else district
        here |= Q(site__postcode__istartswith=outward + " ") | Q(
            venue_postcode__istartswith=outward + " "
        )
    return no_point & here


def listed_meetings() -> QuerySet[Meeting]:
    return Meeting.objects.listed().select_related("site", "site__area", "host")


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
    results = Results(hybrid_only=meeting_format in (Format.ONLINE, Format.HYBRID))
    if where.strip():
        results.place = find_place(where)
        if results.place is None:
            results.unknown_place = where.strip()
            results.suggestions = suggest_places(where)
    ordered = meetings.order_by("weekday", "start_time", "name", "pk")
    results.online = ordered.filter(format=Format.ONLINE)
    in_person = ordered.exclude(format=Format.ONLINE)
    if results.place is not None:
        here = results.place
        measured, unmeasured = [], []
        nearby = in_person.filter(
            _within_box(here.latitude, here.longitude, radius) | _unplaced_near(here.label)
        ).values_list(
            "pk",
            "site_id",
            "site__latitude",
            "site__longitude",
            "venue_latitude",
            "venue_longitude",
            "weekday",
            "start_time",
        )
        for pk, site_id, site_lat, site_lon, venue_lat, venue_lon, weekday, start in nearby:
            # Meeting.latitude / longitude: the site's point, else the venue's.
            latitude = site_lat if site_id and site_lat is not None else venue_lat
            longitude = site_lon if site_id and site_lon is not None else venue_lon
            if latitude is None or longitude is None:
                unmeasured.append((pk, None))
                continue
            miles = distance_miles(here.latitude, here.longitude, float(latitude), float(longitude))
            if miles <= radius:
                measured.append((miles, weekday, start, pk))
        measured.sort(key=lambda entry: entry[:3])
        results.nearby = _Measured([(pk, miles) for miles, _w, _s, pk in measured] + unmeasured)
    elif not results.unknown_place:
        results.nearby = _Unmeasured(in_person)
    else:
        results.nearby = [(m, None) for m in in_person.filter(_unplaced_near(where.strip()))]
    return results


def region_of(meeting: Meeting) -> str:
    """The region a meeting is listed under (feeds and printable lists)."""
    if meeting.format == Format.ONLINE:
        return "Online"
    if meeting.site_id:
        area = meeting.site.area
        return area.region or area.get_nation_display()
    return meeting.venue_town or "Other"
