"""Two workers drafting at once still make one report per meeting and one e-mail."""

import threading
from datetime import date

import pytest
from django.core import mail
from django.db import connection

from board import services
from board.models import BoardReport
from smartnet.roles import Role
from tests.board.factories import make_board_meeting, make_objective
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_drafting_jobs_at_once_draft_one_report(postgres):
    UserFactory(role=Role.STAFF_ADMIN, email="admin@example.org")
    make_objective()
    meeting = make_board_meeting(date(2014, 3, 8))
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(services.draft_board_reports(today=date(2014, 3, 1)))
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(len(r) for r in results) == [0, 1]
    assert BoardReport.objects.filter(meeting=meeting).count() == 1
    review = [m for m in mail.outbox if "admin@example.org" in m.to]
    assert len(review) == 1
