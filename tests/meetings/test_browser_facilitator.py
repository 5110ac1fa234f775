"""In a real Chromium, at a phone's and a laptop's size, with axe-core on every
page: a facilitator signs in with the e-mailed link, lands on their home page,
records a head count (a far too large one first), marks a week as not held and
proposes a later start; staff accept the change, and the public page and the
feed show it (with the facilitator's first name only)."""

import datetime
import os
import re
from pathlib import Path

import pytest
from django.core import mail
from django.utils import timezone

from meetings.models import HeadCount, Proposal, ProposalStatus, SessionNotHeld
from tests.access import build_world
from tests.conftest import browser_login
from tests.factories import PASSWORD
from tests.materials.factories import make_item
from tests.meetings.factories import make_meeting

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shots(tmp_path) -> Path:
    """Where screenshots go: $SMARTNET_SCREENSHOTS to look at them, else tmp."""
    folder = Path(os.environ.get("SMARTNET_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.mark.parametrize("size", [(390, 844), (1280, 800)], ids=["phone", "laptop"])
def test_facilitator_keeps_the_records_and_staff_accept_a_change(
    browser_page, axe_check, tmp_path, size
):
    world = build_world()
    person = world.users["facilitator"].person
    today = timezone.localdate()
    # A Tuesday meeting opened twelve weeks ago, led by this facilitator.
    opened = today - datetime.timedelta(weeks=12, days=today.weekday())
    meeting = make_meeting(
        host=world.org_a,
        started_on=opened,
        led="peer_led",
        facilitators=[person],
        name="Bolton Tuesday Group",
        weekday=1,
    )
    make_item("poster", name="A3 meeting poster", stock=50)
    last = today - datetime.timedelta(days=(today.weekday() - 1) % 7)
    before = last - datetime.timedelta(weeks=1)
    shots = _shots(tmp_path)
    width = size[0]
    page = browser_page
    page.set_viewport_size({"width": size[0], "height": size[1]})

    # 1. The sign-in link, then the home page: what needs doing.
    page.goto("/materials/request/")
    page.get_by_label("E-mail address on your training record").fill(person.email)
    page.get_by_role("button", name="Send me a sign-in link").click()
    page.get_by_text("a sign-in link is on its way").first.wait_for()
    body = next(m.body for m in mail.outbox if "sign-in link" in m.subject)
    page.goto(re.search(r"http\S+(/materials/request/sign-in/\?sesame=\S+)", body).group(1))
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("You are signed in").first.wait_for()
    assert page.url.endswith("/facilitator/")
    assert page.get_by_role("heading", name=f"Hello, {person.first_name}").is_visible()
    assert page.get_by_text("8 head counts missing").is_visible()
    axe_check(page)
    page.screenshot(path=str(shots / f"facilitator-home-{width}.png"), full_page=True)

    # 2. Their meeting's page.
    page.get_by_role("link", name="Bolton Tuesday Group", exact=True).click()
    assert page.get_by_role("heading", name="Bolton Tuesday Group", level=1).is_visible()
    axe_check(page)
    page.screenshot(path=str(shots / f"facilitator-meeting-{width}.png"), full_page=True)

    # 3. A head count for the last session: far too many first, then the real one.
    page.get_by_role("link", name=f"record the head count for {last:%-d %B}").click()
    assert page.get_by_label("Session date").input_value() == last.isoformat()
    page.get_by_label("Attendance").fill("250")
    page.get_by_role("button", name="Record the head count").click()
    page.get_by_text("is unusually high").first.wait_for()
    axe_check(page)
    assert not HeadCount.objects.exists()
    page.get_by_label("Attendance").fill("7")
    page.get_by_label("Of whom new").fill("2")
    page.get_by_role("button", name="Record the head count").click()
    page.get_by_text("the head count was recorded").first.wait_for()
    assert HeadCount.objects.get().attendance == 7

    # 4. The week before was a holiday.
    page.get_by_role("link", name=f"mark it as not held on {before:%-d %B}").click()
    axe_check(page)
    page.get_by_label("Reason").select_option("holiday")
    page.get_by_role("button", name="Mark it as not held").click()
    page.get_by_text("Noted: the meeting did not run").first.wait_for()
    assert SessionNotHeld.objects.get().held_on == before
    axe_check(page)

    # 5. Propose a later start.
    page.get_by_role("link", name="Propose a change of day, time, venue or link").click()
    axe_check(page)
    page.get_by_label("Start time").fill("19:00")
    page.get_by_label("End time").fill("20:30")
    page.get_by_role("button", name="Send to the central team").click()
    page.get_by_text("the change was sent to the central team").first.wait_for()
    assert page.get_by_text("Waiting for the central team").is_visible()
    axe_check(page)
    page.screenshot(path=str(shots / f"facilitator-meeting-after-{width}.png"), full_page=True)
    page.goto("/facilitator/")
    assert page.get_by_text("6 head counts missing").is_visible()
    page.context.clear_cookies()

    # 6. Staff see now against proposed, and accept it.
    browser_login(page, "staff_admin@example.org", PASSWORD, next_url="/staff/meetings/proposals/")
    card = page.locator("section.card", has_text="Bolton Tuesday Group")
    assert card.get_by_role("row", name="Start time 18:30 19:00").is_visible()
    axe_check(page)
    page.screenshot(path=str(shots / f"staff-proposals-{width}.png"), full_page=True)
    card.get_by_role("button", name="Accept the change").click()
    page.get_by_text("Confirmed:").first.wait_for()
    assert Proposal.objects.get().status == ProposalStatus.CONFIRMED
    page.context.clear_cookies()

    # 7. The public page and the feed show the new time; the facilitator's
    # surname shows nowhere.
    page.goto(f"/meetings/{meeting.slug}/")
    assert page.get_by_text("Every Tuesday, 19:00 to 20:30").is_visible()
    assert person.last_name not in page.content()
    axe_check(page)
    feed = page.request.get("/meetings/feed.json").json()
    listed = next(m for m in feed if m["slug"] == meeting.slug)
    assert listed["time"] == "19:00" and listed["end_time"] == "20:30"
    assert person.last_name not in page.request.get("/meetings/feed.json").text()
