"""Board screens: forms name the field on bad input, the report flow, trustees' view."""

from datetime import date, timedelta

import pytest
import time_machine
from django.core import mail

from board import services
from board.models import Action, BoardMeeting, BoardReport, Objective, ReportStatus
from smartnet.roles import Role
from tests.board.factories import make_action, make_board_meeting, make_objective
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TODAY = date(2014, 3, 3)

CONFIRMED = {"confirmed": "yes"}  # the confirmation page's button (smartnet.confirm)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def admin(client):
    user = UserFactory(role=Role.STAFF_ADMIN, full_name="Alex Admin")
    client.force_login(user)
    return user


OBJECTIVE = {
    "title": "400 meetings a week",
    "metric_key": "meetings_per_week",
    "baseline_value": "40",
    "baseline_date": "2010-01-01",
    "target_value": "400",
    "target_date": "2013-12-31",
    "position": "1",
}


def test_staff_create_an_objective_on_a_metric(client, admin):
    response = client.post("/staff/board/objectives/new/", OBJECTIVE)
    objective = Objective.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/staff/board/objectives/{objective.pk}/"
    assert objective.history.get().history_user == admin
    page = client.get(response["Location"]).content.decode()
    assert "400 meetings a week" in page and "<svg" in page


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"target_value": "40"}, "target_value", "equals the baseline"),
        ({"target_date": "2009-01-01"}, "target_date", "must be after the baseline date"),
        ({"metric_key": ""}, "manual_value", "Choose a metric, or record a manual value"),
    ],
)
def test_bad_objective_input_names_the_field_and_saves_nothing(
    client, admin, change, field, message
):
    response = client.post("/staff/board/objectives/new/", OBJECTIVE | change)
    assert response.status_code == 200
    html = response.content.decode()
    # The summary links the message to its field; the message is beside it too.
    assert f'<a href="#id_{field}" data-field="id_{field}">' in html
    assert f'id="id_{field}_error"' in html and message in html
    assert not Objective.objects.exists()


def test_an_override_without_a_reason_is_refused_with_a_message(client, admin):
    objective = make_objective()
    url = f"/staff/board/objectives/{objective.pk}/override/"
    response = client.post(url, {"colour": "green", "reason": ""})
    assert response.status_code == 200
    assert "Enter the reason" in response.content.decode()
    objective.refresh_from_db()
    assert objective.rag_override == ""
    response = client.post(url, {"colour": "green", "reason": "Survey due next month"})
    assert response.status_code == 302
    page = client.get(f"/staff/board/objectives/{objective.pk}/").content.decode()
    assert "Survey due next month" in page and "the rule gives" in page


def test_staff_add_and_complete_an_action(client, admin):
    objective = make_objective()
    response = client.post(
        f"/staff/board/objectives/{objective.pk}/actions/new/",
        {"title": "Open Wales hub", "due_date": "2014-04-01", "status": "in_progress"},
    )
    assert response.status_code == 302
    action = Action.objects.get()
    response = client.post(
        f"/staff/board/actions/{action.pk}/edit/",
        {"title": "Open Wales hub", "due_date": "2014-04-01", "status": "done"},
    )
    action.refresh_from_db()
    assert action.status == "done" and action.completed_on == TODAY


def test_a_board_meeting_in_the_past_is_refused_on_the_form(client, admin):
    response = client.post("/staff/board/meetings/", {"date": "2014-01-01"})
    assert "Date: 1 January 2014 is in the past" in response.content.decode()
    assert not BoardMeeting.objects.exists()
    response = client.post("/staff/board/meetings/", {"date": "2014-03-10"})
    assert response.status_code == 302
    assert BoardMeeting.objects.get().date == date(2014, 3, 10)


