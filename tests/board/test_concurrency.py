"""Two workers drafting at once still make one report per meeting and one e-mail."""

from datetime import date

import pytest
from django.core import mail

from board import services
from board.models import BoardReport
from smartnet.roles import Role
from tests.board.factories import make_board_meeting, make_objective
from tests.concurrency import at_once, raised
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_drafting_jobs_at_once_draft_one_report(postgres):
    UserFactory(role=Role.STAFF_ADMIN, email="admin@example.org")
    make_objective()
    meeting = make_board_meeting(date(2014, 3, 8))

    def draft():
        return services.draft_board_reports(today=date(2014, 3, 1))

    results = at_once(draft, draft)
    assert not raised(results)
    assert sorted(len(r) for r in results) == [0, 1]
    assert BoardReport.objects.filter(meeting=meeting).count() == 1
    review = [m for m in mail.outbox if "admin@example.org" in m.to]
    assert len(review) == 1
