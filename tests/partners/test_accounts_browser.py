"""In Chromium with axe-core, at a phone's and a laptop's size: an invitation
e-mail's link, choosing a password, landing on the portal; a spoiled link;
and the staff set-up screens."""

import re

import pytest
from django.core import mail

from partners import services
from partners.models import AffiliationRole
from smartnet.roles import Role
from tests.conftest import browser_login
from tests.factories import (
    PASSWORD,
    AffiliationFactory,
    OrganisationFactory,
    PersonFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = [(390, 844), (1280, 800)]
NEW = "a-long-enough-password-42"


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_invitation_to_password_to_portal(browser_page, axe_check, width, height):
    page = browser_page
    page.set_viewport_size({"width": width, "height": height})
    org = OrganisationFactory(name="Harbour Recovery")
    person = PersonFactory(first_name="Ana", last_name="Lee", email=f"ana{width}@example.org")
    AffiliationFactory(person=person, organisation=org, role=AffiliationRole.MAIN_CONTACT)
    services.invitation_create(person=person, invited_by=None)  # committed: the e-mail goes
    (message,) = [m for m in mail.outbox if m.to == [person.email]]
    link = re.search(r"http://\S+(/accounts/invitation/\S+/)", message.body).group(1)
    page.goto(link)
    assert page.get_by_role("heading", name="Choose your password").is_visible()
    axe_check(page)
    # A mismatch first: the error is shown, accessibly.
    page.get_by_label("New password", exact=True).fill(NEW)
    page.get_by_label("New password confirmation").fill(NEW + "x")
    page.get_by_role("button", name="Set the password and sign in").click()
    # In the error summary (a link to the field) and beside the field.
    assert page.locator(".field-error", has_text=re.compile("didn.t match")).is_visible()
    assert page.get_by_role("link", name=re.compile("didn.t match")).is_visible()
    axe_check(page)
    page.get_by_label("New password", exact=True).fill(NEW)
    page.get_by_label("New password confirmation").fill(NEW)
    page.get_by_role("button", name="Set the password and sign in").click()
    page.wait_for_url(re.compile(r"/portal/$"))
    assert page.get_by_text("Harbour Recovery").first.is_visible()
    axe_check(page)
    # The link is spent: it now sends its holder to sign in.
    page.context.clear_cookies()
    page.goto(link)
    assert "/accounts/login/" in page.url
    axe_check(page)


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_spoiled_link_and_reset_pages(browser_page, axe_check, width, height):
    page = browser_page
    page.set_viewport_size({"width": width, "height": height})
    page.goto("/accounts/invitation/not-a-real-token/")
    assert page.get_by_role("heading", name="This invitation link no longer works").is_visible()
    axe_check(page)
    page.get_by_role("link", name="Ask for a new invitation").click()
    assert page.get_by_role("heading", name="Ask for an invitation").is_visible()
    axe_check(page)
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Forgotten your password?").click()
    page.get_by_label("E-mail address").fill("nobody@example.org")
    page.get_by_role("button", name="Send the link").click()
    assert page.get_by_role("heading", name="Check your e-mail").is_visible()
    axe_check(page)


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_staff_set_up_screens(browser_page, axe_check, width, height):
    page = browser_page
    page.set_viewport_size({"width": width, "height": height})
    UserFactory(email=f"admin{width}@example.org", role=Role.STAFF_ADMIN)
    browser_login(page, f"admin{width}@example.org", PASSWORD, next_url="/staff/partners/new/")
    page.get_by_label("Name", exact=True).fill(f"Willow Trust {width}")
    page.get_by_label("Charity number").fill("12AB")
    page.get_by_role("button", name="Add the organisation").click()
    summary = page.locator("[data-error-summary]")
    assert summary.get_by_role("link", name=re.compile("^Enter a charity number")).is_visible()
    axe_check(page)
    page.get_by_label("Charity number").fill("1123456")
    page.get_by_role("button", name="Add the organisation").click()
    assert page.get_by_role("heading", name=f"Willow Trust {width}").is_visible()
    axe_check(page)
    for path in (
        "/staff/partners/people/new/",
        "/staff/partners/people/",
        "/staff/partners/invitations/",
        "/staff/partners/accounts/",
        "/staff/partners/accounts/new/",
    ):
        page.goto(path)
        axe_check(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= width + 1, path
