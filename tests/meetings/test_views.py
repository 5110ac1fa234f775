"""Staff and portal screens: filters, query budgets, forms that name the field."""

import datetime

import pytest

from meetings import services
from meetings.models import HeadCount, LeadershipPeriod, Meeting, Proposal
from tests.factories import AffiliationFactory, OrganisationFactory, PersonFactory, SiteFactory
from tests.meetings.factories import make_meeting
from tests.training.factories import make_trained_facilitator
from training import services as training_services

pytestmark = pytest.mark.django_db
D = datetime.date


def login(client, world, role):
    client.force_login(world.users[role])


def test_staff_list_filters_and_fixed_queries(client, world, django_assert_num_queries):
    login(client, world, "staff_admin")
    make_meeting(host=world.org_a, started_on=D(2014, 1, 6), name="Alpha Peer", led="peer_led")
    make_meeting(host=world.org_b, started_on=D(2014, 1, 6), name="Beta Pro")
    response = client.get("/staff/meetings/", {"leadership": "peer_led"})
    assert [m.name for m in response.context["page_obj"]] == ["Alpha Peer"]
    response = client.get("/staff/meetings/", {"q": "beta"})
    assert [m.name for m in response.context["page_obj"]] == ["Beta Pro"]
    with django_assert_num_queries(5) as small:
        client.get("/staff/meetings/")
    for n in range(6):
        make_meeting(host=world.org_b, started_on=D(2014, 2, 3), name=f"More {n}")
    with django_assert_num_queries(len(small.captured_queries)):
        client.get("/staff/meetings/")


def test_staff_detail_shows_timeline_and_head_counts(client, world):
    login(client, world, "finance")
    person = make_trained_facilitator(
        PersonFactory(first_name="Robin", last_name="Peer"), completed_on=D(2014, 1, 1)
    )
    meeting = make_meeting(host=world.org_a, started_on=D(2014, 1, 6))

    services.leadership_change(
        meeting=meeting, kind="peer_led", start_date=D(2015, 1, 5), facilitators=[person]
    )
    services.head_count_record(meeting=meeting, held_on=D(2014, 1, 7), attendance=7)
    body = client.get(f"/staff/meetings/{meeting.pk}/").content.decode()
    assert "Peer led</strong> from 5 Jan 2015" in body
    assert "Professionally led</strong> from 6 Jan 2014 to 4 Jan 2015" in body
    # Finance may not see who is a peer: a count, never the name (issue 13).
    assert "Robin" not in body and "Facilitators: 1 facilitator" in body
    assert "Transitioned to peer leadership on 5 January 2015." in body
    assert "<td>7</td>" in body
    login(client, world, "training")
    assert "Robin Peer" in client.get(f"/staff/meetings/{meeting.pk}/").content.decode()


def test_staff_record_leadership_change_and_overlap_message(client, world):
    login(client, world, "training")
    meeting = make_meeting(host=world.org_a, started_on=D(2014, 1, 6))
    url = f"/staff/meetings/{meeting.pk}/leadership/"
    peer = make_trained_facilitator(completed_on=D(2013, 1, 7))
    response = client.post(
        url, {"kind": "peer_led", "start_date": "2013-12-01", "facilitators": [peer.pk]}
    )
    assert response.status_code == 200
    assert "Start date" in response.content.decode() or "From date" in response.content.decode()
    assert "overlap" in response.content.decode()
    assert LeadershipPeriod.objects.filter(meeting=meeting).count() == 1
    response = client.post(
        url, {"kind": "peer_led", "start_date": "2014-09-01", "facilitators": [peer.pk]}
    )
    assert response.status_code == 302
    assert meeting.leadership.order_by("-start_date").first().kind == "peer_led"


def test_staff_open_pause_close(client, world):
    login(client, world, "staff_admin")
    meeting = make_meeting(host=world.org_a, started_on=D(2014, 1, 6))
    response = client.post(f"/staff/meetings/{meeting.pk}/status/close/", {"on": "2014-03-03"})
    assert "Say why the meeting is closing" in response.content.decode()
    client.post(f"/staff/meetings/{meeting.pk}/status/pause/", {"on": "2014-03-03"})
    client.post(f"/staff/meetings/{meeting.pk}/status/activate/", {"on": "2014-04-07"})
    client.post(
        f"/staff/meetings/{meeting.pk}/status/close/", {"on": "2014-05-05", "reason": "Moved"}
    )
    statuses = list(meeting.status_changes.order_by("on", "pk").values_list("status", flat=True))
    assert statuses == ["proposed", "active", "paused", "active", "closed"]


