"""In a real Chromium: staff review and issue a board report; a trustee opens it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from board import services
from board.models import BoardReport, ReportStatus
from smartnet.roles import Role
from tests.board.factories import make_action, make_board_meeting, make_objective
from tests.conftest import browser_login
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_issue_a_report_and_a_trustee_opens_it(browser_page, axe_check):
    UserFactory(email="admin@example.org", full_name="Alex Admin", role=Role.STAFF_ADMIN)
    UserFactory(email="trustee@example.org", full_name="Terry Trustee", role=Role.TRUSTEE)
    today = timezone.localdate()
    objective = make_objective(
        "Train 3,000 Champions",
        manual_value=2000,
        baseline_value=100,
        target_value=3000,
        baseline_date=today - timedelta(days=700),
        target_date=today + timedelta(days=400),
    )
    make_action(objective, "Run regional Champion days", due_date=today - timedelta(days=2))
    report, _ = services.board_report_generate(
        meeting=make_board_meeting(today + timedelta(days=5), "Winter board")
    )
    page = browser_page

    browser_login(page, "admin@example.org", PASSWORD, next_url="/staff/")
    assert page.get_by_role("heading", name="Staff dashboard").is_visible()
    axe_check(page)
    page.goto("/staff/board/")
    assert page.get_by_role("link", name="Train 3,000 Champions").first.is_visible()
    axe_check(page)
    page.goto(f"/staff/board/reports/{report.pk}/")
    axe_check(page)
    # The contents lead to one objective a page, with its actions.
    page.get_by_role("main").get_by_role("link", name="Train 3,000 Champions").first.click()
    assert page.get_by_text("Run regional Champion days").is_visible()
    axe_check(page)
    page.goto(f"/staff/board/reports/{report.pk}/")
    page.get_by_label("Review note").fill("Figures checked against Moodle.")
    page.get_by_role("button", name="Mark reviewed").click()
    assert page.get_by_text("Marked reviewed").is_visible()
    page.get_by_role("link", name="Issue to the board").click()
    assert page.get_by_text("An issued report cannot be withdrawn or edited.").is_visible()
    axe_check(page)
    page.get_by_role("button", name="Issue the report").click()
    assert page.get_by_text("Report issued: the trustees have been e-mailed a link.").is_visible()
    axe_check(page)
    assert BoardReport.objects.get().status == ReportStatus.ISSUED
    page.get_by_role("button", name="Sign out").click()

    browser_login(page, "trustee@example.org", PASSWORD, next_url="/board/")
    assert page.get_by_role("heading", name="Board reports").is_visible()
    axe_check(page)
    page.get_by_role("link", name="Winter board", exact=True).click()
    assert page.get_by_role("heading", name="Board report: Winter board").is_visible()
    assert page.get_by_role("link", name="Train 3,000 Champions").first.is_visible()
    assert page.get_by_text("RED").first.is_visible()
    axe_check(page)
    pdf = page.request.get(f"/board/reports/{report.pk}/report.pdf")
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
    # The trustee sees nothing else.
    page.goto("/staff/board/")
    assert page.get_by_text("This page is not available to your role.").is_visible()
