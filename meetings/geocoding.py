"""Coordinates for venues: from the postcode table, else the postcode lookup service.

Wherever a partner site or a meeting's community venue is saved, its map
point comes from ``PostcodeCentroid`` (the full postcode, else its district).
When the postcode is not in the table and ``POSTCODES_IO_URL`` is set, the
postcodes.io API is asked (one postcode: ``GET /postcodes/<code>``, then
``GET /outcodes/<district>``; many: ``POST /postcodes`` with up to 100), with
``POSTCODES_IO_TIMEOUT``, and every answer is cached in the table, so a
postcode is looked up once. Asking the service happens after commit, in a task
(``meetings.tasks.geocode_venue``), never inside a save.

A venue that cannot be placed is saved all the same, flagged
(``Meeting.venue_unplaced``; a site with no coordinates) and listed for staff
at ``/staff/meetings/unplaced/``; the finder still lists it in its town.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.db.models import Q

from meetings.models import IN_PERSON_FORMATS, Meeting, PostcodeCentroid
from meetings.postcodes import DISTRICT, FULL_POSTCODE
from partners.models import Site
from partners.validators import compact_postcode
from smartnet.queue import enqueue

logger = logging.getLogger(__name__)

PLACES = Decimal("0.00001")
BULK_SIZE = 100  # postcodes.io takes at most 100 postcodes per bulk request


@dataclass(frozen=True)
class Point:
    latitude: Decimal
    longitude: Decimal


def _point(row) -> Point:
    return Point(Decimal(row.latitude).quantize(PLACES), Decimal(row.longitude).quantize(PLACES))


def _district(code: str) -> str | None:
    full = FULL_POSTCODE.match(code)
    if full:
        return full.group(1)
    return code if DISTRICT.match(code) else None


def local_points(postcodes: Iterable[str]) -> dict[str, Point]:
    """compact postcode -> point from the table (the full postcode, else its
    district), for many postcodes in one query."""
    codes = {compact_postcode(p) for p in postcodes if p}
    wanted = codes | {d for d in map(_district, codes) if d}
    rows = {r.postcode: r for r in PostcodeCentroid.objects.filter(postcode__in=wanted)}
    found = {}
    for code in codes:
        row = rows.get(code) or rows.get(_district(code) or "")
        if row is not None:
            found[code] = _point(row)
    return found


def local_point(postcode: str) -> Point | None:
    return local_points([postcode]).get(compact_postcode(postcode))


# --- The lookup service ----------------------------------------------------------


def service_enabled() -> bool:
    return bool(settings.POSTCODES_IO_URL)


def _call(path: str, body: dict | None = None) -> dict | None:
    """One request to the service; its JSON, or None when it did not answer
    (off, timed out, refused, not JSON). A 404 is an answer: {"status": 404}."""
    url = settings.POSTCODES_IO_URL + path
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(  # noqa: S310 - the base URL is a setting, https in production
        url,
        data=data,
        headers={"Content-Type": "application/json", "Accept": "application/json"},
        method="POST" if body is not None else "GET",
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.POSTCODES_IO_TIMEOUT) as response:  # noqa: S310
            return json.loads(response.read())
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return {"status": 404}
        logger.warning("postcode lookup %s answered %s", path, exc.code)
    except (OSError, ValueError) as exc:
        logger.warning("postcode lookup %s failed: %s", path, exc)
    return None


def _point_of(result: dict) -> Point | None:
    lat, lon = result.get("latitude"), result.get("longitude")
    if lat is None or lon is None:
        return None  # postcodes.io knows the postcode but has no grid reference
    return Point(Decimal(str(lat)).quantize(PLACES), Decimal(str(lon)).quantize(PLACES))


def _cache_many(found: dict[str, Point], *, is_district: bool, places: dict[str, str]) -> None:
    """Keep the service's answers in the postcode table (one statement)."""
    if not found:
        return
    PostcodeCentroid.objects.bulk_create(
        [
            PostcodeCentroid(
                postcode=code,
                is_district=is_district,
                place=places.get(code, "")[:100],
                latitude=point.latitude,
                longitude=point.longitude,
            )
            for code, point in found.items()
        ],
        update_conflicts=True,
        unique_fields=["postcode"],
        update_fields=["is_district", "latitude", "longitude"],
    )


def _place_name(result: dict) -> str:
    district = result.get("admin_district")
    return district if isinstance(district, str) else ""


