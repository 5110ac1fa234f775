"""The facilitator picker: search as you type, people told apart by their
organisation and training, only people the user may see, a fixed query count,
and a form that works without JavaScript."""

import datetime

import pytest
from django.urls import reverse

from meetings.models import LeadershipPeriod
from tests.factories import AffiliationFactory, OrganisationFactory, PersonFactory
from tests.meetings.factories import make_meeting
from tests.training.factories import make_trained_facilitator

pytestmark = pytest.mark.django_db

D = datetime.date


def login(client, world, role):
    client.force_login(world.users[role])


def _two_sam_patels(world):
    first = PersonFactory(first_name="Sam", last_name="Patel", email="sam.p@alpha.example")
    AffiliationFactory(person=first, organisation=world.org_a, role="staff")
    make_trained_facilitator(first, completed_on=D(2013, 5, 1))
    other_org = OrganisationFactory(name="Northside Recovery")
    second = PersonFactory(first_name="Sam", last_name="Patel", email="sam.patel@north.example")
    AffiliationFactory(person=second, organisation=other_org, role="staff")
    make_trained_facilitator(second, completed_on=D(2014, 1, 10))
    return first, second


def test_staff_search_tells_two_people_of_the_same_name_apart(client, world):
    first, second = _two_sam_patels(world)
    meeting = make_meeting(host=world.org_a, started_on=D(2014, 1, 6))
    login(client, world, "training")
    url = reverse("meetings_staff:people_search", args=[meeting.pk])
    body = client.get(url, {"q": "sam pat"}).content.decode()
    assert body.count("Sam Patel") == 2
    assert "Alpha Recovery · Trained facilitator 2013 · sam.p@alpha.example" in body
    assert "Northside Recovery · Trained facilitator 2014" in body
    assert "2 found" in body
    # People already ticked are left out of the matches.
    body = client.get(url, {"q": "sam", "facilitators": [first.pk]}).content.decode()
    assert f'value="{second.pk}"' in body and f'value="{first.pk}"' not in body
    # An empty search finds nobody and says what to type.
    assert "Type part of a name" in client.get(url).content.decode()


def test_the_search_costs_the_same_queries_for_many_people(
    client, world, django_assert_max_num_queries
):
    meeting = make_meeting(host=world.org_a, started_on=D(2014, 1, 6))
    login(client, world, "staff_admin")
    url = reverse("meetings_staff:people_search", args=[meeting.pk])

    def add(n):
        for i in range(n):
            person = PersonFactory(first_name="Alex", last_name=f"Morgan{i}")
            AffiliationFactory(person=person, organisation=world.org_a, role="staff")

    add(2)
    client.get(url, {"q": "alex"})
    with django_assert_max_num_queries(9) as small:
        client.get(url, {"q": "alex"})
    add(30)
    with django_assert_max_num_queries(len(small.captured_queries)):
        body = client.get(url, {"q": "alex"}).content.decode()
    assert "15 found: the first 15" in body


def test_a_partner_finds_only_its_own_current_people_never_peers(client, world):
    ours = PersonFactory(first_name="Robin", last_name="Ours")
    AffiliationFactory(person=ours, organisation=world.org_a, role="staff")
    theirs = PersonFactory(first_name="Robin", last_name="Theirs")
    AffiliationFactory(person=theirs, organisation=world.org_b, role="staff")
    peer = make_trained_facilitator(
        PersonFactory(first_name="Robin", last_name="Peer"), completed_on=D(2014, 1, 1)
    )
    meeting = make_meeting(host=world.org_a, started_on=D(2014, 1, 6))
    login(client, world, "partner_contact")
    url = reverse("meetings_portal:people_search", args=[meeting.pk])
    body = client.get(url, {"q": "robin"}).content.decode()
    assert "Robin Ours" in body
    assert "Robin Theirs" not in body and peer.last_name not in body
    assert "@" not in body  # partners see organisation and training, not e-mail addresses
    # Nor can a partner choose someone it cannot find.
    response = client.post(
        reverse("meetings_portal:leadership", args=[meeting.pk]),
        {"kind": "professional", "start_date": "2014-06-02", "facilitators": [theirs.pk]},
    )
    assert "Choose the facilitators from the list" in response.content.decode()


def test_without_javascript_the_search_button_shows_matches_and_saves_nothing(client, world):
    first, second = _two_sam_patels(world)
    meeting = make_meeting(host=world.org_a, started_on=D(2014, 1, 6))
    login(client, world, "training")
    url = reverse("meetings_staff:leadership", args=[meeting.pk])
    page = client.get(url).content.decode()
    assert "Hold Ctrl" not in page and 'hx-get="/staff/meetings/' in page
    assert 'name="picker_search"' in page and "<select" not in page.split("Facilitators")[1]
    response = client.post(
        url,
        {
            "kind": "professional",
            "start_date": "2014-06-02",
            "facilitators": [first.pk],
            "q": "patel",
            "picker_search": "1",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200 and "There is a problem" not in body
    assert f'value="{first.pk}" id="id_facilitators_{first.pk}" checked' in body
    assert f'value="{second.pk}" id="id_facilitators_{second.pk}">' in body
    assert 'value="2014-06-02"' in body
    assert LeadershipPeriod.objects.filter(meeting=meeting).count() == 1
    response = client.post(
        url,
        {"kind": "professional", "start_date": "2014-06-02", "facilitators": [first.pk, second.pk]},
    )
    assert response.status_code == 302
    latest = meeting.leadership.order_by("-start_date").first()
    assert set(latest.facilitators.all()) == {first, second}
