"""The board's demo data: 20 objectives, 100 actions, board meetings, one issued report."""

import random
from datetime import date

import pytest

from board import demo
from board.models import Action, BoardMeeting, BoardReport, Objective, ReportStatus
from smartnet import demo as core_demo
from smartnet.demo import DemoContext

pytestmark = pytest.mark.django_db


def test_the_board_demo_makes_the_plan_meetings_and_reports():
    ctx = DemoContext(scale=1, today=date(2014, 3, 3), rng=random.Random(2014), log=print)
    core_demo.seed(ctx)
    demo.seed(ctx)
    assert Objective.objects.count() == 20
    assert Action.objects.count() == 100
    assert BoardMeeting.objects.count() == 3
    assert BoardMeeting.objects.filter(date__gt=date(2014, 3, 3)).count() == 2
    issued = BoardReport.objects.get(status=ReportStatus.ISSUED)
    assert bytes(issued.pdf).startswith(b"%PDF")
    assert BoardReport.objects.filter(status=ReportStatus.DRAFTED).count() == 1
    assert Objective.objects.exclude(rag_override="").count() == 1

    BoardReport.objects.all().delete()  # the issued one stays: it is immutable
    assert BoardReport.objects.count() == 1
