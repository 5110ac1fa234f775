"""Every role, every page its navigation offers, on a phone and a desktop.

In one headless Chromium, on the demo data (``seed_demo``): each role signs in
(the facilitator through a sign-in cookie, as their e-mailed link would give
them), lands on its home, and visits every link of its header. Each page, at
390x844 and at 1280x800 (and 320 px wide for sideways scroll): the page is no
wider than the screen, every table sits in a focusable, labelled scroll region,
axe-core finds no serious or critical violation, the console shows no error
(a Content Security Policy refusal is one); on the phone the navigation is
collapsed behind its menu button until that is pressed, and "Sign out" is then
on the coloured bar.

``SMARTNET_CRAWL_SHOTS=/some/dir`` also saves a screenshot of each page at each size.
"""

import os
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from sesame.utils import get_query_string

from smartnet.demo import DEMO_PASSWORD
from smartnet.models import User
from smartnet.roles import Role
from tests.conftest import browser_login
from tests.core.test_navigation import HOMES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
NARROW = {"width": 320, "height": 700}
DESKTOP = {"width": 1280, "height": 800}
SHOTS = os.environ.get("SMARTNET_CRAWL_SHOTS")

NAV_LINKS = """() => [...document.querySelectorAll(
  '#site-nav a.nav-link, #site-nav a.dropdown-item')].map(a => a.getAttribute('href'))"""
TABLES_OUTSIDE_REGIONS = """() => [...document.querySelectorAll('main table')].filter(t => {
  const r = t.closest('.table-responsive');
  return !(r && r.getAttribute('role') === 'region' && r.getAttribute('tabindex') === '0'
           && r.getAttribute('aria-label'));
}).length"""
SIDEWAYS = "() => document.documentElement.scrollWidth - window.innerWidth"
# A page's own content: its main element, less the per-request CSRF tokens.
MAIN_MARKUP = """() => (document.querySelector('main') || document.body).outerHTML
  .replace(/name="csrfmiddlewaretoken" value="[^"]*"/g, '')"""


def _sign_in(page, live_server, user: User) -> None:
    page.context.clear_cookies()
    if user.role == Role.FACILITATOR:
        # Facilitators have no password: they follow the link they are e-mailed.
        page.goto("/materials/request/sign-in/" + get_query_string(user))
        page.locator("main form button[type=submit]").click()
    else:
        browser_login(page, user.email, DEMO_PASSWORD)
    page.wait_for_load_state()


def _shot(page, role: str, path: str, size: str) -> None:
    if SHOTS:
        name = re.sub(r"[^a-z0-9]+", "_", path.lower()).strip("_") or "home"
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{role}_{name}_{size}.png")


def _check_phone(page, problems: list, role: str, url: str) -> None:
    toggler = page.locator(".navbar-toggler")
    menu = page.locator("#site-nav")
    if not toggler.is_visible():
        problems.append(f"{role} {url} 390: no menu button")
        return
    if menu.is_visible():
        problems.append(f"{role} {url} 390: navigation not collapsed")
    toggler.click()
    # Bootstrap adds "show" once the menu has finished opening.
    page.locator("#site-nav.show").wait_for(state="visible")
    if toggler.get_attribute("aria-expanded") != "true":
        problems.append(f"{role} {url} 390: menu button does not say it is expanded")


def _sign_out_on_the_bar(page) -> bool:
    bar = page.locator(".site-header .navbar").bounding_box()
    button = page.get_by_role("button", name="Sign out").bounding_box()
    return bool(
        bar
        and button
        and bar["y"] <= button["y"]
        and button["y"] + button["height"] <= bar["y"] + bar["height"]
    )


def test_every_role_on_every_page_of_its_navigation_at_phone_and_desktop_sizes(
    browser_page, live_server, axe_check
):
    call_command("seed_demo", verbosity=0)
    page = browser_page
    errors: list[str] = []
    page.on(
        "console", lambda m: errors.append(f"{page.url}: {m.text}") if m.type == "error" else None
    )
    page.on("pageerror", lambda e: errors.append(f"{page.url}: {e}"))
    problems: list[str] = []
    visited = 0
    # Each role's home runs through axe whole (its header and navigation are the
    # same on all its pages); after that, a page whose main content another role
    # has already had checked at that size (the staff roles share most pages) is
    # not run through axe again. Width and menu checks run on every visit.
    checked: set[tuple[int, str]] = set()

    for role, home in HOMES.items():
        user = User.objects.filter(role=role, is_active=True).order_by("pk").first()
        assert user is not None, f"the demo has no {role}"
        page.set_viewport_size(DESKTOP)
        _sign_in(page, live_server, user)
        if not page.url.endswith(home):
            problems.append(f"{role}: signed in at {page.url}, not at {home}")
        links = list(dict.fromkeys(page.evaluate(NAV_LINKS)))
        if len(links) < 2:
            problems.append(f"{role}: only {links} in the navigation")

        # A dropdown opens on the desktop (Bootstrap's script runs under the CSP).
        toggle = page.locator("#site-nav .dropdown-toggle").first
        if toggle.count():
            toggle.click()
            if not page.locator("#site-nav .dropdown-menu.show").is_visible():
                problems.append(f"{role}: a dropdown did not open")

        for url in links:
            visited += 1
            page.set_viewport_size(PHONE)
            response = page.goto(url)
            if response is None or response.status != 200:
                problems.append(f"{role} {url}: status {response and response.status}")
                continue
            for size, viewport in (("390", PHONE), ("320", NARROW), ("1280", DESKTOP)):
                page.set_viewport_size(viewport)
                wider = page.evaluate(SIDEWAYS)
                if wider > 0:
                    problems.append(f"{role} {url} {size}: scrolls sideways by {wider}px")
                if size == "320":
                    continue
                _shot(page, role, url, size)
                markup = (hash(page.evaluate(MAIN_MARKUP)), size)
                if url == links[0] or markup not in checked:
                    checked.add(markup)
                    try:
                        axe_check(page)
                    except AssertionError as exc:
                        problems.append(f"{role} {url} {size}: {exc}")
                if size == "390":
                    _check_phone(page, problems, role, url)
                    if url == links[0]:
                        _shot(page, role, url, "390_menu")
                        if not _sign_out_on_the_bar(page):
                            problems.append(f"{role}: Sign out is not on the coloured bar at 390")
            if page.evaluate(TABLES_OUTSIDE_REGIONS):
                problems.append(f"{role} {url}: a table outside a labelled scroll region")

    assert visited > 40
    assert len(checked) > 40  # distinct pages run through axe
    assert not problems, "\n".join(problems)
    assert not errors, "console errors:\n" + "\n".join(errors)
