"""The public's reports of a change or problem, and the staff queue."""

import datetime

import pytest
from django.core import mail as outbox

from feedback.models import MeetingReport, ReportStatus
from feedback.services import details_problem
from smartnet.roles import Role
from tests.factories import PersonFactory, UserFactory
from tests.meetings.factories import make_meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.mark.parametrize(
    "text",
    [
        "see http://evil.example/x",
        "go to www.example.org",
        "now at example.org/new",
        "<b>moved</b>",
        "[url=x]y[/url]",
        "x" * 2001,
    ],
)
def test_links_markup_and_long_text_are_refused_with_the_reason(text):
    assert details_problem(text)


def test_plain_words_are_fine():
    assert details_problem("It has moved to the church hall on Mill Lane, 7pm.") == ""


def test_a_report_reaches_the_queue_and_facilitators_are_told_not_who(client, committed):
    robin = PersonFactory(first_name="Robin", email="robin@example.org")
    meeting = make_meeting(started_on=datetime.date(2025, 1, 6), facilitators=[robin])
    page = client.get(f"/meetings/{meeting.slug}/").content.decode()
    assert f"/feedback/meetings/{meeting.slug}/" in page
    with committed():
        response = client.post(
            f"/feedback/meetings/{meeting.slug}/",
            {"kind": "moved", "details": "Now on Tuesdays.", "reply_email": "me@example.org"},
        )
    assert response.status_code == 200 and "Thank you" in response.content.decode()
    report = MeetingReport.objects.get()
    assert report.status == ReportStatus.NEW and report.reply_email == "me@example.org"
    [notice] = outbox.outbox
    assert notice.to == ["robin@example.org"]
    assert "me@example.org" not in notice.body and "Tuesdays" not in notice.body
    staff = UserFactory(role=Role.MATERIALS)
    client.force_login(staff)
    assert meeting.name in client.get("/staff/feedback/").content.decode()
    client.post(f"/staff/feedback/{report.pk}/update/", {"status": "in_hand", "note": "Calling"})
    client.post(f"/staff/feedback/{report.pk}/update/", {"status": "done"})
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE and report.handled_by == staff
    history = list(report.history.order_by("history_date").values_list("status", "history_user"))
    assert history == [("new", None), ("in_hand", staff.pk), ("done", staff.pk)]
    page = client.get(f"/staff/feedback/{report.pk}/").content.decode()
    assert str(staff) in page


def test_bad_input_is_refused_naming_the_field_and_nothing_is_saved(client):
    meeting = make_meeting(started_on=datetime.date(2025, 1, 6))
    response = client.post(
        f"/feedback/meetings/{meeting.slug}/", {"kind": "other", "details": "see https://x.io"}
    )
    assert response.status_code == 400
    assert "Leave out links" in response.content.decode()
    response = client.post(f"/feedback/meetings/{meeting.slug}/", {"details": "x"})
    assert response.status_code == 400
    assert not MeetingReport.objects.exists()


def test_reports_are_rate_limited(client, settings):
    settings.FEEDBACK_REPORTS_PER_MINUTE = 2
    meeting = make_meeting(started_on=datetime.date(2025, 1, 6))
    codes = [
        client.post(f"/feedback/meetings/{meeting.slug}/", {"kind": "other"}).status_code
        for _ in range(3)
    ]
    assert codes == [200, 200, 429]
    assert MeetingReport.objects.count() == 2
