"""The board's Celery tasks and the beat entry."""

from datetime import date

import pytest
from celery.exceptions import Retry
from django.conf import settings
from django.core import mail

from board import services, tasks
from board.models import BoardReport
from smartnet.roles import Role
from tests.board.factories import make_board_meeting, make_objective
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_beat_runs_the_drafting_task():
    entry = settings.CELERY_BEAT_SCHEDULE["board-draft-reports"]
    assert entry["task"] == tasks.draft_board_reports.name


def test_the_task_drafts_once_and_emails_staff_once(django_capture_on_commit_callbacks):
    UserFactory(role=Role.STAFF_ADMIN, email="admin@example.org")
    make_objective()
    meeting = make_board_meeting(date(2014, 3, 8))
    with django_capture_on_commit_callbacks(execute=True):
        ids = tasks.draft_board_reports.apply(args=["2014-03-02"]).get()
    with django_capture_on_commit_callbacks(execute=True):
        again = tasks.draft_board_reports.apply(args=["2014-03-02"]).get()
    assert ids == [BoardReport.objects.get(meeting=meeting).pk]
    assert again == []
    assert tasks.notify_report_drafted.apply(args=[ids[0]]).get() is False  # already sent
    assert [m.to for m in mail.outbox] == [["admin@example.org"]]


def test_a_mail_server_that_refuses_once_gets_the_trustees_email_once_by_the_retry(
    smtp_server, django_capture_on_commit_callbacks
):
    """The task's automatic retry finds the claim given back and sends it; a
    second delivery of the task sends nothing (board once kept its claim after
    a refusal, so the retry returned False and the trustees were never told)."""
    admin = UserFactory(role=Role.STAFF_ADMIN, email="admin@example.org")
    UserFactory(role=Role.TRUSTEE, email="trustee@example.org")
    make_objective()
    make_board_meeting(date(2014, 3, 8))
    with django_capture_on_commit_callbacks(execute=True):
        (report_id,) = tasks.draft_board_reports.apply(args=["2014-03-02"]).get()
    report = BoardReport.objects.get(pk=report_id)
    report = services.board_report_review(report=report, by=admin)
    smtp_server.refuse(1)
    with pytest.raises(Retry), django_capture_on_commit_callbacks(execute=True):
        services.board_report_issue(report=report, by=admin)  # queues the notice
    assert tasks.notify_report_issued.apply(args=[report_id]).get() is True  # the retry
    assert tasks.notify_report_issued.apply(args=[report_id]).get() is False  # redelivered
    to_trustees = [m for m in smtp_server.messages if m.recipients == ["trustee@example.org"]]
    assert len(to_trustees) == 1
    assert "Board report issued" in to_trustees[0].message["Subject"]
