"""The public finder in a real headless Chromium, with axe-core on every page."""

import datetime

import pytest

from meetings import services
from tests.access import build_world
from tests.conftest import browser_login
from tests.factories import PASSWORD
from tests.meetings.factories import make_meeting

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_search_by_postcode_and_open_a_meeting(browser_page, axe_check, network):
    page = browser_page
    page.goto("/meetings/")
    axe_check(page)
    page.get_by_label("Town or postcode").fill("LS1 4AP")
    page.get_by_label("Within").select_option("100")
    page.get_by_role("button", name="Search").click()
    assert page.get_by_role("heading", name="In-person meetings near LS1 4AP").is_visible()
    results = page.locator(".meeting-list").first.get_by_role("heading").all_inner_texts()
    assert results == ["Leeds Hybrid", "Manchester Tuesday", "Bolton Morning"]
    axe_check(page)
    page.get_by_role("link", name="Manchester Tuesday").click()
    assert page.get_by_role("heading", name="Manchester Tuesday", level=1).is_visible()
    assert page.get_by_text("Every Tuesday, 18:30 to 20:00").is_visible()
    assert page.get_by_role("link", name="Add to your calendar").is_visible()
    axe_check(page)


def test_unknown_postcode_is_explained(browser_page, axe_check, network):
    page = browser_page
    page.goto("/meetings/?where=ZZ9+9ZZ")
    assert page.get_by_role("heading", name="We could not find “ZZ9 9ZZ”").is_visible()
    axe_check(page)


def test_staff_and_portal_screens_are_accessible(browser_page, axe_check, network):

    world = build_world()
    meeting = network["manchester"]
    services.head_count_record(meeting=meeting, held_on=datetime.date(2014, 1, 7), attendance=7)
    page = browser_page
    browser_login(page, "staff_admin@example.org", PASSWORD, next_url="/staff/meetings/")
    assert page.get_by_role("heading", name="Meetings", level=1).is_visible()
    axe_check(page)
    page.get_by_role("link", name="Manchester Tuesday").click()
    assert page.get_by_role("heading", name="Leadership timeline").is_visible()
    axe_check(page)
    page.get_by_role("link", name="Record a leadership change").click()
    axe_check(page)
    page.goto("/staff/meetings/figures/")
    axe_check(page)
    page.context.clear_cookies()

    make_meeting(host=world.org_a, started_on=datetime.date(2014, 1, 6), name="Alpha Weekly")
    browser_login(page, "partner_contact@example.org", PASSWORD, next_url="/portal/meetings/")
    page.get_by_role("link", name="Alpha Weekly").click()
    axe_check(page)
    page.get_by_role("link", name="Record a head count").click()
    page.get_by_label("Attendance").fill("-2")
    page.get_by_role("button", name="Record the head count").click()
    axe_check(page)
