"""A crash between a commit and the old after-commit signal lost the parcel.

"Meeting started" and "facilitator trained" were sent after commit, so the
materials receivers wrote their outbox row in a new transaction: a process
that died between the two committed the change and queued nothing. They are
now sent inside the transaction. Here the process "dies" right after commit:
the after-commit callbacks (the outbox's own send among them) are dropped,
as a killed process drops them. The outbox row was committed with the change,
so the five-minute ``flush_outbox`` sends it and the parcel is made, once.
"""

import datetime

import pytest

from materials.models import Dispatch, Reason
from meetings import services as meeting_services
from meetings.models import Leadership
from smartnet.models import OutboxTask
from smartnet.queue import flush_outbox
from tests.materials.factories import make_item, make_pack
from tests.meetings.test_services import details
from tests.training.factories import make_trained_facilitator

pytestmark = pytest.mark.django_db
D = datetime.date


def _crash_after_commit(django_capture_on_commit_callbacks, action) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        action()
    # The callbacks are never run: the process is gone.


def test_a_meeting_started_survives_a_crash_after_commit(django_capture_on_commit_callbacks):
    make_pack("starter", {make_item("handbook", stock=5): 1})
    person = make_trained_facilitator(completed_on=D(2013, 6, 1))
    meeting = meeting_services.meeting_create(proposed_on=D(2014, 1, 1), **details())
    meeting_services.leadership_change(
        meeting=meeting, kind=Leadership.PEER_LED, start_date=D(2014, 1, 6), facilitators=[person]
    )
    _crash_after_commit(
        django_capture_on_commit_callbacks,
        lambda: meeting_services.meeting_activate(meeting=meeting, on=D(2014, 1, 6)),
    )
    pending = OutboxTask.objects.filter(
        task_name="materials.tasks.create_starter_pack", sent_at__isnull=True
    )
    assert pending.count() == 1
    assert flush_outbox() >= 1
    assert flush_outbox() == 0
    assert Dispatch.objects.filter(reason=Reason.STARTER_PACK, meeting_id=meeting.pk).count() == 1


def test_a_facilitator_trained_survives_a_crash_after_commit(django_capture_on_commit_callbacks):
    make_pack("facilitator-welcome", {make_item("manual", stock=5): 1})
    holder = {}
    _crash_after_commit(
        django_capture_on_commit_callbacks,
        lambda: holder.setdefault("person", make_trained_facilitator(completed_on=D(2014, 3, 1))),
    )
    assert OutboxTask.objects.filter(
        task_name="materials.tasks.create_manual_dispatch", sent_at__isnull=True
    ).exists()
    flush_outbox()
    flush_outbox()
    person = holder["person"]
    assert (
        Dispatch.objects.filter(reason=Reason.FACILITATORS_MANUAL, person_id=person.pk).count() == 1
    )
