"""The public finder: postcode and town search, ordering, filters, bad input."""

import datetime
import random
from collections import Counter
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.utils.text import slugify

from meetings.feeds import regions
from meetings.finder import listed_meetings, region_of
from meetings.models import PostcodeCentroid
from meetings.postcodes import distance_miles
from tests.factories import SiteFactory
from tests.meetings.conftest import HIDDEN, LISTED
from tests.meetings.factories import make_meeting

pytestmark = pytest.mark.django_db


def names(response, key="nearby"):
    results = response.context["results"]
    if key == "online":
        return [m.name for m in results.online]
    return [m.name for m, _ in response.context["page_obj"].object_list]


def test_lists_only_public_active_meetings(client, network):
    response = client.get("/meetings/")
    assert response.status_code == 200
    body = response.content.decode()
    for key in LISTED:
        assert network[key].name in body
    for key in HIDDEN:
        assert network[key].name not in body
    assert '<link rel="alternate" type="application/json" title="Meetings Feed"' in body


def test_postcode_search_is_sorted_by_distance(client, network):
    response = client.get("/meetings/", {"where": "M1 1AA", "radius": 100})
    assert names(response) == ["Manchester Tuesday", "Bolton Morning", "Leeds Hybrid"]
    miles = [d for _, d in response.context["page_obj"].object_list]
    assert miles == sorted(miles) and miles[0] < 0.1
    # Online meetings are listed, apart and without distance.
    assert names(response, "online") == ["Online Sunday"]
    # From Leeds the order turns round.
    response = client.get("/meetings/", {"where": "ls1", "radius": 100})
    assert names(response) == ["Leeds Hybrid", "Manchester Tuesday", "Bolton Morning"]


def test_unknown_full_postcode_falls_back_to_its_district(client, network):
    response = client.get("/meetings/", {"where": "LS1 9ZZ", "radius": 5})
    assert response.context["results"].place.label == "LS1"
    assert names(response) == ["Leeds Hybrid"]


def test_town_search(client, network):
    response = client.get("/meetings/", {"where": "edinburgh", "radius": 10})
    assert names(response) == ["Edinburgh Family"]


def test_unknown_postcode_gives_a_helpful_message(client, network):
    response = client.get("/meetings/", {"where": "ZZ9 9ZZ"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "We could not find &ldquo;ZZ9 9ZZ&rdquo;" in body
    assert "try a full postcode" in body
    assert "Online Sunday" in body  # still something useful


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"day": 1}, ["Manchester Tuesday"]),
        ({"time_of_day": "morning"}, ["Bolton Morning", "Edinburgh Family"]),
        ({"format": "hybrid"}, ["Leeds Hybrid"]),
        ({"programme": "family_friends"}, ["Edinburgh Family"]),
    ],
)
def test_filters(client, network, params, expected):
    response = client.get("/meetings/", params)
    assert names(response) == expected


def test_online_filter_includes_hybrid(client, network):
    response = client.get("/meetings/", {"format": "online"})
    assert names(response) == ["Leeds Hybrid"]
    assert names(response, "online") == ["Online Sunday"]


@pytest.mark.parametrize(
    "query",
    [
        "day=9",
        "day=abc",
        "radius=-4",
        "format=<script>",
        "page=999",
        "where=" + "x" * 300,
        "page=abc",
        "where=%00",
    ],
)
def test_odd_query_strings_never_fail(client, network, query):
    response = client.get("/meetings/?" + query)
    assert response.status_code == 200


def test_meeting_page(client, network):
    leeds = network["leeds"]
    body = client.get(f"/meetings/{leeds.slug}/").content.decode()
    assert "Every Monday, 19:00 to 20:30" in body
    assert "LS1 4AP" in body
    assert "https://meet.example.org/leeds" in body
    assert "Passcode 1234" in body
    for key in HIDDEN:
        assert client.get(f"/meetings/{network[key].slug}/").status_code == 404


def test_finder_query_count_is_fixed(client, network, django_assert_num_queries):

    cache.clear()
    # The postcode, the distances of the meetings in the box and the page of
    # them, the online count and page, the shown meetings' facilitators'
    # surnames (the public cleaner), the regions (cached until a meeting
    # changes; cleared here to count the miss).
    with django_assert_num_queries(7):
        client.get("/meetings/", {"where": "M1 1AA"})
    for n in range(5):
        make_meeting(
            host=network["manchester"].host,
            started_on=datetime.date(2014, 2, 3),
            site=network["manchester"].site,
            name=f"Extra {n}",
        )
    cache.clear()
    with django_assert_num_queries(7):
        client.get("/meetings/", {"where": "M1 1AA"})
    with django_assert_num_queries(6):  # the regions from the cache
        client.get("/meetings/", {"where": "M1 1AA"})


