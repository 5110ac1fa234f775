"""Coordinates for every venue: the postcode table, then the lookup service (a
local stand-in speaking postcodes.io's JSON), the backfill, unplaceable venues."""

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from meetings import geocoding, services
from meetings.models import Meeting, PostcodeCentroid
from partners.models import Site
from tests.factories import OrganisationFactory, SiteFactory
from tests.meetings.factories import make_meeting
from tests.meetings.postcodes_io_stub import PostcodesIo

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def api(settings):
    with PostcodesIo(
        {"DE22 1AA": (52.91234, -1.50111), "S1 2HE": (53.38000, -1.47000)},
        {"NG7": (52.95000, -1.18000)},
    ) as stub:
        settings.POSTCODES_IO_URL = stub.url
        settings.POSTCODES_IO_TIMEOUT = 2
        yield stub


def venue(**fields):
    details = {
        "name": "Community hall meeting",
        "weekday": 2,
        "start_time": datetime.time(18),
        "end_time": datetime.time(19),
        "format": "in_person",
        "venue_name": "St Mary's Hall",
        "venue_address_line_1": "1 Church Street",
        "venue_town": "Derby",
        "venue_postcode": "DE1 3AA",
    }
    details.update(fields)
    return services.meeting_create(proposed_on=D(2014, 1, 6), **details)


def test_a_new_venue_takes_its_district_from_the_table(postcodes):
    meeting = venue()  # DE1 3AA is not in the table; its district DE1 is
    assert (meeting.venue_latitude, meeting.venue_longitude) == (
        Decimal("52.92200"),
        Decimal("-1.47700"),
    )
    assert not meeting.venue_unplaced


def test_a_new_site_takes_its_full_postcode_from_the_table(postcodes):
    site = SiteFactory(postcode="LS1 4AP", latitude=None, longitude=None)
    site.refresh_from_db()
    assert (site.latitude, site.longitude) == (Decimal("53.79648"), Decimal("-1.54785"))


def test_the_finder_finds_a_meeting_added_at_a_known_district(client, postcodes):
    org = OrganisationFactory()
    site = SiteFactory(organisation=org, postcode="DE1 1AA", town="Derby", latitude=None)
    make_meeting(host=org, site=site, started_on=D(2014, 1, 6), name="Derby Monday")
    response = client.get("/meetings/", {"where": "DE1"})
    assert [m.name for m, _ in response.context["page_obj"].object_list] == ["Derby Monday"]


def test_the_lookup_service_places_what_the_table_lacks_and_is_cached(postcodes, api, on_commit):
    with on_commit():  # asked after commit, by a task
        meeting = venue(venue_postcode="DE22 1AA")
    meeting.refresh_from_db()
    assert (meeting.venue_latitude, meeting.venue_longitude) == (
        Decimal("52.91234"),
        Decimal("-1.50111"),
    )
    cached = PostcodeCentroid.objects.get(postcode="DE221AA")
    assert not cached.is_district and cached.latitude == Decimal("52.91234")
    asked = len(api.requests)
    venue(venue_postcode="DE22 1AA", name="Second")  # from the table now
    assert len(api.requests) == asked


def test_an_unknown_postcode_falls_back_to_the_services_district(postcodes, api, on_commit):
    with on_commit():
        meeting = venue(venue_postcode="NG7 9ZZ", venue_town="Nottingham")
    meeting.refresh_from_db()
    assert meeting.venue_latitude == Decimal("52.95000")
    assert ("GET", "/outcodes/NG7") in api.requests
    assert PostcodeCentroid.objects.get(postcode="NG7").is_district


def test_an_unplaceable_venue_is_saved_flagged_listed_and_still_found(
    client, world, postcodes, api, on_commit
):
    with on_commit():  # the service is asked after commit
        meeting = venue(venue_postcode="ZE3 9JW", venue_town="Shetland", name="Far North")
    meeting.refresh_from_db()
    assert Meeting.objects.filter(pk=meeting.pk).exists()
    assert meeting.venue_latitude is None and meeting.venue_unplaced
    services.meeting_activate(meeting=meeting, on=D(2014, 1, 6))
    client.force_login(world.users["staff_admin"])
    page = client.get("/staff/meetings/unplaced/").content.decode()
    assert "Far North" in page and "The lookup could not place this postcode" in page
    client.logout()
    found = client.get("/meetings/", {"where": "ZE3"})
    assert [m.name for m, _ in found.context["page_obj"].object_list] == ["Far North"]
    assert "distance not known" in found.content.decode()


def test_the_service_being_down_saves_the_venue_all_the_same(postcodes, settings, on_commit):
    settings.POSTCODES_IO_URL = "http://127.0.0.1:9"  # nothing listens there
    settings.POSTCODES_IO_TIMEOUT = 0.5
    with on_commit():
        meeting = venue(venue_postcode="DE22 1AA")
    meeting.refresh_from_db()
    assert meeting.venue_latitude is None and meeting.venue_unplaced


def test_no_service_when_the_setting_is_empty(postcodes, settings):
    settings.POSTCODES_IO_URL = ""
    assert not geocoding.service_enabled()
    assert geocoding.locate("DE22 1AA") is None


def test_the_backfill_places_every_venue_and_says_how_many_it_could_not(postcodes, api):
    org = OrganisationFactory()
    sites = [
        SiteFactory(organisation=org, postcode=code, latitude=None, longitude=None)
        for code in ("M1 1AA", "S1 2HE", "ZE3 9JW")
    ]
    Site.objects.filter(pk__in=[s.pk for s in sites]).update(latitude=None, longitude=None)
    meeting = venue(venue_postcode="DE22 1AA")
    Meeting.objects.filter(pk=meeting.pk).update(venue_latitude=None, venue_longitude=None)
    out = StringIO()
    call_command("geocode_venues", stdout=out)
    assert "Placed 3 venues; could not place 1 (listed at /staff/meetings/unplaced/)." in (
        out.getvalue()
    )
    assert "ZE3 9JW" in out.getvalue()
    assert Site.objects.get(pk=sites[1].pk).latitude == Decimal("53.38000")
    assert ("POST", "/postcodes") in api.requests  # in bulk
    again = StringIO()
    call_command("geocode_venues", stdout=again)
    assert "Placed 0 venues; could not place 1" in again.getvalue()


def test_a_bad_uk_postcode_is_refused_naming_the_field(postcodes):
    with pytest.raises(Exception) as caught:
        venue(venue_postcode="NOT A CODE")
    assert "venue_postcode" in caught.value.message_dict
