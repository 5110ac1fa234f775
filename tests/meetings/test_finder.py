"""The public finder: postcode and town search, ordering, filters, bad input."""

import pytest
from django.core.management import CommandError, call_command

from meetings.models import PostcodeCentroid
from tests.meetings.conftest import HIDDEN, LISTED

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
    import datetime

    from tests.meetings.factories import make_meeting

    with django_assert_num_queries(3):  # the postcode, the meetings, the regions
        client.get("/meetings/", {"where": "M1 1AA"})
    for n in range(5):
        make_meeting(
            host=network["manchester"].host,
            started_on=datetime.date(2014, 2, 3),
            site=network["manchester"].site,
            name=f"Extra {n}",
        )
    with django_assert_num_queries(3):
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
