"""In a real Chromium: a facilitator signs in with the e-mailed link, asks for
posters, and a member of staff approves, packs and dispatches them; axe-core
on every page visited."""

import datetime
import re

import pytest
from django.core import mail

from materials.models import Dispatch, Reason, Status
from smartnet.roles import Role
from tests.conftest import browser_login
from tests.factories import PASSWORD, PersonFactory, UserFactory
from tests.materials.factories import make_item
from tests.meetings.factories import make_meeting
from tests.training.factories import make_trained_facilitator
from training import services as training_services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_facilitator_requests_posters_and_staff_dispatch_them(browser_page, axe_check):
    poster = make_item("poster", name="A3 meeting poster", stock=50)
    make_item("leaflet", name="Introductory leaflet", stock=500)
    person = make_trained_facilitator(
        PersonFactory(first_name="Robin", last_name="Peer", email="robin@example.org"),
        completed_on=datetime.date(2026, 1, 5),
    )
    training_services.profile_update(
        person=person,
        consent_to_contact=True,
        address_line_1="2 Bold Street",
        town="Liverpool",
        postcode="L1 4DJ",
    )
    meeting = make_meeting(
        started_on=datetime.date(2026, 2, 2), led="peer_led", facilitators=[person]
    )
    UserFactory(email="mo@example.org", full_name="Mo Materials", role=Role.MATERIALS)
    page = browser_page

    # 1. Ask for a sign-in link.
    page.goto("/materials/request/")
    axe_check(page)
    page.get_by_label("E-mail address on your training record").fill("robin@example.org")
    page.get_by_role("button", name="Send me a sign-in link").click()
    page.get_by_text("a sign-in link is on its way").first.wait_for()
    body = next(m.body for m in mail.outbox if "sign-in link" in m.subject)
    link = re.search(r"http\S+(/materials/request/sign-in/\?sesame=\S+)", body).group(1)

    # 2. Follow it and sign in.
    page.goto(link)
    page.wait_for_load_state()
    axe_check(page)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("You are signed in").first.wait_for()

    # 3. Their home page says what they may ask for; the request form: a bad
    # quantity first, then posters.
    assert page.get_by_text("A3 meeting poster: up to").is_visible()
    axe_check(page)
    page.get_by_role("link", name="Ask for materials").click()
    axe_check(page)
    page.get_by_label("Your meeting").select_option(str(meeting.pk))
    page.get_by_label("A3 meeting poster (quantity)").fill("0")
    page.get_by_role("button", name="Send my request").click()
    page.get_by_text("Enter 1 or more, or leave it empty for none.").first.wait_for()
    axe_check(page)
    page.get_by_label("A3 meeting poster (quantity)").fill("10")
    assert page.get_by_label("Postcode").input_value() == "L1 4DJ"
    page.get_by_role("button", name="Send my request").click()
    page.get_by_text("Thank you: request M").first.wait_for()
    dispatch = Dispatch.objects.get(reason=Reason.REQUEST)
    assert dispatch.status == Status.SUBMITTED
    # Training and meeting start sent their own parcels (manual, starter pack) on the way.
    assert set(Dispatch.objects.values_list("reason", flat=True)) == {
        Reason.REQUEST,
        Reason.FACILITATORS_MANUAL,
        Reason.STARTER_PACK,
    }

    # 4. Staff approve, pack and dispatch it.
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    browser_login(page, "mo@example.org", PASSWORD, next_url="/staff/materials/")
    page.get_by_role("heading", name="Materials dispatch queue").first.wait_for()
    axe_check(page)
    page.get_by_label(f"Select {dispatch.short_ref}").check()
    page.get_by_label("With the selected").select_option("approve")
    page.get_by_role("button", name="Go").click()
    page.get_by_text("Approved 1 dispatch(es).").first.wait_for()
    page.get_by_role("link", name=dispatch.short_ref).click()
    page.get_by_role("heading", name=f"Dispatch {dispatch.short_ref}").wait_for()
    axe_check(page)
    page.get_by_role("button", name="Pack").click()
    page.get_by_text("Packed.").first.wait_for()
    page.get_by_label("Tracking reference").fill("RM123456785GB")
    page.get_by_role("button", name="Mark dispatched").click()
    page.get_by_text("Marked dispatched").first.wait_for()
    axe_check(page)

    dispatch.refresh_from_db()
    assert (dispatch.status, dispatch.tracking_reference) == (Status.DISPATCHED, "RM123456785GB")
    poster.refresh_from_db()
    assert poster.stock_on_hand == 40
    assert any("RM123456785GB" in m.body for m in mail.outbox if m.to == ["robin@example.org"])
