"""The board's Celery tasks and the beat entry."""

from datetime import date

import pytest
from django.conf import settings
from django.core import mail

from board import tasks
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
