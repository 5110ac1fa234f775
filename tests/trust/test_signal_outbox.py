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
import os
import subprocess
import sys

import pytest
from django.conf import settings

from materials.models import Dispatch, Reason
from meetings import services as meeting_services
from meetings.models import Leadership
from smartnet.models import OutboxTask
from smartnet.queue import flush_outbox
from tests.materials.factories import make_item, make_pack
from tests.meetings.test_services import details
from tests.training.factories import make_trained_facilitator
from tests.trust.test_worker_killed import _database_url

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


KILLED_AFTER_COMMIT = """
import datetime, os, sys
import django
django.setup()
from django.db import transaction
from meetings import services
from meetings.models import Meeting

meeting = Meeting.objects.get(pk=int(sys.argv[1]))
with transaction.atomic():
    # Runs first of the after-commit callbacks: the process dies with the change
    # committed, where the signal used to be sent.
    transaction.on_commit(lambda: os._exit(9))
    services.meeting_activate(meeting=meeting, on=datetime.date(2014, 1, 6))
"""


@pytest.mark.django_db(transaction=True)
def test_a_process_killed_right_after_commit_still_gets_its_starter_pack(postgres):
    """The same with a real process: it commits the meeting's start and dies
    (``os._exit``) before any after-commit step. The outbox row is there, and
    the flush makes the parcel once."""
    make_pack("starter", {make_item("handbook", stock=5): 1})
    person = make_trained_facilitator(completed_on=D(2013, 6, 1))
    meeting = meeting_services.meeting_create(proposed_on=D(2014, 1, 1), **details())
    meeting_services.leadership_change(
        meeting=meeting, kind=Leadership.PEER_LED, start_date=D(2014, 1, 6), facilitators=[person]
    )
    env = {**os.environ, "DATABASE_URL": _database_url(), "DATABASE_CONN_MAX_AGE": "0"}
    env.pop("REDIS_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", KILLED_AFTER_COMMIT, str(meeting.pk)],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 9, done.stderr[-2000:]
    meeting.refresh_from_db()
    assert meeting.first_active_on == D(2014, 1, 6)  # the change was committed
    assert not Dispatch.objects.filter(reason=Reason.STARTER_PACK).exists()
    flush_outbox()
    flush_outbox()
    assert Dispatch.objects.filter(reason=Reason.STARTER_PACK, meeting_id=meeting.pk).count() == 1
