"""Automatic dispatches from the training and meetings signals, created once."""

import datetime

import pytest

from materials.models import Dispatch, Reason, Status
from meetings.signals import meeting_started
from smartnet.models import OutboxTask
from tests.factories import PersonFactory
from tests.materials.factories import make_item, make_pack
from tests.meetings.factories import make_meeting
from tests.training.factories import make_trained_facilitator
from training import services as training_services
from training.signals import facilitator_trained

pytestmark = pytest.mark.django_db


@pytest.fixture
def packs(db):
    manual = make_item("manual", name="Facilitators Manual", stock=10, requestable=False)
    handbook = make_item("handbook", name="SMART Recovery Handbook", stock=10)
    poster = make_item("poster", stock=100)
    leaflet = make_item("leaflet", stock=1000)
    make_pack("facilitator-welcome", {manual: 1})
    make_pack("starter", {handbook: 1, poster: 10, leaflet: 100})
    return {"manual": manual, "handbook": handbook}


def test_training_a_facilitator_queues_one_manual_to_their_address(packs, on_commit):
    person = PersonFactory()
    training_services.profile_update(
        person=person,
        consent_to_contact=True,
        address_line_1="9 Mill Lane",
        town="Leeds",
        postcode="ls1 1aa",
    )
    with on_commit():
        make_trained_facilitator(person, completed_on=datetime.date(2026, 1, 5))
    dispatch = Dispatch.objects.get(reason=Reason.FACILITATORS_MANUAL)
    assert dispatch.person == person
    assert (dispatch.address_line_1, dispatch.postcode) == ("9 Mill Lane", "LS1 1AA")
    assert dispatch.status == Status.APPROVED  # an entitlement with an address: straight to packing
    assert [line.item for line in dispatch.lines.all()] == [packs["manual"]]
    assert OutboxTask.objects.filter(task_name="materials.tasks.create_manual_dispatch").exists()


def test_the_signal_firing_again_creates_nothing_more(packs, on_commit):
    person = PersonFactory()
    with on_commit():
        for _ in range(3):
            facilitator_trained.send(sender=None, person_id=person.pk, completion_id=1)
    dispatch = Dispatch.objects.get(reason=Reason.FACILITATORS_MANUAL)
    # No consented address on record: it waits for staff to add one.
    assert dispatch.status == Status.SUBMITTED and not dispatch.has_address


def test_a_meeting_starting_queues_one_starter_pack_to_its_facilitator(packs, on_commit):
    facilitator = PersonFactory()
    with on_commit():
        meeting = make_meeting(
            started_on=datetime.date(2026, 2, 2), led="peer_led", facilitators=[facilitator]
        )
    with on_commit():
        meeting_started.send(
            sender=None, meeting_id=meeting.pk, facilitator_person_ids=[facilitator.pk]
        )
    dispatch = Dispatch.objects.get(reason=Reason.STARTER_PACK)
    assert (dispatch.meeting_id, dispatch.person) == (meeting.pk, facilitator)
    assert dispatch.meeting_label == str(meeting)
    assert dispatch.lines.count() == 3


def test_a_meeting_with_no_facilitator_yet_gets_a_pack_that_waits(packs, on_commit):
    with on_commit():
        meeting_started.send(sender=None, meeting_id=123, facilitator_person_ids=[])
    dispatch = Dispatch.objects.get(reason=Reason.STARTER_PACK)
    assert dispatch.person is None and dispatch.status == Status.WAITING_FOR_FACILITATOR
    assert dispatch.contact_name == "" and "no facilitator named" in dispatch.note
