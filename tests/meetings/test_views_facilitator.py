"""A facilitator's pages and the portal's matching ones: head counts, weeks not
held and change proposals, then staff accepting a change into the finder and
the feed. Another facilitator's meeting is a 404 (the access matrix checks
every URL; these check what the pages do)."""

import datetime
import json

import pytest
import time_machine
from django.core import mail

from meetings import services
from meetings.models import HeadCount, Meeting, Proposal, ProposalStatus, SessionNotHeld
from tests.materials.factories import make_item
from tests.meetings.access_cases import facilitated_meeting
from tests.meetings.factories import make_meeting
from tests.training.factories import make_trained_facilitator

pytestmark = pytest.mark.django_db

D = datetime.date
NOW = datetime.datetime(2014, 3, 5, 12, tzinfo=datetime.UTC)  # a Wednesday


@pytest.fixture(autouse=True)
def frozen():
    # Time moves (from NOW): the feeds cache is versioned by the clock.
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def meeting(world):
    return facilitated_meeting(world)


@pytest.fixture
def facilitator(client, world):
    client.force_login(world.users["facilitator"])
    return world.users["facilitator"]


def _body(response) -> str:
    return response.content.decode()


def test_home_lists_their_meetings_with_missing_counts_materials_and_training(
    client, world, facilitator, settings
):
    settings.MATERIALS_FAIR_USE_LIMITS = {"poster": 20}
    make_item("poster", name="A3 meeting poster", stock=10)
    # Trained in April 2012 for 24 months: a refresher falls due in April 2014.
    make_trained_facilitator(facilitator.person, completed_on=D(2012, 4, 1))
    meeting = facilitated_meeting(world)
    others = make_meeting(host=world.org_b, started_on=D(2014, 1, 6), name="Not theirs")
    meeting_url = f"/facilitator/meetings/{meeting.pk}/"
    HeadCount.objects.create(meeting=meeting, held_on=D(2014, 3, 4), attendance=5)
    SessionNotHeld.objects.create(meeting=meeting, held_on=D(2014, 2, 25), reason="holiday")
    body = _body(client.get("/facilitator/"))
    assert meeting.name in body and others.name not in body
    assert meeting_url in body
    # Eight weeks back, less the counted and the not-held week.
    assert "6 head counts missing" in body
    assert f"{meeting_url}head-counts/new/?held_on=2014-02-18" in body
    assert "?held_on=2014-03-04" not in body and "?held_on=2014-02-25" not in body
    assert "A3 meeting poster: up to 20" in body and "/materials/request/" in body
    assert "a refresher falls due on" in body and "April 2014" in body


def test_signing_in_with_the_link_lands_on_the_home_page(client, world, meeting, on_commit):
    person = world.users["facilitator"].person
    with on_commit():
        client.post("/materials/request/", {"email": person.email})
    body = next(m.body for m in mail.outbox if "sign-in link" in m.subject)
    token = body.split("sesame=", 1)[1].split()[0]
    response = client.post("/materials/request/sign-in/", {"sesame": token})
    assert response.status_code == 302 and response["Location"] == "/facilitator/"
    assert "You are signed in" in _body(client.get("/facilitator/"))
    assert client.get("/materials/request/").status_code == 200


def test_the_meeting_page_offers_the_records(client, meeting, facilitator):
    body = _body(client.get(f"/facilitator/meetings/{meeting.pk}/"))
    for words in ("Record a head count", "Mark a week as not held", "Propose a change"):
        assert words in body
    assert "Head counts missing" in body


def test_a_facilitator_records_a_count_and_is_asked_to_confirm_a_large_one(
    client, meeting, facilitator
):
    url = f"/facilitator/meetings/{meeting.pk}/head-counts/new/"
    assert 'value="2014-02-18"' in _body(client.get(url + "?held_on=2014-02-18"))
    response = client.post(url, {"held_on": "2014-02-18", "attendance": "250"})
    assert "unusually high" in _body(response) and not HeadCount.objects.exists()
    response = client.post(url, {"held_on": "2014-02-19", "attendance": "6"})
    assert "runs on Tuesdays" in _body(response)
    response = client.post(url, {"held_on": "2014-03-11", "attendance": "6"})
    assert "cannot be in the future" in _body(response)
    assert not HeadCount.objects.exists()
    response = client.post(url, {"held_on": "2014-02-18", "attendance": "6", "new_attendees": "2"})
    assert response.status_code == 302
    assert response["Location"] == f"/facilitator/meetings/{meeting.pk}/"
    count = HeadCount.objects.get()
    assert (count.attendance, count.new_attendees) == (6, 2)
    assert count.recorded_by == facilitator