def test_the_report_flow_on_screen_and_the_trustee_sees_it_only_when_issued(
    client, admin, django_capture_on_commit_callbacks
):
    trustee = UserFactory(role=Role.TRUSTEE, email="trustee@example.org")
    objective = make_objective("Champions trained", manual_value=120)
    make_action(objective, "Run summer events", due_date=TODAY - timedelta(days=1))
    meeting = make_board_meeting(TODAY + timedelta(days=5))

    response = client.post(f"/staff/board/meetings/{meeting.pk}/report/")
    report = BoardReport.objects.get()
    assert response["Location"] == f"/staff/board/reports/{report.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "Champions trained" in page and "Mark reviewed" in page
    # Lights in words with their counts; a contents list leads to each objective's section.
    assert ">Red: 1<" in page and "GREEN" not in page and "RED" not in page
    assert 'aria-labelledby="contents-heading"' in page
    assert f'href="?objective={objective.pk}"' in page and "<svg" not in page
    # One objective a page, with its chart and the way back and on.
    one = client.get(response["Location"], {"objective": objective.pk}).content.decode()
    assert "1. Champions trained" in one and 'role="img"' in one
    assert "Contents and summary" in one and "Objective 1 of 1" in one
    assert "Mark reviewed" not in one
    assert client.get(response["Location"], {"objective": "999999"}).status_code == 404
    assert client.get(response["Location"], {"objective": "x"}).status_code == 404

    client.force_login(trustee)
    assert client.get(f"/board/reports/{report.pk}/").status_code == 404
    assert client.get(f"/board/reports/{report.pk}/report.pdf").status_code == 404
    assert "Board meeting 8 March 2014" not in client.get("/board/").content.decode()

    client.force_login(admin)
    client.post(f"/staff/board/reports/{report.pk}/review/", {"note": "Checked figures"})
    # The button asks first: without the confirming POST nothing is issued.
    page = client.get(f"/staff/board/reports/{report.pk}/issue/").content.decode()
    assert "Issue the board report for" in page and "1 trustee will be e-mailed" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/staff/board/reports/{report.pk}/issue/")
    assert response.status_code == 200 and "cannot be withdrawn" in response.content.decode()
    report.refresh_from_db()
    assert report.status == ReportStatus.REVIEWED and not mail.outbox
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/staff/board/reports/{report.pk}/issue/", CONFIRMED)
    report.refresh_from_db()
    assert report.status == ReportStatus.ISSUED
    assert any("trustee@example.org" in m.to for m in mail.outbox)
    # Issuing again says why it cannot, and changes nothing.
    response = client.post(f"/staff/board/reports/{report.pk}/issue/", CONFIRMED, follow=True)
    assert "Only a reviewed report can be issued" in response.content.decode()
    response = client.post(f"/staff/board/meetings/{meeting.pk}/report/", follow=True)
    assert "cannot be regenerated" in response.content.decode()

    client.force_login(trustee)
    assert "Board meeting 8 March 2014" in client.get("/board/").content.decode()
    page = client.get(f"/board/reports/{report.pk}/").content.decode()
    assert "Champions trained" in page and "Mark reviewed" not in page
    pdf = client.get(f"/board/reports/{report.pk}/report.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content == bytes(report.pdf)
    # A trustee sees nothing else.
    assert client.get("/staff/").status_code == 403
    assert client.get("/staff/board/").status_code == 403


def test_finance_staff_review_but_cannot_issue(client):
    make_objective()
    report_meeting = make_board_meeting(TODAY + timedelta(days=5))
    client.force_login(UserFactory(role=Role.FINANCE))
    client.post(f"/staff/board/meetings/{report_meeting.pk}/report/")
    report = BoardReport.objects.get()
    client.post(f"/staff/board/reports/{report.pk}/review/")
    assert client.get(f"/staff/board/reports/{report.pk}/issue/").status_code == 403
    assert client.post(f"/staff/board/reports/{report.pk}/issue/", CONFIRMED).status_code == 403
    report.refresh_from_db()
    assert report.status == ReportStatus.REVIEWED


def test_the_objectives_list_has_a_fixed_query_count(client, admin, django_assert_num_queries):
    def add(n):
        for i in range(n):
            objective = make_objective(f"Objective {i}", manual_value=100 + i)
            make_action(objective, due_date=TODAY + timedelta(days=i))

    add(2)
    client.get("/staff/board/")
    with django_assert_num_queries(4):  # session, user, objectives, actions
        client.get("/staff/board/")
    add(10)
    with django_assert_num_queries(4):
        response = client.get("/staff/board/")
    assert response.content.decode().count("/staff/board/objectives/") >= 12
    filtered = client.get("/staff/board/?rag=red")
    assert filtered.status_code == 200


def test_archiving_an_objective_takes_it_out_of_the_list_and_new_reports(client, admin):

    kept = make_objective("Kept")
    gone = make_objective("Gone")
    make_action(gone, "Mistaken action")
    client.post(f"/staff/board/objectives/{gone.pk}/archive/", {"archived": "1"})
    listing = client.get("/staff/board/").content.decode()
    assert f'/staff/board/objectives/{kept.pk}/"' in listing
    assert f'/staff/board/objectives/{gone.pk}/"' not in listing
    snapshot = services.preview_snapshot(on=TODAY)
    assert [o["id"] for o in snapshot["objectives"]] == [kept.pk]
    assert client.get(f"/staff/board/objectives/{gone.pk}/").status_code == 200
    client.post(f"/staff/board/objectives/{gone.pk}/archive/", {"archived": "0"})
    assert f'/staff/board/objectives/{gone.pk}/"' in client.get("/staff/board/").content.decode()


def test_deleting_an_action_keeps_a_record_in_its_history(client, admin):
    action = make_action(make_objective(), "Entered twice")
    # The link asks first, naming the action; a POST without the confirming
    # field shows the question again and deletes nothing.
    page = client.get(f"/staff/board/actions/{action.pk}/delete/").content.decode()
    assert "Delete the action \u201cEntered twice\u201d?" in page and "cannot be undone" in page
    response = client.post(f"/staff/board/actions/{action.pk}/delete/")
    assert response.status_code == 200 and Action.objects.filter(pk=action.pk).exists()
    response = client.post(f"/staff/board/actions/{action.pk}/delete/", CONFIRMED)
    assert response.status_code == 302
    assert not Action.objects.filter(pk=action.pk).exists()
    record = Action.history.filter(id=action.pk).first()
    assert record.history_type == "-" and record.history_user == admin


def test_the_objectives_list_reads_lights_in_words_and_explains_an_override(client, admin):
    on_track = make_objective("Grow", manual_value=400)  # target met: Complete
    behind = make_objective("Train", manual_value=50, target_value=3000)
    make_action(on_track, "Open the hub", due_date=TODAY - timedelta(days=1))  # overdue: Red
    services.objective_override_rag(objective=behind, colour="amber", reason="Late", by=admin)
    listing = " ".join(client.get("/staff/board/").content.decode().split())
    assert ">Red: 1<" in listing and ">Amber: 1<" in listing
    assert "set by staff; the rule gives Red" in listing
    assert "GREEN" not in listing and "AMBER" not in listing and "(rule:" not in listing
    detail = " ".join(client.get(f"/staff/board/objectives/{behind.pk}/").content.decode().split())
    assert "Set to Amber by" in detail and "the rule gives Red. Reason: Late" in detail
    assert "<svg" in detail and 'role="img"' in detail
