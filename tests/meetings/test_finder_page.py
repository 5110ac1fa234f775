"""The finder page as the public reads it: the count, headings, links back and on."""

import datetime
from urllib.parse import quote

import pytest

from tests.factories import OrganisationFactory
from tests.meetings.factories import make_meeting

pytestmark = pytest.mark.django_db


def test_the_result_count_covers_both_lists(client, network):
    body = client.get("/meetings/").content.decode()
    assert "5 meetings found." in body  # four at a venue, one online
    body = client.get("/meetings/", {"where": "M1 1AA", "radius": 10}).content.decode()
    assert "2 meetings found near M1 1AA." in body  # Manchester, and Online Sunday
    body = client.get("/meetings/", {"day": 2}).content.decode()
    assert "No meetings found." in body


def test_hybrid_meetings_have_their_own_heading_when_filtering_to_online(client, network):
    body = client.get("/meetings/", {"format": "online"}).content.decode()
    assert "Hybrid meetings (join in person or online)" in body
    assert ">In-person meetings<" not in body
    assert "Leeds Hybrid" in body and "Online Sunday" in body
    body = client.get("/meetings/").content.decode()
    assert ">In-person meetings</h2>" in body


def test_the_filters_fold_on_a_phone_with_no_inline_script(client, network):
    body = client.get("/meetings/", {"day": 1, "format": "in_person"}).content.decode()
    assert 'data-bs-toggle="collapse" data-bs-target="#finder-filters"' in body
    assert '<div class="collapse d-md-block" id="finder-filters">' in body
    assert "(2 in use)" in body
    # Without JavaScript the filters stay open (a style, not a script).
    noscript = "<noscript><style>#finder-filters.collapse { display: block; }</style></noscript>"
    assert noscript in body
    assert "<script>" not in body


def test_a_meeting_link_carries_the_search_and_the_page_links_back(client, network):
    body = client.get("/meetings/", {"where": "M1 1AA", "day": 1, "page": 1}).content.decode()
    slug = network["manchester"].slug
    assert f'href="/meetings/{slug}/?search=where%3DM1%2B1AA%26day%3D1"' in body
    page = client.get(f"/meetings/{slug}/", {"search": "where=M1+1AA&day=1"}).content.decode()
    assert '<a href="/meetings/?where=M1+1AA&amp;day=1">Back to the meeting finder</a>' in page
    # Only finder fields come back; anything else in the parameter is dropped.
    page = client.get(
        f"/meetings/{slug}/", {"search": "where=Leeds&next=https://evil.example&x=1"}
    ).content.decode()
    assert '<a href="/meetings/?where=Leeds">Back to the meeting finder</a>' in page
    page = client.get(f"/meetings/{slug}/").content.decode()
    assert '<a href="/meetings/">Back to the meeting finder</a>' in page


def test_a_meeting_page_links_to_a_map_of_its_postcode(client, network):
    page = client.get(f"/meetings/{network['manchester'].slug}/").content.decode()
    assert 'href="https://www.openstreetmap.org/search?query=M1+1AA"' in page
    page = client.get(f"/meetings/{network['online'].slug}/").content.decode()
    assert "openstreetmap" not in page


def test_meetings_with_one_name_at_one_venue_are_told_apart(client, network):
    other_host = OrganisationFactory(name="Bridge Housing")
    make_meeting(
        host=other_host,
        started_on=datetime.date(2014, 1, 6),
        site=network["manchester"].site,
        name="Manchester Tuesday",
        weekday=3,
        start_time=datetime.time(10),
        end_time=datetime.time(11),
    )
    body = client.get("/meetings/", {"where": "M1 1AA", "radius": 5}).content.decode()
    assert body.count(">Manchester Tuesday</a>") == 2
    assert "Tuesdays, 18:30 to 20:00" in body and "Thursdays, 10:00 to 11:00" in body
    assert "Hosted by Northern Recovery" in body and "Hosted by Bridge Housing" in body
    page = client.get(f"/meetings/{network['manchester'].slug}/").content.decode()
    assert "<title>Manchester Tuesday, Tuesdays 18:30" in page
    assert "hosted by Northern Recovery" in page
    assert quote("Manchester") in page


def test_a_misspelt_town_gets_did_you_mean_and_no_empty_heading(client, network):
    response = client.get("/meetings/", {"where": "Manchster", "day": 1})
    body = response.content.decode()
    assert response.context["results"].suggestions[0] == "Manchester"
    assert 'Did you mean <a href="?day=1&amp;where=Manchester">Manchester</a>' in body
    assert "In-person meetings" not in body  # no empty heading
    assert "Online meetings" in body
    followed = client.get("/meetings/", {"day": 1, "where": "Manchester"})
    assert [m.name for m, _ in followed.context["page_obj"].object_list] == ["Manchester Tuesday"]
    assert client.get("/meetings/", {"where": "ZZ9 9ZZ"}).context["results"].suggestions == []


def test_a_search_that_cannot_be_read_gets_the_error_summary(client, network):
    body = client.get("/meetings/", {"where": "M1 1AA", "radius": "9999"}).content.decode()
    assert "There is a problem" in body
    assert 'href="#id_radius"' in body  # the summary links to the field
    assert "Please check the search" not in body
