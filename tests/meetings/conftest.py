import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command

from meetings import services
from meetings.models import Format, Programme
from tests.factories import AreaFactory, OrganisationFactory, PersonFactory, SiteFactory
from tests.meetings.factories import make_meeting


@pytest.fixture
def postcodes(db):
    call_command("load_postcodes", "--sample", verbosity=0)


@pytest.fixture
def network(db, postcodes):
    """Listed meetings in Manchester, Leeds, Edinburgh and online, plus some that
    must never be listed (proposed, paused, closed, private, prison)."""
    org = OrganisationFactory(name="Northern Recovery")
    nw = AreaFactory(name="Manchester", region="North West")
    yh = AreaFactory(name="Leeds", region="Yorkshire and The Humber")
    scot = AreaFactory(name="City of Edinburgh", nation="scotland", region="")

    def site(town, postcode, lat, lon, area):
        return SiteFactory(
            organisation=org,
            town=town,
            postcode=postcode,
            area=area,
            latitude=Decimal(lat),
            longitude=Decimal(lon),
            name=f"{town} Recovery Hub",
        )

    facilitator = PersonFactory(first_name="Sam", last_name="Wolstenholme")
    start = datetime.date(2014, 1, 6)
    m = {}
    m["manchester"] = make_meeting(
        host=org,
        started_on=start,
        site=site("Manchester", "M1 1AA", "53.48076", "-2.24263", nw),
        name="Manchester Tuesday",
        weekday=1,
        start_time=datetime.time(18, 30),
        end_time=datetime.time(20),
        facilitators=[facilitator],
        wheelchair_access=True,
        notes="Ask for Sam Wolstenholme at <b>reception</b>.",
    )
    m["bolton"] = make_meeting(
        host=org,
        started_on=start,
        site=site("Bolton", "BL1 1AA", "53.58000", "-2.43000", nw),
        name="Bolton Morning",
        weekday=3,
        start_time=datetime.time(10),
        end_time=datetime.time(11, 30),
    )
    m["leeds"] = make_meeting(
        host=org,
        started_on=start,
        site=site("Leeds", "LS1 4AP", "53.79648", "-1.54785", yh),
        name="Leeds Hybrid",
        weekday=0,
        start_time=datetime.time(19),
        end_time=datetime.time(20, 30),
        format=Format.HYBRID,
        conference_url="https://meet.example.org/leeds",
        conference_notes="Passcode 1234",
    )
    m["edinburgh"] = make_meeting(
        host=org,
        started_on=start,
        site=site("Edinburgh", "EH1 1YZ", "55.95063", "-3.18979", scot),
        name="Edinburgh Family",
        weekday=5,
        start_time=datetime.time(11),
        end_time=datetime.time(12),
        programme=Programme.FAMILY_FRIENDS,
    )
    m["online"] = make_meeting(
        host=org,
        started_on=start,
        site=None,
        name="Online Sunday",
        weekday=6,
        start_time=datetime.time(20),
        end_time=datetime.time(21),
        format=Format.ONLINE,
        conference_url="https://meet.example.org/sunday",
        conference_phone="+44 20 7946 0000",
    )
    # Never listed:
    m["prison"] = make_meeting(
        host=org,
        started_on=start,
        name="HMP Manchester",
        programme=Programme.PRISON,
        site=site("Manchester", "M1 1AE", "53.48000", "-2.24000", nw),
    )
    m["private"] = make_meeting(
        host=org, started_on=start, name="Staff only", is_public=False, site=m["manchester"].site
    )
    m["paused"] = make_meeting(
        host=org, started_on=start, name="Paused one", site=m["manchester"].site
    )
    services.meeting_pause(meeting=m["paused"], on=datetime.date(2014, 6, 2))
    m["closed"] = make_meeting(
        host=org, started_on=start, name="Closed one", site=m["manchester"].site
    )
    services.meeting_close(meeting=m["closed"], on=datetime.date(2014, 6, 2), reason="Moved")
    m["proposed"] = services.meeting_create(
        proposed_on=start,
        name="Proposed one",
        weekday=2,
        start_time=datetime.time(9),
        end_time=datetime.time(10),
        site=m["manchester"].site,
        host=org,
    )
    return m


HIDDEN = ("prison", "private", "paused", "closed", "proposed")
LISTED = ("manchester", "bolton", "leeds", "edinburgh", "online")
