"""UK postcode and postcode-district centroids: loading them, and finding a place.

The table is loaded from the ONS Postcode Directory (ONSPD) or any CSV with a
postcode (or postcode district), latitude and longitude column, by
``python manage.py load_postcodes FILE``. Terminated postcodes and rows
without a grid reference are skipped. When a file holds full postcodes, the
district centroids are computed from them (the mean of their units) so that
"M1" finds a place too.
"""

from __future__ import annotations

import csv
import difflib
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction
from django.db.models import Avg, Q

from meetings.models import Meeting, PostcodeCentroid
from partners.postcode_lookup import PostcodeInfo
from partners.validators import compact_postcode, format_postcode

SAMPLE_FILE = Path(__file__).resolve().parent / "data" / "postcodes_sample.csv"

POSTCODE_COLUMNS = ("pcds", "pcd", "pcd2", "postcode", "postcode district", "district")
LATITUDE_COLUMNS = ("lat", "latitude")
LONGITUDE_COLUMNS = ("long", "longitude", "lng", "lon")
PLACE_COLUMNS = ("town/area", "town", "place", "post town", "region")
TERMINATED_COLUMNS = ("doterm",)
AREA_COLUMNS = ("oslaua", "laua", "lad", "local authority code")

FULL_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][0-9A-Z]?)([0-9][A-Z]{2})$")
DISTRICT = re.compile(r"^[A-Z]{1,2}[0-9][0-9A-Z]?$")
EARTH_RADIUS_MILES = 3958.8
BATCH = 5000


class BadPostcodeFile(ValueError):
    pass


def _column(header: list[str], names: Iterable[str]) -> str | None:
    lowered = {h.strip().lower(): h for h in header}
    for name in names:
        if name in lowered:
            return lowered[name]
    return None