def remote_points(postcodes: Iterable[str]) -> dict[str, Point]:
    """Ask the service for postcodes the table lacks (bulk, 100 at a time), then
    for the districts of those it did not know; every answer is cached."""
    if not service_enabled():
        return {}
    codes = sorted({compact_postcode(p) for p in postcodes if p})
    found: dict[str, Point] = {}
    full = [c for c in codes if FULL_POSTCODE.match(c)]
    for start in range(0, len(full), BULK_SIZE):
        answer = _call("/postcodes", {"postcodes": full[start : start + BULK_SIZE]})
        batch: dict[str, Point] = {}
        places: dict[str, str] = {}
        for item in (answer or {}).get("result") or []:
            result = item.get("result")
            code = compact_postcode(item.get("query", ""))
            point = _point_of(result) if result and code else None
            if point is not None:
                batch[code] = point
                places[code] = _place_name(result)
        _cache_many(batch, is_district=False, places=places)
        found.update(batch)
    districts = {d for c in codes if c not in found for d in [_district(c)] if d}
    known = {r.postcode: _point(r) for r in PostcodeCentroid.objects.filter(postcode__in=districts)}
    for district in sorted(districts - set(known)):
        result = (_call(f"/outcodes/{district}") or {}).get("result")
        point = _point_of(result) if result else None
        if point is not None:
            _cache_many({district: point}, is_district=True, places={})
            known[district] = point
    for code in codes:
        if code not in found and known.get(_district(code) or ""):
            found[code] = known[_district(code)]
    return found


def locate(postcode: str, *, remote: bool = True) -> Point | None:
    """The map point of a postcode: the table, else (``remote``) the service."""
    point = local_point(postcode)
    if point is None and remote:
        point = remote_points([postcode]).get(compact_postcode(postcode))
    return point


# --- Venues ------------------------------------------------------------------------


def site_needs_point(site: Site) -> bool:
    return bool(site.postcode) and (site.latitude is None or site.longitude is None)


def meeting_needs_point(meeting: Meeting) -> bool:
    return (
        meeting.format in IN_PERSON_FORMATS
        and not meeting.site_id
        and bool(meeting.venue_postcode)
        and (meeting.venue_latitude is None or meeting.venue_longitude is None)
    )


def venues_without_coordinates() -> tuple[list[Site], list[Meeting]]:
    sites = list(
        Site.objects.exclude(postcode="").filter(
            Q(latitude__isnull=True) | Q(longitude__isnull=True)
        )
    )
    meetings = list(
        Meeting.objects.filter(format__in=IN_PERSON_FORMATS, site__isnull=True)
        .exclude(venue_postcode="")
        .filter(Q(venue_latitude__isnull=True) | Q(venue_longitude__isnull=True))
    )
    return sites, meetings


@dataclass
class Backfill:
    placed: int = 0
    unplaced: int = 0
    unplaced_labels: list[str] | None = None


def backfill(*, remote: bool = True) -> Backfill:
    """Give every site and community venue without coordinates its point: the
    table first (one query), then the service for the rest (bulk). Those still
    unplaced are flagged. Running it twice changes nothing more."""
    sites, meetings = venues_without_coordinates()
    postcodes = [s.postcode for s in sites] + [m.venue_postcode for m in meetings]
    points = local_points(postcodes)
    missing = [p for p in postcodes if compact_postcode(p) not in points]
    if missing and remote:
        points.update(remote_points(missing))
    outcome = Backfill(unplaced_labels=[])
    placed_sites, placed_meetings, unplaced_meetings = [], [], []
    for site in sites:
        point = points.get(compact_postcode(site.postcode))
        if point is None:
            outcome.unplaced += 1
            outcome.unplaced_labels.append(f"site {site.name} ({site.postcode})")
            continue
        site.latitude, site.longitude = point.latitude, point.longitude
        placed_sites.append(site)
    for meeting in meetings:
        point = points.get(compact_postcode(meeting.venue_postcode))
        if point is None:
            outcome.unplaced += 1
            outcome.unplaced_labels.append(f"meeting {meeting.name} ({meeting.venue_postcode})")
            unplaced_meetings.append(meeting.pk)
            continue
        meeting.venue_latitude, meeting.venue_longitude = point.latitude, point.longitude
        meeting.venue_unplaced = False
        placed_meetings.append(meeting)
    # One UPDATE per distinct point (venues share postcodes), not one per row.
    _update_by_point(
        Site, {s.pk: Point(s.latitude, s.longitude) for s in placed_sites}, "latitude", "longitude"
    )
    _update_by_point(
        Meeting,
        {m.pk: Point(m.venue_latitude, m.venue_longitude) for m in placed_meetings},
        "venue_latitude",
        "venue_longitude",
        venue_unplaced=False,
    )
    Meeting.objects.filter(pk__in=unplaced_meetings).update(venue_unplaced=True)
    outcome.placed = len(placed_sites) + len(placed_meetings)
    return outcome