def test_staff_add_meeting_names_the_field(client, world):
    login(client, world, "staff_admin")
    site = SiteFactory(organisation=world.org_a)
    data = {
        "name": "New one",
        "programme": "smart",
        "weekday": 2,
        "start_time": "19:00",
        "end_time": "18:00",
        "format": "in_person",
        "site": site.pk,
        "is_public": "on",
    }
    response = client.post("/staff/meetings/new/", data)
    assert "The end time must be after the start time." in response.content.decode()
    assert not Meeting.objects.exists()
    data.update(end_time="20:00", format="online", site="")
    response = client.post("/staff/meetings/new/", data)
    assert "joining link or a phone number" in response.content.decode()
    data.update(conference_url="https://meet.example.org/x")
    response = client.post("/staff/meetings/new/", data)
    assert response.status_code == 302
    assert Meeting.objects.get().status == "proposed"


def test_portal_shows_only_the_partners_own_meetings(client, world):
    mine = make_meeting(host=world.org_a, started_on=D(2014, 1, 6), name="Ours")
    make_meeting(host=world.org_b, started_on=D(2014, 1, 6), name="Theirs")
    login(client, world, "partner_contact")
    body = client.get("/portal/meetings/").content.decode()
    assert "Ours" in body and "Theirs" not in body
    assert client.get(f"/portal/meetings/{mine.pk}/").status_code == 200
    login(client, world, "other_partner_contact")
    body = client.get("/portal/meetings/").content.decode()
    assert "Theirs" in body and "Ours" not in body
    assert client.get(f"/portal/meetings/{mine.pk}/").status_code == 404


def test_portal_records_head_counts(client, world):
    meeting = make_meeting(host=world.org_a, started_on=D(2014, 1, 6))
    login(client, world, "partner_contact")
    url = f"/portal/meetings/{meeting.pk}/head-counts/new/"
    assert 'type="checkbox"' not in client.get(url).content.decode()  # asked only when high
    response = client.post(url, {"held_on": "2014-01-07", "attendance": "250"})
    assert "unusually high" in response.content.decode()
    assert 'type="checkbox" name="confirmed"' in response.content.decode()
    assert not HeadCount.objects.exists()
    response = client.post(url, {"held_on": "2014-01-07", "attendance": "250", "confirmed": "on"})
    assert response.status_code == 302
    response = client.post(url, {"held_on": "2014-01-07", "attendance": "6"})
    assert "already recorded" in response.content.decode()
    response = client.post(url, {"held_on": "2014-01-14", "attendance": "-3"})
    assert response.status_code == 200
    assert HeadCount.objects.count() == 1


