"""Forms that guide, in a real headless Chromium at 390x844 and 1280x800 with
axe-core: a failing form's error summary takes the focus and its links focus
their fields; the facilitator picker searches as you type (htmx, under the
Content Security Policy) and tells two people of the same name apart; the
renewals list's select-all and the confirmation step with the amounts.

Set SCREENSHOT_DIR to keep a screenshot of each screen."""

import datetime
import os

import pytest
import time_machine

from meetings.models import LeadershipPeriod
from partners import services
from smartnet.templatetags.numbers import money
from tests.access import build_world
from tests.conftest import browser_login
from tests.factories import PASSWORD, AffiliationFactory, OrganisationFactory, PersonFactory
from tests.meetings.factories import make_meeting
from tests.partners.factories import make_partner
from tests.training.factories import make_trained_facilitator

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = [(390, 844), (1280, 800)]


def _screenshot(page, name: str) -> None:
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        size = page.viewport_size
        page.screenshot(path=os.path.join(folder, f"{name}-{size['width']}.png"), full_page=True)


def _no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], width


def _watch_console(page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


@pytest.mark.parametrize("width, height", SIZES)
def test_a_failing_form_leads_to_each_field(browser_page, axe_check, width, height):
    build_world()
    page = browser_page
    page.set_viewport_size({"width": width, "height": height})
    errors = _watch_console(page)
    browser_login(page, "staff_admin@example.org", PASSWORD, next_url="/staff/meetings/new/")
    page.get_by_role("button", name="Add the meeting").click()
    summary = page.locator("[data-error-summary]")
    assert summary.get_by_role("heading", name="There is a problem").is_visible()
    # The summary has the focus, so it is read first.
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    links = summary.get_by_role("link")
    assert links.count() >= 3
    assert "Enter the name" in links.all_inner_texts()
    _screenshot(page, "form-errors")
    axe_check(page)
    _no_sideways_scroll(page)
    for index in range(links.count()):
        link = links.nth(index)
        target = link.get_attribute("data-field")
        link.click()
        assert page.evaluate("document.activeElement.id") == target
        # Its label is on screen, above it.
        label = page.locator(f'label[for="{target}"]')
        assert label.is_visible() and label.bounding_box()["y"] >= 0
    assert not errors, errors


@pytest.mark.parametrize("width, height", SIZES)
def test_the_facilitator_picker_finds_and_adds_people(browser_page, axe_check, width, height):
    world = build_world()
    first = PersonFactory(first_name="Sam", last_name="Patel", email="sam.p@alpha.example")
    AffiliationFactory(person=first, organisation=world.org_a, role="staff")
    make_trained_facilitator(first, completed_on=datetime.date(2013, 5, 1))
    second = PersonFactory(first_name="Sam", last_name="Patel", email="sam.patel@north.example")
    AffiliationFactory(
        person=second, organisation=OrganisationFactory(name="Northside"), role="staff"
    )
    make_trained_facilitator(second, completed_on=datetime.date(2014, 1, 10))
    meeting = make_meeting(host=world.org_a, started_on=datetime.date(2014, 1, 6))

    page = browser_page
    page.set_viewport_size({"width": width, "height": height})
    errors = _watch_console(page)
    browser_login(
        page, "training@example.org", PASSWORD, next_url=f"/staff/meetings/{meeting.pk}/leadership/"
    )
    search = page.get_by_label("Facilitators (optional)")
    search.press_sequentially("sam pat", delay=40)
    results = page.locator(".picker-results")
    results.get_by_text("2 found").wait_for()
    assert results.get_by_text("Northside · Trained facilitator 2014").is_visible()
    assert results.get_by_text("Alpha Recovery · Trained facilitator 2013").is_visible()
    _screenshot(page, "picker-results")
    axe_check(page)
    _no_sideways_scroll(page)
    # Ticking the one from Northside moves them to "Chosen"; a new search keeps them.
    page.get_by_role("checkbox", name="Sam Patel Northside").check()
    chosen = page.locator("[data-picker-chosen]")
    assert chosen.get_by_text("Northside · Trained facilitator 2014").is_visible()
    search.fill("")
    search.press_sequentially("alpha", delay=40)
    results.get_by_text("1 found").wait_for()
    assert results.get_by_text("Northside").count() == 0  # already chosen: left out
    assert chosen.get_by_role("checkbox", name="Sam Patel Northside").is_checked()
    _screenshot(page, "picker-chosen")
    axe_check(page)
    page.get_by_label("From date").fill("2014-06-02")
    page.get_by_role("button", name="Record the change").click()
    page.get_by_text("The leadership change was recorded.").wait_for()
    latest = LeadershipPeriod.objects.filter(meeting=meeting).order_by("-start_date").first()
    assert list(latest.facilitators.all()) == [second]
    assert not errors, errors


@pytest.mark.parametrize("width, height", SIZES)
def test_renewals_select_all_then_confirm_with_the_amounts(browser_page, axe_check, width, height):
    with time_machine.travel(datetime.datetime(2025, 6, 1, 10, tzinfo=datetime.UTC), tick=True):
        world = build_world()
        drafted = []
        for organisation, day in ((world.org_a, 1), (world.org_b, 5)):
            agreement = make_partner(
                organisation,
                signed_on=datetime.date(2024, 7, day),
                start=datetime.date(2024, 7, day),
            )
            drafted.append(
                services.renewal_draft(
                    period=agreement.periods.get(), today=datetime.date(2025, 6, 1)
                )
            )
        page = browser_page
        page.set_viewport_size({"width": width, "height": height})
        errors = _watch_console(page)
        browser_login(page, "finance@example.org", PASSWORD, next_url="/staff/partners/renewals/")
        select_all = page.get_by_label("Select every renewal waiting for approval")
        select_all.wait_for(state="visible", timeout=10_000)  # shown by forms.js
        assert select_all.is_visible()  # hidden without JavaScript
        select_all.check()
        boxes = page.locator('input[name="renewal"]')
        assert boxes.count() == 2 and all(boxes.nth(i).is_checked() for i in range(2))
        boxes.nth(0).uncheck()
        assert not select_all.is_checked()
        select_all.check()
        axe_check(page)
        _no_sideways_scroll(page)
        page.get_by_role("button", name="Approve ticked renewals").click()
        assert page.get_by_role("heading", name="Approve 2 renewals?").is_visible()
        for renewal in drafted:
            amount = money(renewal.invoices.get().total)
            assert page.get_by_text(f"{renewal.agreement.reference}: {amount}").is_visible()
        _screenshot(page, "renewals-confirm")
        axe_check(page)
        _no_sideways_scroll(page)
        assert all(
            r.invoices.get().number == "" or r.invoices.get().number is None for r in drafted
        )
        page.get_by_role("button", name="Approve 2 renewals").click()
        page.get_by_text("e-mailed to its billing contact").wait_for()
        assert not errors, errors