def test_load_postcodes_from_an_onspd_style_file(db, tmp_path):
    path = tmp_path / "onspd.csv"
    path.write_text(
        "pcd,pcds,doterm,lat,long\n"
        "M1 1AA,M1 1AA,,53.480760,-2.242630\n"
        "M1 1AB,M1 1AB,,53.481000,-2.243000\n"
        "M1 9ZZ,M1 9ZZ,199901,53.0,-2.0\n"  # terminated
        "ZZ1 1ZZ,ZZ1 1ZZ,,99.999999,0.000000\n"  # no grid reference
    )
    call_command("load_postcodes", str(path), verbosity=0)
    assert set(PostcodeCentroid.objects.values_list("postcode", flat=True)) == {
        "M11AA",
        "M11AB",
        "M1",
    }
    district = PostcodeCentroid.objects.get(postcode="M1")
    assert district.is_district and str(district.latitude) == "53.48088"
    # Loading again updates, never duplicates.
    call_command("load_postcodes", str(path), verbosity=0)
    assert PostcodeCentroid.objects.count() == 3


def test_load_postcodes_refuses_a_file_without_the_columns(db, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("name,value\na,b\n")
    with pytest.raises(CommandError, match="needs a postcode column"):
        call_command("load_postcodes", str(path))
    with pytest.raises(CommandError, match="No such file"):
        call_command("load_postcodes", str(tmp_path / "missing.csv"))


def test_distance_search_finds_exactly_the_meetings_within_the_radius(client, network):
    """The database's box must never drop a meeting the distance keeps: compare
    with every meeting measured by hand, points scattered across the box's edges,
    some placed by their site and some (sites with no map point) by the venue."""

    rng = random.Random(8)
    host = network["manchester"].host
    for n in range(40):
        lat = Decimal(f"{53.48076 + rng.uniform(-0.6, 0.6):.5f}")
        lon = Decimal(f"{-2.24263 + rng.uniform(-1.0, 1.0):.5f}")
        by_venue = n % 3 == 0
        site = SiteFactory(
            organisation=host,
            latitude=None if by_venue else lat,
            longitude=None if by_venue else lon,
        )
        extra = {"venue_latitude": lat, "venue_longitude": lon} if by_venue else {}
        make_meeting(
            host=host, started_on=datetime.date(2014, 2, 3), site=site, name=f"Scatter {n}", **extra
        )
    for radius in (5, 10, 25):
        response = client.get("/meetings/", {"where": "M1 1AA", "radius": radius, "page": 1})
        place = response.context["results"].place
        found = {m.name for m, _ in response.context["results"].nearby}
        expected = {
            m.name
            for m in listed_meetings().exclude(format="online")
            if m.latitude is not None
            and distance_miles(
                place.latitude, place.longitude, float(m.latitude), float(m.longitude)
            )
            <= radius
        }
        assert found == expected
        assert any(name.startswith("Scatter") for name in found)


def test_regions_are_counted_as_region_of_names_them(network):

    by_hand = Counter(region_of(m) for m in listed_meetings())
    assert regions() == sorted((slugify(name), name, n) for name, n in by_hand.items())
    assert {name for _, name, _ in regions()} >= {"Online", "North West", "Scotland"}


def test_online_meetings_are_paged_apart(client, network, settings):

    settings.MEETINGS_PAGE_SIZE = 2
    for n in range(4):
        make_meeting(
            host=network["manchester"].host,
            started_on=datetime.date(2014, 2, 3),
            format="online",
            conference_url="https://meet.example.org/x",
            name=f"Online extra {n}",
            weekday=6,
        )
    first = client.get("/meetings/")
    shown = [m.name for m in first.context["online_page"].object_list]
    assert len(shown) == 2 and first.context["online_page"].paginator.count == 5
    body = first.content.decode()
    assert 'aria-label="Online meeting pages"' in body and "online_page=2" in body
    third = client.get("/meetings/", {"online_page": 3})
    last = [m.name for m in third.context["online_page"].object_list]
    assert len(last) == 1 and not set(last) & set(shown)
