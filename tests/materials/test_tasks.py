"""The materials tasks: registered under their names, envelopes around one service each,
safe to run twice."""

import pytest
from celery.exceptions import Retry
from django.core import mail

from materials import tasks
from materials.models import Dispatch, Reason, Status
from smartnet.celery import app
from tests.factories import PersonFactory
from tests.materials.factories import make_dispatch, make_item, make_pack

pytestmark = pytest.mark.django_db

TASK_NAMES = [
    "materials.tasks.create_manual_dispatch",
    "materials.tasks.create_starter_pack",
    "materials.tasks.send_sign_in_link",
    "materials.tasks.send_low_stock_alert",
    "materials.tasks.send_request_confirmation",
    "materials.tasks.send_rejection_email",
    "materials.tasks.send_dispatched_email",
]


def test_every_task_is_registered_for_workers():
    app.loader.import_default_modules()
    for name in TASK_NAMES:
        assert name in app.tasks, name


def test_running_the_dispatch_tasks_twice_creates_once():
    make_pack("facilitator-welcome", {make_item("manual", stock=3): 1})
    person = PersonFactory()
    first = tasks.create_manual_dispatch.apply(args=[person.pk]).get()
    second = tasks.create_manual_dispatch.apply(args=[person.pk]).get()
    assert first is not None and second is None
    tasks.create_starter_pack.apply(args=[5, [person.pk]]).get()
    tasks.create_starter_pack.apply(args=[5, [person.pk]]).get()
    assert Dispatch.objects.filter(reason=Reason.STARTER_PACK).count() == 1
    assert tasks.create_manual_dispatch.apply(args=[999999]).get() is None


def test_e_mail_tasks_send_only_for_the_state_they_describe():
    poster = make_item("poster", stock=3)
    submitted = make_dispatch({poster: 1}, status=Status.SUBMITTED)
    assert tasks.send_rejection_email.apply(args=[submitted.pk]).get() == 0  # not rejected
    assert tasks.send_request_confirmation.apply(args=[999999]).get() == 0
    assert tasks.send_low_stock_alert.apply(args=[999999]).get() == 0
    assert tasks.send_sign_in_link.apply(args=[999999]).get() == 0
    assert tasks.send_request_confirmation.apply(args=[submitted.pk]).get() == 1
    assert mail.outbox[-1].subject == f"We have your materials request {submitted.short_ref}"


@pytest.mark.parametrize(
    ("task", "status"),
    [
        (tasks.send_request_confirmation, Status.SUBMITTED),
        (tasks.send_rejection_email, Status.REJECTED),
        (tasks.send_dispatched_email, Status.DISPATCHED),
    ],
)
def test_a_refused_e_mail_is_sent_once_by_the_retry(smtp_server, task, status):
    """The mail server refuses the first try: the task retries, the retry
    sends it, and a redelivery of the task sends nothing more."""
    extra = {"tracking_reference": "RM123"} if status == Status.DISPATCHED else {}
    dispatch = make_dispatch({make_item("poster", stock=3): 1}, status=status, **extra)
    smtp_server.refuse(1)
    with pytest.raises(Retry):
        task.apply(args=[dispatch.pk]).get()
    assert task.apply(args=[dispatch.pk]).get() == 1  # the retry
    assert task.apply(args=[dispatch.pk]).get() == 0  # delivered again by the broker
    assert len(smtp_server.messages) == 1
    assert smtp_server.messages[0].recipients == [dispatch.contact_email]
