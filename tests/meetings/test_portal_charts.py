"""The portal's pictures: a meeting's attendance as a chart, and a commissioner's
impact in its areas; neither page's query count grows with the data."""

import datetime

import pytest
import time_machine

from meetings import services
from tests.factories import AffiliationFactory, AreaFactory, PersonFactory, SiteFactory
from tests.meetings.factories import make_meeting
from tests.partners.factories import make_partner
from tests.training.factories import champion_course
from training import services as training_services

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = D(2014, 3, 3)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2014, 3, 3, 12, tzinfo=datetime.UTC), tick=False):
        yield


FIRST_SESSION = D(2013, 9, 3)


def count_sessions(meeting, weeks: int, start: datetime.date = FIRST_SESSION) -> None:
    for n in range(weeks):
        services.head_count_record(
            meeting=meeting, held_on=start + datetime.timedelta(weeks=n), attendance=5 + n % 4
        )


def test_a_meetings_attendance_is_a_chart_with_its_latest_session_labelled(client, world):
    meeting = make_meeting(host=world.org_a, started_on=D(2013, 9, 2))
    count_sessions(meeting, 26)  # last on 25 Feb 2014, 5 + 25 % 4 = 6
    client.force_login(world.users["partner_contact"])
    html = client.get(f"/portal/meetings/{meeting.pk}/").content.decode()
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img"' in html
    assert "6 on 25 Feb 2014" in html  # the latest session, labelled on the chart
    # The figures sit folded under the chart, not as a long table of their own.
    assert "The figures behind the chart" in html and "<details" in html
    assert "Recent head counts" not in html


def test_a_meeting_without_head_counts_says_so(client, world):
    meeting = make_meeting(host=world.org_a, started_on=D(2013, 9, 2))
    client.force_login(world.users["partner_contact"])
    assert "No data yet" in client.get(f"/portal/meetings/{meeting.pk}/").content.decode()


def test_the_meeting_page_query_count_does_not_grow_with_its_sessions(
    client, world, django_assert_max_num_queries
):
    meeting = make_meeting(host=world.org_a, started_on=D(2013, 9, 2))
    count_sessions(meeting, 3)
    client.force_login(world.users["partner_contact"])
    url = f"/portal/meetings/{meeting.pk}/"
    with django_assert_max_num_queries(40) as few:
        client.get(url)
    count_sessions(meeting, 20, start=D(2013, 9, 24))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def commissioned_area(world):
    area = AreaFactory(name="Leeds")
    world.commissioner.areas.add(area)
    return area


def champion_at(organisation, on: datetime.date) -> None:
    person = PersonFactory()
    AffiliationFactory(person=person, organisation=organisation, start_date=D(2012, 1, 1))
    training_services.completion_record(person=person, course=champion_course(), completed_on=on)


def test_a_commissioner_sees_the_impact_in_its_areas(client, world):
    area = commissioned_area(world)
    make_partner(world.org_a, signed_on=D(2013, 1, 1), start=D(2013, 1, 1))
    make_partner(world.org_b, signed_on=D(2013, 1, 1), start=D(2013, 1, 1))
    peer = make_meeting(
        host=world.org_a,
        site=SiteFactory(organisation=world.org_a, area=area),
        started_on=D(2013, 6, 3),
        led="peer_led",
    )
    make_meeting(
        host=world.org_a,
        site=SiteFactory(organisation=world.org_a, area=area),
        started_on=D(2014, 1, 6),
    )
    make_meeting(host=world.org_b, started_on=D(2013, 6, 3))  # outside the area
    count_sessions(peer, 4, start=D(2014, 2, 4))  # 5, 6, 7, 8
    champion_at(world.org_a, D(2013, 5, 1))
    champion_at(world.org_b, D(2013, 5, 1))  # org_b has no site in the area
    client.force_login(world.users["commissioner_contact"])
    response = client.get("/portal/meetings/")
    impact = response.context["impact"]
    assert impact["active"] == 2 and impact["peer_led"] == 1
    assert impact["peer_led_percent"] == 50
    assert str(impact["average_attendance"]) == "6.5" and impact["sessions"] == 4
    assert impact["champions"] == 1
    html = " ".join(response.content.decode().split())
    assert "What the meetings in your areas achieve" in html
    assert "Meetings per week in your areas, last 12 months" in html
    assert "2 on 3 Mar 2014" in html  # the chart's latest value is the headline's
    assert "50%" in html


def test_a_partner_sees_no_impact_summary(client, world):
    client.force_login(world.users["partner_contact"])
    response = client.get("/portal/meetings/")
    assert "impact" not in response.context
    assert "What the meetings in your areas achieve" not in response.content.decode()


def test_the_impact_query_count_does_not_grow_with_the_meetings(
    client, world, django_assert_max_num_queries
):
    area = commissioned_area(world)
    client.force_login(world.users["commissioner_contact"])

    def grow(n):
        for _ in range(n):
            meeting = make_meeting(
                host=world.org_a,
                site=SiteFactory(organisation=world.org_a, area=area),
                started_on=D(2013, 6, 3),
            )
            count_sessions(meeting, 2, start=D(2014, 2, 4))

    grow(1)
    with django_assert_max_num_queries(40) as few:
        client.get("/portal/meetings/")
    grow(8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/portal/meetings/")
    assert response.context["impact"]["active"] == 9
