"""Who gets what from every board URL (see tests/access.py).

Staff roles see and change objectives, actions, meetings and reports; only a
staff admin issues a report. Trustees see issued reports and nothing else:
a drafted report's number answers them 404 on /board/.
"""

from datetime import timedelta

from django.utils import timezone

from board import services
from board.models import BoardReport
from smartnet.roles import Role
from tests.access import STAFF, Case
from tests.board.factories import make_action, make_board_meeting, make_objective

READERS = STAFF | {Role.TRUSTEE.value}
ADMIN = frozenset({Role.STAFF_ADMIN.value})


def _objective(world) -> int:
    return make_objective("Access objective").pk


def _action(world) -> int:
    return make_action(make_objective("Access objective")).pk


def _meeting(world):
    return make_board_meeting(timezone.localdate() + timedelta(days=5))


def _draft(world) -> BoardReport:
    make_objective("Access objective")
    report, _ = services.board_report_generate(meeting=_meeting(world))
    return report


def _reviewed(world) -> BoardReport:
    return services.board_report_review(report=_draft(world), by=world.users["staff_admin"])


def _issued(world) -> BoardReport:
    return services.board_report_issue(report=_reviewed(world), by=world.users["staff_admin"])


OVERRIDE = {"colour": "amber", "reason": "Access test"}

CASES = {
    # Trustees (and staff): issued reports only.
    "board:reports": Case("/board/", allow=READERS),
    "board:report_detail": Case(lambda w: f"/board/reports/{_issued(w).pk}/", allow=READERS),
    "board:report_pdf": Case(lambda w: f"/board/reports/{_issued(w).pk}/report.pdf", allow=READERS),
    # Staff screens.
    "board_staff:objectives": Case("/staff/board/", allow=STAFF),
    "board_staff:metrics": Case("/staff/board/metrics/", allow=STAFF),
    "board_staff:objective_create": Case("/staff/board/objectives/new/", allow=STAFF),
    "board_staff:objective_detail": Case(
        lambda w: f"/staff/board/objectives/{_objective(w)}/", allow=STAFF
    ),
    "board_staff:objective_edit": Case(
        lambda w: f"/staff/board/objectives/{_objective(w)}/edit/", allow=STAFF
    ),
    "board_staff:objective_override": Case(
        lambda w: f"/staff/board/objectives/{_objective(w)}/override/",
        allow=STAFF,
        method="post",
        data=OVERRIDE,
        ok=302,
    ),
    "board_staff:objective_clear_override": Case(
        lambda w: f"/staff/board/objectives/{_objective(w)}/override/clear/",
        allow=STAFF,
        method="post",
        ok=302,
    ),
    "board_staff:objective_archive": Case(
        lambda w: f"/staff/board/objectives/{_objective(w)}/archive/",
        allow=STAFF,
        method="post",
        data={"archived": "1"},
        ok=302,
    ),
    "board_staff:action_delete": Case(
        lambda w: f"/staff/board/actions/{_action(w)}/delete/",
        allow=STAFF,
        method="post",
        data={"confirmed": "yes"},
        ok=302,
        # The first staff role deletes it; the next ones find nothing.
        overrides={"finance": 404, "training": 404, "materials": 404},
    ),
    "board_staff:action_create": Case(
        lambda w: f"/staff/board/objectives/{_objective(w)}/actions/new/", allow=STAFF
    ),
    "board_staff:action_edit": Case(
        lambda w: f"/staff/board/actions/{_action(w)}/edit/", allow=STAFF
    ),
    "board_staff:action_override": Case(
        lambda w: f"/staff/board/actions/{_action(w)}/override/",
        allow=STAFF,
        method="post",
        data=OVERRIDE,
        ok=302,
    ),
    "board_staff:action_clear_override": Case(
        lambda w: f"/staff/board/actions/{_action(w)}/override/clear/",
        allow=STAFF,
        method="post",
        ok=302,
    ),
    "board_staff:meetings": Case("/staff/board/meetings/", allow=STAFF),
    "board_staff:report_generate": Case(
        lambda w: f"/staff/board/meetings/{_meeting(w).pk}/report/",
        allow=STAFF,
        method="post",
        ok=302,
    ),
    "board_staff:reports": Case("/staff/board/reports/", allow=STAFF),
    "board_staff:report_detail": Case(
        lambda w: f"/staff/board/reports/{_draft(w).pk}/", allow=STAFF
    ),
    "board_staff:report_review": Case(
        lambda w: f"/staff/board/reports/{_draft(w).pk}/review/",
        allow=STAFF,
        method="post",
        ok=302,
    ),
    "board_staff:report_issue": Case(
        lambda w: f"/staff/board/reports/{_reviewed(w).pk}/issue/",
        allow=ADMIN,
        method="post",
        data={"confirmed": "yes"},
        ok=302,
    ),
    "board_staff:report_pdf": Case(
        lambda w: f"/staff/board/reports/{_draft(w).pk}/report.pdf", allow=STAFF
    ),
}