def test_a_facilitator_marks_a_week_not_held_and_then_no_count_is_taken(
    client, meeting, facilitator
):
    base = f"/facilitator/meetings/{meeting.pk}/"
    response = client.post(base + "not-held/new/", {"held_on": "2014-02-18", "reason": "holiday"})
    assert response.status_code == 302
    assert SessionNotHeld.objects.get().held_on == D(2014, 2, 18)
    response = client.post(base + "head-counts/new/", {"held_on": "2014-02-18", "attendance": "4"})
    assert "marked as not held" in _body(response)
    assert "?held_on=2014-02-18" not in _body(client.get(base))
    response = client.post(base + "not-held/new/", {"held_on": "2014-02-18", "reason": ""})
    assert response.status_code == 200 and "reason" in _body(response).lower()


def test_a_facilitator_proposes_a_change_and_staff_accept_it_into_the_feed(
    client, world, meeting, facilitator, on_commit
):
    url = f"/facilitator/meetings/{meeting.pk}/changes/new/"
    form = client.get(url)
    assert 'value="18:30"' in _body(form)
    data = {"weekday": "3", "start_time": "19:00", "end_time": "20:30", "note": "From March"}
    response = client.post(url, {**data, "end_time": "18:00"})
    assert "after the start time" in _body(response) and not Proposal.objects.exists()
    response = client.post(url, data)
    assert response.status_code == 302
    proposal = Proposal.objects.get()
    assert proposal.changes == {"weekday": 3, "start_time": "19:00", "end_time": "20:30"}
    assert proposal.proposed_by == facilitator and proposal.organisation == world.org_a
    meeting.refresh_from_db()
    assert meeting.weekday == 1  # not until staff accept

    client.force_login(world.users["staff_admin"])
    queue = _body(client.get("/staff/meetings/proposals/"))
    assert "Tuesday" in queue and "Thursday" in queue and "19:00" in queue
    assert "Accept the change" in queue
    feed_before = json.loads(client.get("/meetings/feed.json").getvalue())
    assert any(m["slug"] == meeting.slug and m["day"] == 2 for m in feed_before)
    with on_commit():  # the feeds' cache is invalidated once the acceptance commits
        response = client.post(
            f"/staff/meetings/proposals/{proposal.pk}/decide/", {"decision": "confirm"}
        )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.CONFIRMED
    feed = json.loads(client.get("/meetings/feed.json").getvalue())
    listed = next(m for m in feed if m["slug"] == meeting.slug)
    assert listed["day"] == 4 and listed["time"] == "19:00"
    page = _body(client.get(f"/meetings/{meeting.slug}/"))
    assert "Every Thursday, 19:00 to 20:30" in page


def test_an_unrecognised_joining_host_is_warned_about(client, world, facilitator):
    person = world.users["facilitator"].person
    meeting = make_meeting(
        host=world.org_a,
        started_on=D(2014, 1, 6),
        facilitators=[person],
        format="online",
        site=None,
        conference_url="https://zoom.us/j/1",
    )
    url = f"/facilitator/meetings/{meeting.pk}/changes/new/"
    data = {"weekday": "1", "start_time": "18:30", "end_time": "20:00"}
    response = client.post(url, {**data, "conference_url": "https://meet.example.org/x"})
    assert response.status_code == 302
    page = _body(client.get(response["Location"]))
    assert "do not recognise meet.example.org" in page
    assert Proposal.objects.get().changes == {"conference_url": "https://meet.example.org/x"}


def test_another_facilitators_meeting_is_a_404(client, world, meeting):
    client.force_login(world.users["other_facilitator"])
    for tail in ("", "head-counts/new/", "not-held/new/", "changes/new/"):
        assert client.get(f"/facilitator/meetings/{meeting.pk}/{tail}").status_code == 404
    response = client.post(
        f"/facilitator/meetings/{meeting.pk}/head-counts/new/",
        {"held_on": "2014-02-18", "attendance": "6"},
    )
    assert response.status_code == 404 and not HeadCount.objects.exists()
    assert meeting.name not in _body(client.get("/facilitator/"))


def test_a_facilitator_who_has_handed_over_no_longer_sees_the_meeting(client, world, meeting):
    services.leadership_change(
        meeting=meeting,
        kind="professional",
        start_date=D(2014, 3, 1),
        facilitators=[],
    )
    client.force_login(world.users["facilitator"])
    assert client.get(f"/facilitator/meetings/{meeting.pk}/").status_code == 404


def test_the_portal_marks_not_held_and_proposes_changes_on_the_same_pages(client, world, meeting):
    client.force_login(world.users["partner_contact"])
    base = f"/portal/meetings/{meeting.pk}/"
    body = _body(client.get(base))
    assert "Mark a week as not held" in body and "Propose a change" in body
    response = client.post(
        base + "not-held/new/", {"held_on": "2014-02-18", "reason": "venue_closed"}
    )
    assert response.status_code == 302 and response["Location"] == base
    response = client.post(
        base + "changes/new/",
        {"weekday": "1", "start_time": "18:00", "end_time": "19:30", "venue_name": ""},
    )
    assert response.status_code == 302
    assert Proposal.objects.get().organisation == world.org_a
    assert Meeting.objects.get(pk=meeting.pk).start_time == datetime.time(18, 30)
