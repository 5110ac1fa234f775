"""Who gets what from every feedback URL (see tests/access.py)."""

import datetime

from feedback import services
from tests.access import EVERYONE, STAFF, Case
from tests.meetings.factories import make_meeting


def _meeting(world):
    return make_meeting(host=world.org_a, started_on=datetime.date(2014, 1, 6))


def _report(world) -> str:
    report = services.report_create(meeting=_meeting(world), kind="moved")
    return f"/staff/feedback/{report.pk}/"


CASES = {
    "feedback:report": Case(lambda w: f"/feedback/meetings/{_meeting(w).slug}/", allow=EVERYONE),
    "feedback_staff:queue": Case("/staff/feedback/", allow=STAFF),
    "feedback_staff:detail": Case(_report, allow=STAFF),
    # An empty form: the allowed roles get the page back with its errors (400).
    "feedback_staff:update": Case(
        lambda w: _report(w) + "update/", allow=STAFF, method="post", ok=400
    ),
}
