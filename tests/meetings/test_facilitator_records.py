"""The records a meeting's own people keep (services): weeks not held, head
counts against them and the meeting's usual size, the sessions missing a
count, and proposed changes of day, time, venue or joining link."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from meetings import feeds_cache, selectors, services
from meetings.models import (
    Format,
    HeadCount,
    Meeting,
    Proposal,
    ProposalKind,
    ProposalStatus,
    SessionNotHeld,
)
from tests.meetings.factories import make_meeting

pytestmark = pytest.mark.django_db

D = datetime.date
# Tuesdays (make_meeting's weekday 1), the meeting opening on Monday 6 Jan 2014.
TUE = D(2014, 1, 7)
TODAY = datetime.datetime(2014, 3, 5, 12, tzinfo=datetime.UTC)  # a Wednesday


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def meeting():
    return make_meeting(started_on=D(2014, 1, 6))


def _errors(exc_info) -> dict:
    return exc_info.value.message_dict


# --- weeks not held ------------------------------------------------------------------


def test_a_week_marked_not_held_refuses_a_count_and_is_kept_once(meeting):
    services.session_not_held_record(meeting=meeting, held_on=TUE, reason="holiday")
    with pytest.raises(ValidationError) as exc:
        services.head_count_record(meeting=meeting, held_on=TUE, attendance=5)
    assert "marked as not held" in _errors(exc)["held_on"][0]
    with pytest.raises(ValidationError) as exc:
        services.session_not_held_record(meeting=meeting, held_on=TUE, reason="venue_closed")
    assert "marked as not held" in _errors(exc)["held_on"][0]
    assert SessionNotHeld.objects.count() == 1 and not HeadCount.objects.exists()


def test_a_counted_week_cannot_be_marked_not_held(meeting):
    services.head_count_record(meeting=meeting, held_on=TUE, attendance=5)
    with pytest.raises(ValidationError) as exc:
        services.session_not_held_record(meeting=meeting, held_on=TUE, reason="holiday")
    assert "already recorded" in _errors(exc)["held_on"][0]
    assert not SessionNotHeld.objects.exists()


@pytest.mark.parametrize(
    ("held_on", "reason", "field", "words"),
    [
        (D(2014, 1, 8), "holiday", "held_on", "runs on Tuesdays"),
        (D(2013, 12, 31), "holiday", "held_on", "opened on 06 January 2014"),
        (D(2014, 12, 30), "holiday", "held_on", "cannot be after"),
        (TUE, "bored", "reason", "Choose why"),
    ],
)
def test_not_held_bad_input_names_the_field(meeting, held_on, reason, field, words):
    with pytest.raises(ValidationError) as exc:
        services.session_not_held_record(meeting=meeting, held_on=held_on, reason=reason)
    assert words in _errors(exc)[field][0]
    assert not SessionNotHeld.objects.exists()


def test_no_session_is_recorded_after_the_meeting_closed(meeting):
    services.meeting_close(meeting=meeting, on=D(2014, 2, 1), reason="Venue lost")
    services.head_count_record(meeting=meeting, held_on=D(2014, 1, 28), attendance=5)
    with pytest.raises(ValidationError) as exc:
        services.head_count_record(meeting=meeting, held_on=D(2014, 2, 4), attendance=5)
    assert "closed on 01 February 2014" in _errors(exc)["held_on"][0]
    with pytest.raises(ValidationError) as exc:
        services.session_not_held_record(meeting=meeting, held_on=D(2014, 2, 4), reason="other")
    assert "closed on" in _errors(exc)["held_on"][0]


def test_a_holiday_ahead_can_be_marked(meeting):
    ahead = D(2014, 3, 11)
    services.session_not_held_record(meeting=meeting, held_on=ahead, reason="holiday")
    assert SessionNotHeld.objects.get().held_on == ahead


def test_the_database_keeps_one_not_held_record_per_session(meeting):
    SessionNotHeld.objects.create(meeting=meeting, held_on=TUE, reason="holiday")
    with pytest.raises(IntegrityError), transaction.atomic():
        SessionNotHeld.objects.create(meeting=meeting, held_on=TUE, reason="other")


# --- head counts ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("held_on", "words"),
    [(D(2014, 3, 11), "cannot be in the future"), (D(2014, 3, 3), "runs on Tuesdays")],
)
def test_a_count_for_a_future_or_wrong_day_is_refused_naming_the_date(meeting, held_on, words):
    with pytest.raises(ValidationError) as exc:
        services.head_count_record(meeting=meeting, held_on=held_on, attendance=5)
    assert words in _errors(exc)["held_on"][0]
    assert not HeadCount.objects.exists()


def test_a_count_far_over_the_usual_size_asks_for_confirmation(meeting):
    assert services.head_count_confirm_above(meeting) == services.HEAD_COUNT_CONFIRM_ABOVE
    for day, n in ((7, 6), (14, 7), (21, 6)):
        services.head_count_record(meeting=meeting, held_on=D(2014, 1, day), attendance=n)
    assert selectors.usual_attendance(meeting_id=meeting.pk) == 6
    assert services.head_count_confirm_above(meeting) == 21
    with pytest.raises(ValidationError) as exc:
        services.head_count_record(meeting=meeting, held_on=D(2014, 1, 28), attendance=60)
    assert "usually has 6" in _errors(exc)["attendance"][0]
    assert HeadCount.objects.count() == 3
    services.head_count_record(
        meeting=meeting, held_on=D(2014, 1, 28), attendance=60, confirmed=True
    )
    services.head_count_record(meeting=meeting, held_on=D(2014, 2, 4), attendance=21)


# --- sessions missing a count ----------------------------------------------------------


def test_missing_sessions_leave_out_counted_not_held_paused_and_before_opening():
    # Opened Monday 20 Jan 2014; paused from 11 Feb to 25 Feb; eight weeks back
    # from Wednesday 5 March reach Thursday 9 January.
    meeting = make_meeting(started_on=D(2014, 1, 20))
    services.meeting_pause(meeting=meeting, on=D(2014, 2, 11))
    services.meeting_activate(meeting=meeting, on=D(2014, 2, 25))
    services.head_count_record(meeting=meeting, held_on=D(2014, 1, 21), attendance=4)
    services.session_not_held_record(meeting=meeting, held_on=D(2014, 2, 4), reason="holiday")
    other = make_meeting(started_on=D(2014, 1, 6), weekday=3)
    services.meeting_close(meeting=other, on=D(2014, 1, 24), reason="Venue lost")
    missing = selectors.missing_head_counts(
        meetings=Meeting.objects.filter(pk__in=[meeting.pk, other.pk]), today=D(2014, 3, 5)
    )
    assert missing[meeting.pk] == [D(2014, 3, 4), D(2014, 2, 25), D(2014, 1, 28)]
    assert missing[other.pk] == [D(2014, 1, 23), D(2014, 1, 16), D(2014, 1, 9)]


def test_a_meeting_moved_to_another_day_misses_sessions_on_the_day_it_ran_then():
    with time_machine.travel(datetime.datetime(2014, 1, 1, 9, tzinfo=datetime.UTC), tick=False):
        moved = make_meeting(started_on=D(2014, 1, 6), weekday=1)  # Tuesdays
    with time_machine.travel(datetime.datetime(2014, 2, 13, 9, tzinfo=datetime.UTC), tick=False):
        services.meeting_update(meeting=moved, weekday=3)  # Thursdays from 13 February
    services.head_count_record(meeting=moved, held_on=D(2014, 2, 4), attendance=5)
    missing = selectors.missing_head_counts(
        meetings=Meeting.objects.filter(pk=moved.pk), today=D(2014, 3, 5)
    )
    assert missing[moved.pk] == [
        D(2014, 2, 27),
        D(2014, 2, 20),
        D(2014, 2, 13),
        D(2014, 2, 11),
        D(2014, 1, 28),
        D(2014, 1, 21),
        D(2014, 1, 14),
    ]
    # Each of them is a date a head count is taken for.
    for day in missing[moved.pk]:
        services.head_count_record(meeting=moved, held_on=day, attendance=5)


def test_missing_sessions_cost_six_queries_whatever_the_number(django_assert_num_queries):
    meetings = [make_meeting(started_on=D(2014, 1, 6)) for _ in range(4)]
    with django_assert_num_queries(6):
        missing = selectors.missing_head_counts(
            meetings=Meeting.objects.filter(pk__in=[m.pk for m in meetings]), today=D(2014, 3, 5)
        )
    assert all(len(days) == 8 for days in missing.values())


# --- change proposals ---------------------------------------------------------------


def online(**fields):
    return make_meeting(
        started_on=D(2014, 1, 6),
        format=Format.ONLINE,
        site=None,
        conference_url="https://zoom.us/j/123",
        **fields,
    )


def test_a_change_keeps_only_what_differs_and_waits_for_staff(meeting):
    proposal = services.proposal_change(
        organisation=meeting.host,
        meeting=meeting,
        changes={
            "weekday": 3,
            "start_time": meeting.start_time,
            "end_time": datetime.time(20, 30),
            "venue_name": "",
        },
        note="From April",
    )
    assert proposal.kind == ProposalKind.CHANGE and proposal.status == ProposalStatus.PENDING
    assert proposal.changes == {"weekday": 3, "end_time": "20:30"}
    meeting.refresh_from_db()
    assert meeting.weekday == 1 and meeting.end_time == datetime.time(20, 0)


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"end_time": datetime.time(18, 0)}, "end_time", "after the start time"),
        ({"conference_url": "http://zoom.us/j/9"}, "conference_url", "https://"),
        ({"conference_url": ""}, "conference_url", "joining link or a phone number"),
        ({"conference_notes": "<b>Passcode</b> 1234"}, "conference_notes", "markup"),
        ({"conference_notes": "Ring Sam on 07700 900123"}, "conference_notes", "phone numbers"),
        ({"conference_phone": "0161"}, "conference_phone", "10 digits"),
        ({"weekday": 1}, "__all__", "Nothing would change"),
    ],
)
def test_a_bad_change_is_refused_as_a_staff_edit_would_be(changes, field, words):
    meeting = online()
    with pytest.raises(ValidationError) as exc:
        services.proposal_change(organisation=meeting.host, meeting=meeting, changes=changes)
    assert words in " ".join(_errors(exc)[field])
    assert not Proposal.objects.exists()


def test_a_new_venue_for_a_site_meeting_needs_its_address(meeting):
    with pytest.raises(ValidationError) as exc:
        services.proposal_change(
            organisation=meeting.host, meeting=meeting, changes={"venue_name": "Church hall"}
        )
    assert "community venue" in _errors(exc)["venue_address_line_1"][0]
    with pytest.raises(ValidationError) as exc:
        services.proposal_change(
            organisation=None,
            meeting=meeting,
            changes={
                "venue_name": "Church hall",
                "venue_address_line_1": "1 Church Lane",
                "venue_town": "Bolton",
                "venue_postcode": "not a postcode",
            },
        )
    assert "UK postcode" in _errors(exc)["venue_postcode"][0]


def test_accepting_a_change_updates_the_meeting_and_the_feeds(meeting, on_commit):
    proposal = services.proposal_change(
        organisation=None,
        meeting=meeting,
        changes={
            "weekday": 3,
            "venue_name": "St Mary's Church Hall",
            "venue_address_line_1": "1 Church Lane",
            "venue_town": "Bolton",
            "venue_postcode": "bl1 1aa",
        },
    )
    before = feeds_cache.version()
    with time_machine.travel(TODAY + datetime.timedelta(seconds=5), tick=False), on_commit():
        services.proposal_confirm(proposal=proposal, on=D(2014, 3, 5))
    meeting.refresh_from_db()
    assert meeting.weekday == 3 and meeting.site is None
    assert meeting.venue_name == "St Mary's Church Hall" and meeting.venue_postcode == "BL1 1AA"
    assert feeds_cache.version() != before
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.CONFIRMED
    with pytest.raises(ValidationError):
        services.proposal_confirm(proposal=proposal, on=D(2014, 3, 5))


def test_a_change_that_no_longer_fits_is_refused_at_acceptance_and_stays_pending():
    meeting = online()
    proposal = services.proposal_change(
        organisation=None, meeting=meeting, changes={"start_time": datetime.time(19, 30)}
    )
    services.meeting_update(meeting=meeting, end_time=datetime.time(19, 0))
    with pytest.raises(ValidationError) as exc:
        services.proposal_confirm(proposal=proposal, on=D(2014, 3, 5))
    assert "after the start time" in _errors(exc)["end_time"][0]
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PENDING


def test_declining_a_change_leaves_the_meeting(meeting):
    proposal = services.proposal_change(organisation=None, meeting=meeting, changes={"weekday": 4})
    services.proposal_decline(proposal=proposal)
    meeting.refresh_from_db()
    assert meeting.weekday == 1


def test_a_closed_meeting_takes_no_change(meeting):
    services.meeting_close(meeting=meeting, on=D(2014, 3, 1), reason="Ended")
    with pytest.raises(ValidationError) as exc:
        services.proposal_change(organisation=None, meeting=meeting, changes={"weekday": 4})
    assert "closed" in _errors(exc)["note"][0]