def _update_by_point(model, points: dict[int, Point], lat: str, lon: str, **extra) -> None:
    """Write each row's point in few statements. PostgreSQL: one ``UPDATE ...
    FROM (VALUES ...)`` per 1,000 rows; elsewhere one UPDATE per distinct point."""
    if not points:
        return
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(model._meta.db_table)
        lat_col = connection.ops.quote_name(model._meta.get_field(lat).column)
        lon_col = connection.ops.quote_name(model._meta.get_field(lon).column)
        sets = [f"{lat_col} = v.lat", f"{lon_col} = v.lon"]
        params_extra = []
        for name, value in extra.items():
            sets.append(f"{connection.ops.quote_name(model._meta.get_field(name).column)} = %s")
            params_extra.append(value)
        rows = list(points.items())
        with connection.cursor() as cursor:
            for start in range(0, len(rows), 1000):
                chunk = rows[start : start + 1000]
                values = ", ".join(["(%s::bigint, %s::numeric, %s::numeric)"] * len(chunk))
                params = [x for pk, p in chunk for x in (pk, p.latitude, p.longitude)]
                # Names come from the model's metadata, values are parameters.
                cursor.execute(
                    f"UPDATE {table} SET {', '.join(sets)} "  # noqa: S608
                    f"FROM (VALUES {values}) AS v(id, lat, lon) WHERE {table}.id = v.id",
                    params_extra + params,
                )
        return
    by_point: dict[Point, list[int]] = {}
    for pk, point in points.items():
        by_point.setdefault(point, []).append(pk)
    for point, ids in by_point.items():
        for start in range(0, len(ids), 500):
            model.objects.filter(pk__in=ids[start : start + 500]).update(
                **{lat: point.latitude, lon: point.longitude}, **extra
            )


def place_site(site_id: int, *, remote: bool = True) -> bool:
    """Fill a site's coordinates if it has none; True when it has them now."""
    site = Site.objects.filter(pk=site_id).first()
    if site is None:
        return False
    if not site_needs_point(site):
        return site.latitude is not None
    point = locate(site.postcode, remote=remote)
    if point is None:
        return False
    Site.objects.filter(pk=site_id).update(latitude=point.latitude, longitude=point.longitude)
    return True


def place_meeting_venue(meeting_id: int, *, remote: bool = True) -> bool:
    """Fill a community venue's coordinates if it has none, else flag it
    ``venue_unplaced`` (listed for staff); True when it has them now."""
    meeting = Meeting.objects.filter(pk=meeting_id).first()
    if meeting is None or not meeting_needs_point(meeting):
        return meeting is not None
    point = locate(meeting.venue_postcode, remote=remote)
    if point is None:
        if remote or not service_enabled():
            Meeting.objects.filter(pk=meeting_id).update(venue_unplaced=True)
        return False
    Meeting.objects.filter(pk=meeting_id).update(
        venue_latitude=point.latitude, venue_longitude=point.longitude, venue_unplaced=False
    )
    return True


def on_site_saved(sender, instance: Site, raw: bool = False, **kwargs) -> None:
    """post_save of a Site: the table now (one query), the service after commit."""
    if raw or not site_needs_point(instance):
        return
    point = local_point(instance.postcode)
    if point is not None:
        Site.objects.filter(pk=instance.pk).update(
            latitude=point.latitude, longitude=point.longitude
        )
        instance.latitude, instance.longitude = point.latitude, point.longitude
    elif service_enabled():
        enqueue("meetings.tasks.geocode_site", instance.pk)


def place_meeting_on_save(meeting: Meeting) -> None:
    """For the meetings services, inside their transaction: the venue's point
    from the table now, else the service after commit, else the flag."""
    if not meeting_needs_point(meeting):
        return
    if not place_meeting_venue(meeting.pk, remote=False) and service_enabled():
        enqueue("meetings.tasks.geocode_meeting", meeting.pk)
