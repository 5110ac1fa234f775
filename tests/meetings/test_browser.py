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


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1280, 800)])
def test_finder_and_meeting_page_on_a_phone_and_a_laptop(
    browser_page, axe_check, network, width, height, tmp_path
):
    page = browser_page
    page.set_viewport_size({"width": width, "height": height})
    page.goto("/meetings/?where=M1+1AA&radius=100&day=1")
    assert page.locator("#result-count").inner_text() == "1 meeting found near M1 1AA."
    filters = page.locator("#finder-filters")
    toggle = page.get_by_role("button", name="More filters")
    if width < 768:
        # Results first: the filters are folded behind a button until asked for.
        assert not filters.is_visible()
        assert page.locator("#result-count").bounding_box()["y"] < height
        toggle.click()
        filters.wait_for(state="visible")
        assert page.get_by_label("Day", exact=True).is_visible()
    else:
        assert filters.is_visible() and not toggle.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    axe_check(page)
    page.screenshot(path=str(tmp_path / f"finder-{width}.png"), full_page=True)

    page.get_by_role("link", name="Manchester Tuesday").click()
    assert page.get_by_role("heading", name="Manchester Tuesday", level=1).is_visible()
    directions = page.locator("#directions-link")
    assert directions.get_attribute("href") == "https://www.openstreetmap.org/search?query=M1+1AA"
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    axe_check(page)
    page.screenshot(path=str(tmp_path / f"meeting-{width}.png"), full_page=True)
    page.get_by_role("link", name="Back to the meeting finder").click()
    assert page.locator("#result-count").inner_text() == "1 meeting found near M1 1AA."
    assert page.get_by_label("Town or postcode").input_value() == "M1 1AA"


def test_the_finder_works_without_javascript(browser_page, network, live_server):
    context = browser_page.context.browser.new_context(
        base_url=live_server.url, java_script_enabled=False, viewport={"width": 390, "height": 844}
    )
    page = context.new_page()
    page.goto("/meetings/")
    assert page.get_by_label("Day", exact=True).is_visible()  # the folded filters stay open
    page.get_by_label("Day", exact=True).select_option("1")
    page.get_by_role("button", name="Search").click()
    assert page.locator("#result-count").inner_text() == "1 meeting found."
    context.close()


def test_the_map_shows_the_venue_when_a_tile_server_is_set(
    browser_page, axe_check, network, settings, live_server, tmp_path
):
    # Tiles from the test server itself (an image it serves): no internet.
    settings.MAP_TILE_URL = (
        live_server.url + "/static/vendor/leaflet-1.9.4/images/layers.png?{z}-{x}-{y}"
    )
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/meetings/{network['manchester'].slug}/")
    page.locator("#meeting-map .leaflet-marker-icon").wait_for(state="visible")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    axe_check(page)
    page.screenshot(path=str(tmp_path / "meeting-map-390.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto("/meetings/?where=M1+1AA&radius=100")
    page.locator("#meeting-map .leaflet-marker-icon").first.wait_for(state="visible")
    assert page.locator("#meeting-map .leaflet-marker-icon").count() == 3
    axe_check(page)
    page.screenshot(path=str(tmp_path / "finder-map-1280.png"), full_page=True)