def test_portal_proposals_wait_for_staff(client, world):
    site = SiteFactory(organisation=world.org_a)
    person = PersonFactory()
    AffiliationFactory(person=person, organisation=world.org_a, role="volunteer")
    # A volunteer of the partner (not a staff role) with facilitator training.
    make_trained_facilitator(person, completed_on=D(2014, 1, 6))
    training_services.profile_update(person=person, is_peer=False)  # the partner's own volunteer
    login(client, world, "partner_contact")
    response = client.post(
        "/portal/meetings/propose/",
        {
            "name": "Proposed Thursday",
            "programme": "smart",
            "weekday": 3,
            "start_time": "18:00",
            "end_time": "19:30",
            "format": "in_person",
            "site": site.pk,
            "is_public": "on",
        },
    )
    assert response.status_code == 302
    meeting = Meeting.objects.get(name="Proposed Thursday")
    assert meeting.status == "proposed" and meeting.host == world.org_a
    # Another organisation's site is not offered (the form refuses it).
    other = SiteFactory(organisation=OrganisationFactory())
    response = client.post("/portal/meetings/propose/", {"name": "x", "site": other.pk})
    assert "Choose the site from the list" in response.content.decode()

    login(client, world, "staff_admin")
    proposal = Proposal.objects.get()
    client.post(f"/staff/meetings/proposals/{proposal.pk}/decide/", {"decision": "confirm"})
    meeting.refresh_from_db()
    assert meeting.status == "active"

    login(client, world, "partner_contact")
    response = client.post(
        f"/portal/meetings/{meeting.pk}/leadership/",
        {"kind": "peer_led", "start_date": "2099-01-04", "facilitators": [person.pk]},
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert not meeting.leadership.exists()
    login(client, world, "staff_admin")
    change = Proposal.objects.get(kind="leadership")
    client.post(f"/staff/meetings/proposals/{change.pk}/decide/", {"decision": "confirm"})
    period = meeting.leadership.get()
    assert period.kind == "peer_led" and list(period.facilitators.all()) == [person]


def test_staff_figures_page(client, world):
    login(client, world, "trustee")
    assert client.get("/staff/meetings/figures/").status_code == 403
    login(client, world, "staff_admin")
    make_meeting(host=world.org_a, started_on=D(2014, 1, 6))
    response = client.get("/staff/meetings/figures/", {"on": "2014-02-01"})
    assert response.context["per_week"] == 1
    assert client.get("/staff/meetings/figures/", {"on": "not-a-date"}).status_code == 200


def test_staff_can_choose_a_trained_peer_as_facilitator(client, world):

    peer = make_trained_facilitator(
        PersonFactory(first_name="Pat", last_name="Peer"), completed_on=D(2014, 3, 1)
    )
    untrained_stranger = PersonFactory()
    meeting = make_meeting(host=world.org_a, started_on=D(2014, 1, 6))
    login(client, world, "staff_admin")
    response = client.get(f"/staff/meetings/{meeting.pk}/leadership/")
    choices = set(response.context["form"].fields["facilitators"].queryset)
    assert peer in choices and untrained_stranger not in choices
    client.post(
        f"/staff/meetings/{meeting.pk}/leadership/",
        {"kind": "peer_led", "start_date": "2014-06-02", "facilitators": [peer.pk]},
    )
    body = client.get(f"/staff/meetings/{meeting.pk}/").content.decode()
    assert "Pat Peer (trained facilitator)" in body


def test_admin_pages_load_and_leadership_is_read_only(client, world):
    meeting = make_meeting(host=world.org_a, started_on=D(2014, 1, 6))
    period = meeting.leadership.get()
    admin_user = world.users["staff_admin"]
    admin_user.is_superuser = True
    admin_user.save()
    client.force_login(admin_user)
    for url in (
        "/admin/meetings/meeting/",
        f"/admin/meetings/meeting/{meeting.pk}/change/",
        "/admin/meetings/leadershipperiod/",
        f"/admin/meetings/leadershipperiod/{period.pk}/change/",
        "/admin/meetings/headcount/",
        "/admin/meetings/proposal/",
        "/admin/meetings/postcodecentroid/",
    ):
        assert client.get(url).status_code == 200, url
    assert client.get("/admin/meetings/leadershipperiod/add/").status_code == 403
    client.post(
        f"/admin/meetings/leadershipperiod/{period.pk}/change/",
        {"kind": "peer_led", "start_date": "2010-01-01"},
    )
    period.refresh_from_db()
    assert period.kind == "professional" and period.start_date == D(2014, 1, 6)


def test_portal_names_only_its_own_people_beside_a_meeting(client, world):
    """Who facilitates is health data: a partner sees the names of people tied
    to it now; a peer from elsewhere, or someone who has moved on, is counted
    and never named, nor offered in the leadership picker."""
    ours = PersonFactory(first_name="Ourstaff", last_name="Member")
    AffiliationFactory(person=ours, organisation=world.org_a, role="staff")
    gone = PersonFactory(first_name="Movedon", last_name="Elsewhere")
    AffiliationFactory(person=gone, organisation=world.org_a, role="staff", end_date=D(2015, 1, 1))
    AffiliationFactory(person=gone, organisation=world.org_b, role="staff")
    peer = PersonFactory(first_name="Visiting", last_name="Peer")
    meeting = make_meeting(
        host=world.org_a, started_on=D(2014, 1, 6), facilitators=[ours, gone, peer]
    )
    login(client, world, "partner_contact")
    body = client.get(f"/portal/meetings/{meeting.pk}/").content.decode()
    assert "Ourstaff Member" in body
    assert "2 facilitators from outside your organisation" in body
    assert "Movedon" not in body and "Visiting" not in body
    picker = client.get(f"/portal/meetings/{meeting.pk}/people/?q=e").content.decode()
    assert "Ourstaff" in picker and "Movedon" not in picker and "Visiting" not in picker
