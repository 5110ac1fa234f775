"""Two at once (PostgreSQL): a meeting starts once, a session is counted once."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from meetings import services
from meetings.models import HeadCount, Meeting, SessionNotHeld
from meetings.signals import meeting_started
from tests.concurrency import at_once
from tests.factories import SiteFactory
from tests.meetings.factories import make_meeting

pytestmark = pytest.mark.django_db(transaction=True)


def run_twice(fn) -> list:
    return at_once(fn, fn)


def test_two_activations_at_once_start_the_meeting_once(postgres):
    meeting = services.meeting_create(
        proposed_on=datetime.date(2014, 1, 1),
        name="Race",
        weekday=1,
        start_time=datetime.time(18),
        end_time=datetime.time(19),
        site=SiteFactory(),
    )
    received = []

    def listener(sender, **kwargs):
        received.append(kwargs["meeting_id"])

    meeting_started.connect(listener)
    try:
        outcomes = run_twice(
            lambda: services.meeting_activate(
                meeting=Meeting.objects.get(pk=meeting.pk), on=datetime.date(2014, 1, 6)
            )
        )
    finally:
        meeting_started.disconnect(listener)
    assert sum(isinstance(o, ValidationError) for o in outcomes) == 1
    assert received == [meeting.pk]
    assert meeting.status_changes.filter(status="active").count() == 1


def test_two_head_counts_for_one_session_at_once(postgres):
    meeting = make_meeting(started_on=datetime.date(2014, 1, 6))
    outcomes = run_twice(
        lambda: services.head_count_record(
            meeting=meeting, held_on=datetime.date(2014, 1, 7), attendance=6
        )
    )
    assert sum(isinstance(o, ValidationError) for o in outcomes) == 1
    assert HeadCount.objects.filter(meeting=meeting).count() == 1


def test_a_count_and_a_not_held_mark_for_one_session_at_once_keep_one(postgres):
    """The meeting's row lock serialises them: the second sees the first."""
    meeting = make_meeting(started_on=datetime.date(2014, 1, 6))
    day = datetime.date(2014, 1, 7)
    outcomes = at_once(
        lambda: services.head_count_record(meeting=meeting, held_on=day, attendance=6),
        lambda: services.session_not_held_record(meeting=meeting, held_on=day, reason="holiday"),
    )
    assert sum(isinstance(o, ValidationError) for o in outcomes) == 1
    kept = HeadCount.objects.filter(meeting=meeting).count()
    kept += SessionNotHeld.objects.filter(meeting=meeting).count()
    assert kept == 1


def test_two_not_held_marks_for_one_session_at_once(postgres):
    meeting = make_meeting(started_on=datetime.date(2014, 1, 6))
    outcomes = run_twice(
        lambda: services.session_not_held_record(
            meeting=meeting, held_on=datetime.date(2014, 1, 7), reason="holiday"
        )
    )
    errors = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(errors) == 1 and "marked as not held" in errors[0].message_dict["held_on"][0]
    assert SessionNotHeld.objects.filter(meeting=meeting).count() == 1