def _rows(path: Path) -> Iterator[tuple[str, Decimal, Decimal, str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        code_col = _column(header, POSTCODE_COLUMNS)
        lat_col = _column(header, LATITUDE_COLUMNS)
        lon_col = _column(header, LONGITUDE_COLUMNS)
        if not (code_col and lat_col and lon_col):
            raise BadPostcodeFile(
                f"{path.name}: needs a postcode column (one of {', '.join(POSTCODE_COLUMNS)}), "
                "a latitude column (lat or latitude) and a longitude column (long or longitude); "
                f"found {', '.join(header) or 'no header'}."
            )
        place_col = _column(header, PLACE_COLUMNS)
        term_col = _column(header, TERMINATED_COLUMNS)
        area_col = _column(header, AREA_COLUMNS)
        for row in reader:
            if term_col and (row.get(term_col) or "").strip():
                continue  # a terminated postcode
            code = compact_postcode(row.get(code_col, ""))
            if not (FULL_POSTCODE.match(code) or DISTRICT.match(code)):
                continue
            try:
                lat = Decimal(row[lat_col]).quantize(Decimal("0.00001"))
                lon = Decimal(row[lon_col]).quantize(Decimal("0.00001"))
            except (InvalidOperation, TypeError):
                continue
            # ONSPD marks a postcode with no grid reference as 99.999999, 0.
            if not (49 <= lat <= 61 and -9 <= lon <= 3):
                continue
            place = (row.get(place_col) or "").strip() if place_col else ""
            area = (row.get(area_col) or "").strip().upper()[:9] if area_col else ""
            yield code, lat, lon, place, area


def load_file(path: Path) -> tuple[int, int]:
    """Insert or update every centroid in ``path``; returns (postcodes, districts)."""
    units = 0
    sums: dict[str, list] = {}
    explicit_districts: set[str] = set()
    batch: list[PostcodeCentroid] = []

    def flush() -> None:
        PostcodeCentroid.objects.bulk_create(
            batch,
            update_conflicts=True,
            unique_fields=["postcode"],
            update_fields=["is_district", "place", "latitude", "longitude", "area_code"],
        )
        batch.clear()

    with transaction.atomic():
        for code, lat, lon, place, area in _rows(path):
            is_district = bool(DISTRICT.match(code))
            batch.append(
                PostcodeCentroid(
                    postcode=code,
                    is_district=is_district,
                    place=place,
                    latitude=lat,
                    longitude=lon,
                    area_code=area,
                )
            )
            if is_district:
                explicit_districts.add(code)
            else:
                units += 1
                district = FULL_POSTCODE.match(code).group(1)
                entry = sums.setdefault(district, [Decimal(0), Decimal(0), 0, place])
                entry[0] += lat
                entry[1] += lon
                entry[2] += 1
            if len(batch) >= BATCH:
                flush()
        for district, (lat_sum, lon_sum, n, place) in sums.items():
            if district in explicit_districts:
                continue
            batch.append(
                PostcodeCentroid(
                    postcode=district,
                    is_district=True,
                    place=place,
                    latitude=(lat_sum / n).quantize(Decimal("0.00001")),
                    longitude=(lon_sum / n).quantize(Decimal("0.00001")),
                )
            )
            if len(batch) >= BATCH:
                flush()
        if batch:
            flush()
    return units, len(explicit_districts | set(sums))


@dataclass(frozen=True)
class Place:
    label: str
    latitude: float
    longitude: float


def find_place(query: str) -> Place | None:
    """A full postcode, a postcode district, or a town; None when unknown.

    A full postcode missing from the table falls back to its district.
    """
    text = (query or "").strip()
    code = compact_postcode(text)
    full = FULL_POSTCODE.match(code)
    if full or DISTRICT.match(code):
        candidates = [code, full.group(1)] if full else [code]
        for candidate in candidates:
            row = PostcodeCentroid.objects.filter(postcode=candidate).first()
            if row is not None:
                return Place(
                    format_postcode(row.postcode), float(row.latitude), float(row.longitude)
                )
        return None
    if len(text) < 2:
        return None
    towns = PostcodeCentroid.objects.filter(place__iexact=text, is_district=True)
    mean = towns.aggregate(lat=Avg("latitude"), lon=Avg("longitude"))
    if mean["lat"] is not None:
        return Place(towns.first().place, float(mean["lat"]), float(mean["lon"]))

    meetings = Meeting.objects.listed().filter(
        Q(site__town__iexact=text) | Q(venue_town__iexact=text)
    )
    coords = [(m.latitude, m.longitude) for m in meetings.select_related("site")]
    coords = [(float(a), float(b)) for a, b in coords if a is not None and b is not None]
    if coords:
        return Place(
            text.title(),
            sum(a for a, _ in coords) / len(coords),
            sum(b for _, b in coords) / len(coords),
        )
    return None


def known_places() -> list[str]:
    """Every town and place the app knows: the postcode table's places and the
    towns of listed meetings' venues (two queries, only when a search fails)."""
    names = set(
        PostcodeCentroid.objects.exclude(place="").values_list("place", flat=True).distinct()
    )
    listed = Meeting.objects.listed()
    names |= set(listed.exclude(site__isnull=True).values_list("site__town", flat=True).distinct())
    names |= set(listed.exclude(venue_town="").values_list("venue_town", flat=True).distinct())
    return sorted(n for n in names if n)


def suggest_places(query: str, *, limit: int = 3) -> list[str]:
    """Known places spelt like ``query`` ("Manchster" -> ["Manchester"]), for a
    "Did you mean" under a search that found nothing; none for a postcode."""
    text = (query or "").strip()
    code = compact_postcode(text)
    if len(text) < 3 or FULL_POSTCODE.match(code) or DISTRICT.match(code):
        return []
    places = known_places()
    by_lower = {p.lower(): p for p in places}
    close = difflib.get_close_matches(text.lower(), list(by_lower), n=limit, cutoff=0.75)
    return [by_lower[c] for c in close]


def site_postcode(postcode: str) -> PostcodeInfo | None:
    """A full postcode's centre and local authority from the table (registered
    with ``partners.postcode_lookup`` for the site set-up); None when the
    table does not hold it (a district's centre is no site's place)."""
    code = compact_postcode(postcode)
    if not FULL_POSTCODE.match(code):
        return None
    row = PostcodeCentroid.objects.filter(postcode=code).first()
    if row is None:
        return None
    return PostcodeInfo(latitude=row.latitude, longitude=row.longitude, area_code=row.area_code)


def distance_miles(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(math.sqrt(a))
