"""Bad input is refused with a message naming the field, and nothing is half-saved."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from meetings import services
from meetings.models import HeadCount, Leadership, LeadershipPeriod, Meeting, MeetingStatusChange
from meetings.signals import meeting_started
from tests.factories import OrganisationFactory, PersonFactory, SiteFactory
from tests.meetings.factories import make_meeting
from tests.training.factories import make_trained_facilitator

D = datetime.date
T = datetime.time

pytestmark = pytest.mark.django_db


def details(**overrides):
    base = {
        "name": "Tuesday SMART",
        "weekday": 1,
        "start_time": T(18, 30),
        "end_time": T(20, 0),
        "format": "in_person",
        "site": SiteFactory(),
    }
    base.update(overrides)
    return base


def refused(fn, **kwargs) -> dict:
    with pytest.raises(ValidationError) as info:
        fn(**kwargs)
    return info.value.message_dict


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"end_time": T(18, 0)}, "end_time", "after the start"),
        ({"end_time": T(18, 30)}, "end_time", "after the start"),
        ({"format": "online", "site": None}, "conference_url", "joining link"),
        ({"format": "hybrid"}, "conference_url", "joining link"),
        (
            {"format": "online", "site": None, "conference_phone": "0800 12"},
            "conference_phone",
            "10 digits",
        ),
        ({"site": None}, "site", "needs a venue"),
        (
            {
                "site": None,
                "venue_address_line_1": "1 Church St",
                "venue_postcode": "NOTAPC",
                "venue_town": "Leeds",
            },
            "venue_postcode",
            "UK postcode",
        ),
        ({"name": "  "}, "name", "name"),
    ],
)
def test_meeting_bad_input_names_the_field(overrides, field, words):
    errors = refused(services.meeting_create, proposed_on=D(2014, 1, 1), **details(**overrides))
    assert field in errors
    assert words in " ".join(errors[field])
    assert Meeting.objects.count() == 0
    assert MeetingStatusChange.objects.count() == 0


def test_community_venue_and_online_meetings_are_accepted():
    venue = services.meeting_create(
        proposed_on=D(2014, 1, 1),
        **details(
            site=None,
            venue_name="St Mary's Hall",
            venue_address_line_1="1 Church Street",
            venue_town="Leeds",
            venue_postcode="ls1 4ap",
        ),
    )
    assert venue.venue_postcode == "LS1 4AP"
    assert venue.slug == "tuesday-smart-leeds"
    online = services.meeting_create(
        proposed_on=D(2014, 1, 1),
        **details(format="online", site=None, conference_phone="+44 20 7946 0000"),
    )
    assert online.status == "proposed"
    assert online.status_changes.get().on == D(2014, 1, 1)


def test_prison_meetings_are_never_public():
    meeting = services.meeting_create(
        proposed_on=D(2014, 1, 1), **details(programme="prison", is_public=True)
    )
    assert meeting.is_public is False
    errors = refused(
        services.meeting_update, meeting=meeting, programme="smart", is_public=True, end_time=T(9)
    )
    assert "end_time" in errors
    meeting.refresh_from_db()
    assert meeting.programme == "prison"


def test_slug_is_unique_and_at_most_64():
    long = "A very long meeting name " * 6
    first = services.meeting_create(proposed_on=D(2014, 1, 1), **details(name=long))
    second = services.meeting_create(proposed_on=D(2014, 1, 1), **details(name=long))
    assert first.slug != second.slug
    assert len(first.slug) <= 64 and len(second.slug) <= 64


def test_meeting_started_is_sent_once_inside_the_transaction(django_capture_on_commit_callbacks):
    received = []

    def listener(sender, **kwargs):
        received.append(kwargs)

    meeting_started.connect(listener)
    try:
        person = PersonFactory()
        meeting = services.meeting_create(proposed_on=D(2014, 1, 1), **details())
        services.leadership_change(
            meeting=meeting,
            kind=Leadership.PROFESSIONAL,
            start_date=D(2014, 1, 6),
            facilitators=[person],
        )
        with django_capture_on_commit_callbacks(execute=False):
            services.meeting_activate(meeting=meeting, on=D(2014, 1, 6))
            # Sent before commit, so what receivers queue commits with the change.
            assert len(received) == 1
        assert received == [
            {
                "signal": meeting_started,
                "meeting_id": meeting.pk,
                "facilitator_person_ids": [person.pk],
            }
        ]
        with django_capture_on_commit_callbacks(execute=True):
            services.meeting_pause(meeting=meeting, on=D(2014, 3, 3))
            services.meeting_activate(meeting=meeting, on=D(2014, 4, 7))
        assert len(received) == 1  # reopening is not starting
    finally:
        meeting_started.disconnect(listener)


def test_lifecycle_rules():
    meeting = make_meeting(started_on=D(2014, 1, 6))
    errors = refused(services.meeting_pause, meeting=meeting, on=D(2013, 12, 1))
    assert "on" in errors and "history is not rewritten" in errors["on"][0]
    errors = refused(services.meeting_activate, meeting=meeting, on=D(2014, 2, 1))
    assert "status" in errors
    errors = refused(services.meeting_close, meeting=meeting, on=D(2014, 2, 1), reason=" ")
    assert "reason" in errors
    services.meeting_close(meeting=meeting, on=D(2014, 2, 3), reason="Venue closed")
    meeting.refresh_from_db()
    assert meeting.status == "closed" and meeting.closure_reason == "Venue closed"
    assert meeting.leadership.get().end_date == D(2014, 2, 3)
    errors = refused(
        services.leadership_change, meeting=meeting, kind="peer_led", start_date=D(2014, 3, 3)
    )
    assert "kind" in errors


def test_leadership_overlap_is_refused_and_history_kept():
    meeting = make_meeting(started_on=D(2014, 1, 6))
    peer = make_trained_facilitator(completed_on=D(2012, 1, 2))
    services.leadership_change(
        meeting=meeting, kind="co_facilitated", start_date=D(2014, 6, 2), facilitators=[peer]
    )
    for start in (D(2014, 6, 2), D(2014, 3, 3), D(2013, 1, 1)):
        errors = refused(
            services.leadership_change,
            meeting=meeting,
            kind="peer_led",
            start_date=start,
            facilitators=[peer],
        )
        assert "overlap" in errors["start_date"][0]
    periods = list(LeadershipPeriod.objects.filter(meeting=meeting).order_by("start_date"))
    assert [(p.kind, p.start_date, p.end_date) for p in periods] == [
        ("professional", D(2014, 1, 6), D(2014, 6, 1)),
        ("co_facilitated", D(2014, 6, 2), None),
    ]
    errors = refused(
        services.leadership_change, meeting=meeting, kind="boss", start_date=D(2015, 1, 1)
    )
    assert "kind" in errors


@pytest.mark.parametrize(
    ("kwargs", "field", "words"),
    [
        ({"attendance": -1}, "attendance", "0 or more"),
        ({"attendance": 201}, "attendance", "confirm"),
        ({"attendance": 5000, "confirmed": True}, "attendance", "not possible"),
        ({"attendance": 5, "new_attendees": 6}, "new_attendees", "More people"),
        ({"attendance": 5, "held_on": D(2013, 1, 1)}, "held_on", "opened on"),
        ({"attendance": 5, "held_on": D(2099, 1, 1)}, "held_on", "future"),
        ({"attendance": 5, "held_on": D(2014, 1, 8)}, "held_on", "runs on Tuesdays"),
    ],
)
def test_head_count_bad_input(kwargs, field, words):
    meeting = make_meeting(started_on=D(2014, 1, 6))
    kwargs.setdefault("held_on", D(2014, 1, 7))
    errors = refused(services.head_count_record, meeting=meeting, **kwargs)
    assert words in errors[field][0]
    assert HeadCount.objects.count() == 0


def test_a_head_count_follows_the_day_the_meeting_ran_on_then():
    with time_machine.travel(datetime.datetime(2014, 1, 6, 12, tzinfo=datetime.UTC)):
        meeting = make_meeting(started_on=D(2014, 1, 6))  # Tuesdays
    with time_machine.travel(datetime.datetime(2014, 2, 1, 12, tzinfo=datetime.UTC)):
        meeting.weekday = 2  # moved to Wednesdays from February
        meeting.save()
    with time_machine.travel(datetime.datetime(2014, 2, 20, 12, tzinfo=datetime.UTC)):
        # A late count for a January Tuesday is right; a January Wednesday is not.
        services.head_count_record(meeting=meeting, held_on=D(2014, 1, 14), attendance=4)
        errors = refused(
            services.head_count_record, meeting=meeting, held_on=D(2014, 1, 15), attendance=4
        )
        assert "runs on Tuesdays" in errors["held_on"][0]
        services.head_count_record(meeting=meeting, held_on=D(2014, 2, 19), attendance=5)
    assert HeadCount.objects.count() == 2


def test_head_count_confirmed_and_duplicate():
    meeting = make_meeting(started_on=D(2014, 1, 6))
    count = services.head_count_record(
        meeting=meeting, held_on=D(2014, 1, 7), attendance=250, confirmed=True, new_attendees=3
    )
    assert count.attendance == 250
    errors = refused(
        services.head_count_record, meeting=meeting, held_on=D(2014, 1, 7), attendance=6
    )
    assert "already recorded" in errors["held_on"][0]
    assert HeadCount.objects.get().attendance == 250


def test_proposals_new_meeting_and_leadership():
    org = OrganisationFactory()
    site = SiteFactory(organisation=org)
    proposal = services.proposal_new_meeting(
        organisation=org, proposed_on=D(2014, 1, 1), **details(site=site)
    )
    meeting = proposal.meeting
    assert meeting.status == "proposed" and meeting.host == org
    services.proposal_confirm(proposal=proposal, on=D(2014, 1, 6))
    meeting.refresh_from_db()
    assert meeting.status == "active" and meeting.first_active_on == D(2014, 1, 6)
    errors = refused(services.proposal_confirm, proposal=proposal, on=D(2014, 1, 6))
    assert "already been decided" in errors["status"][0]

    peer = make_trained_facilitator(completed_on=D(2013, 1, 7))
    change = services.proposal_leadership_change(
        organisation=org,
        meeting=meeting,
        kind="peer_led",
        start_date=D(2014, 9, 1),
        facilitators=[peer],
    )
    assert not meeting.leadership.exists()  # waits for staff
    services.proposal_confirm(proposal=change, on=D(2014, 9, 1))
    period = meeting.leadership.get()
    assert period.kind == "peer_led" and list(period.facilitators.all()) == [peer]

    other_site = SiteFactory()
    errors = refused(
        services.proposal_new_meeting,
        organisation=org,
        proposed_on=D(2014, 1, 1),
        **details(site=other_site),
    )
    assert "own sites" in errors["site"][0]
