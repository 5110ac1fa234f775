"""Meetings' part of a person's data, through partners.personal_data."""

import datetime

import pytest

from meetings import services
from meetings.models import LeadershipPeriod
from partners import personal_data
from partners.models import Person
from tests.factories import PersonFactory
from tests.meetings.factories import make_meeting
from tests.training.factories import make_trained_facilitator

pytestmark = pytest.mark.django_db


@pytest.fixture
def led():
    alex = PersonFactory(first_name="Alex", last_name="Okafor")
    bo = PersonFactory(first_name="Bo", last_name="Lindqvist")
    make_trained_facilitator(bo, completed_on=datetime.date(2024, 6, 3))
    meeting = make_meeting(
        started_on=datetime.date(2024, 1, 8), facilitators=[alex], name="Tuesday Hope"
    )
    services.leadership_change(
        meeting=meeting,
        kind="peer_led",
        start_date=datetime.date(2025, 3, 3),
        facilitators=[alex, bo],
    )
    other = make_meeting(started_on=datetime.date(2024, 2, 1), facilitators=[bo], name="Bo's own")
    return alex, bo, meeting, other


def test_meetings_is_a_registered_section():
    assert "meetings" in personal_data.sections()


def test_export_lists_the_meetings_and_periods_they_led(led):
    alex, _bo, meeting, _other = led
    data = personal_data.person_export(person_id=alex.pk)["meetings"]
    assert data["meetings_facilitated"] == [{"id": meeting.pk, "name": "Tuesday Hope"}]
    assert [(p["kind"], p["start_date"], p["end_date"]) for p in data["leadership_periods"]] == [
        ("Professionally led", "2024-01-08", "2025-03-02"),
        ("Peer led", "2025-03-03", None),
    ]
    assert "Bo's own" not in str(data)
    assert "anonymises" in data["on_erasure"]


def test_a_person_who_led_nothing_exports_empty_lists():
    nobody = PersonFactory()
    data = personal_data.person_export(person_id=nobody.pk)["meetings"]
    assert data["meetings_facilitated"] == [] and data["leadership_periods"] == []


def test_erasure_keeps_the_periods_and_names_no_one(led):
    alex, bo, meeting, _other = led
    periods_before = LeadershipPeriod.objects.count()
    personal_data.person_erase(person_id=alex.pk)
    assert LeadershipPeriod.objects.count() == periods_before
    current = meeting.leadership.get(end_date__isnull=True)
    assert set(current.facilitators.values_list("pk", flat=True)) == {alex.pk, bo.pk}
    erased = Person.objects.get(pk=alex.pk)
    assert erased.anonymised_at is not None and "Alex" not in erased.full_name
    export = personal_data.person_export(person_id=alex.pk)
    assert "Okafor" not in str(export)
    assert len(export["meetings"]["leadership_periods"]) == 2  # still counted
    assert Person.objects.get(pk=bo.pk).first_name == "Bo"
