"""In a real headless Chromium: sign-in, the staff dashboard, and axe-core."""

import re

import pytest

from smartnet.roles import Role
from tests.conftest import browser_login
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_anonymous_visitor_asking_for_staff_is_sent_to_sign_in(browser_page, axe_check):
    page = browser_page
    page.goto("/staff/")
    assert re.search(r"/accounts/login/\?next=/staff/$", page.url)
    assert page.get_by_role("heading", name="Sign in").is_visible()
    axe_check(page)


def test_staff_user_signs_in_and_sees_the_dashboard(browser_page, axe_check):
    UserFactory(email="staff@example.org", full_name="Sam Staff", role=Role.FINANCE)
    page = browser_page
    page.goto("/")
    axe_check(page)
    browser_login(page, "staff@example.org", PASSWORD, next_url="/staff/")
    assert page.url.endswith("/staff/")
    assert page.get_by_role("heading", name="Staff dashboard").is_visible()
    assert page.get_by_text("Sam (Finance staff)").is_visible()
    axe_check(page)


def test_a_wrong_password_shows_an_accessible_error(browser_page, axe_check):
    UserFactory(email="staff@example.org", role=Role.FINANCE)
    page = browser_page
    browser_login(page, "staff@example.org", "not-the-password")
    assert page.get_by_text("The e-mail address or password is not right").is_visible()
    axe_check(page)
