"""The import page in a real Chromium: upload, progress that updates itself,
and the rejected-rows report; axe-core on each state."""

import datetime

import pytest
from django.conf import settings
from django.utils import timezone

from smartnet.roles import Role
from tests.conftest import browser_login
from tests.factories import PASSWORD, PersonFactory, UserFactory
from tests.training.conftest import FIXTURES
from tests.training.factories import CourseFactory
from training import services
from training.links import booking_url
from training.models import AccessRule, Delivery, ImportJob, ImportStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_upload_shows_result_and_rejected_rows(browser_page, axe_check, moodle_world):
    UserFactory(email="trainer@example.org", role=Role.TRAINING)
    page = browser_page
    browser_login(page, "trainer@example.org", PASSWORD, next_url="/staff/training/imports/")
    assert page.get_by_role("heading", name="Import Moodle completions").is_visible()
    axe_check(page)
    page.get_by_label("Moodle export (CSV)").set_input_files(str(FIXTURES / "moodle_long.csv"))
    page.get_by_role("button", name="Import").click()
    page.get_by_role("heading", name="Rejected rows").wait_for()
    assert page.get_by_text("7 completions added (committed)").is_visible()
    assert page.get_by_role("cell", name="unknown course 'SRUK-XYZ'", exact=False).is_visible()
    assert page.locator("progress").get_attribute("value") == "100"
    axe_check(page)


def test_progress_bar_updates_in_place_until_the_report(browser_page, axe_check, db):
    UserFactory(email="trainer@example.org", role=Role.TRAINING)
    job = ImportJob.objects.create(
        original_name="big-export.csv",
        layout="long",
        status=ImportStatus.RUNNING,
        total_rows=1000,
        processed_rows=400,
    )
    page = browser_page
    browser_login(
        page, "trainer@example.org", PASSWORD, next_url=f"/staff/training/imports/{job.pk}/"
    )
    assert page.get_by_text("400 of 1000 rows checked").is_visible()
    assert page.locator("progress").get_attribute("value") == "40"
    axe_check(page)
    ImportJob.objects.filter(pk=job.pk).update(processed_rows=700)
    page.get_by_text("700 of 1000 rows checked").wait_for()
    url_before = page.url
    job.rejections.create(
        line=12, reason="e-mail address 'x@' is not valid", excerpt="x@,SRUK-INTRO"
    )
    ImportJob.objects.filter(pk=job.pk).update(
        processed_rows=1000, status=ImportStatus.DONE, created_count=998, rejected_count=1
    )
    page.get_by_role("heading", name="Rejected rows").wait_for()
    assert page.url == url_before  # swapped in place by htmx, not a reload
    assert page.get_by_text("998 completions added (committed)").is_visible()
    assert page.get_by_role("cell", name="e-mail address 'x@' is not valid").is_visible()
    axe_check(page)


def test_training_pages_pass_axe(browser_page, axe_check, moodle_world):

    UserFactory(email="trainer@example.org", role=Role.TRAINING)
    alice = moodle_world["people"]["alice"]

    completion = services.completion_record(
        person=alice, course=moodle_world["champion"], completed_on=datetime.date(2014, 6, 1)
    )
    event = services.event_create(
        course=moodle_world["facilitator"],
        held_on=datetime.date(2014, 6, 1),
        venue="Leeds hub",
        capacity=5,
    )
    services.event_book(event=event, person=moodle_world["people"]["pat"])
    page = browser_page
    browser_login(page, "trainer@example.org", PASSWORD, next_url="/staff/training/people/")
    for url, heading in [
        ("/staff/training/people/?q=alice", "People"),
        (f"/staff/training/people/{alice.pk}/", alice.full_name),
        (f"/staff/training/people/{alice.pk}/profile/", f"Training details of {alice.full_name}"),
        ("/staff/training/champions/", "Champion register"),
        ("/staff/training/courses/", "Courses"),
        ("/staff/training/events/", "Face-to-face training events"),
        (f"/staff/training/events/{event.pk}/", moodle_world["facilitator"].title),
        ("/staff/training/mobility/", "Staff mobility"),
        (f"/training/certificates/{completion.verification_code}/", "This certificate is genuine"),
        ("/training/certificates/", "Check a training certificate"),
    ]:
        page.goto(url)
        assert page.get_by_role("heading", name=heading, exact=True).is_visible(), url
        axe_check(page)


@pytest.mark.parametrize("viewport", [(390, 844), (1280, 800)])
def test_booking_with_the_waiting_list_moving(browser_page, axe_check, viewport):
    course = CourseFactory(
        code="f2f",
        title="Facilitator training day",
        delivery=Delivery.FACE_TO_FACE,
        access_rule=AccessRule.OPEN,
    )
    event = services.event_create(
        course=course,
        held_on=timezone.localdate() + datetime.timedelta(days=10),
        venue="Leeds recovery hub",
        capacity=1,
    )
    ann, bob = PersonFactory(first_name="Ann"), PersonFactory(first_name="Bob")
    link = {p: booking_url(event.pk, p.pk).removeprefix(settings.SITE_URL) for p in (ann, bob)}
    page = browser_page
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    page.goto(link[ann])
    axe_check(page)
    page.get_by_role("button", name="Book a place").click()
    page.get_by_text("You have a place").wait_for()
    axe_check(page)
    page.goto(link[bob])
    page.get_by_role("button", name="Join the waiting list").click()
    page.get_by_text("number 1 in line").first.wait_for()
    axe_check(page)
    page.goto(link[ann])
    page.get_by_role("button", name="Cancel my place").click()
    page.get_by_text("Cancelled").wait_for()
    page.goto(link[bob])
    assert page.get_by_text("A place is offered to you until").is_visible()
    axe_check(page)
    page.get_by_role("button", name="Take the place").click()
    page.get_by_text("The place offered is yours").wait_for()
    assert page.get_by_text("You have a place").is_visible()
    axe_check(page)
