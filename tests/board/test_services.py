"""Board services: objectives, overrides, board meetings and the report lifecycle."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError

from board import services
from board.models import (
    Action,
    ActionStatus,
    BoardMeeting,
    BoardReport,
    ImmutableReportError,
    Objective,
    ReportStatus,
)
from smartnet.models import MailClaim
from smartnet.roles import Role
from tests.board.factories import make_action, make_board_meeting, make_objective
from tests.factories import UserFactory
from tests.meetings.factories import make_meeting

pytestmark = pytest.mark.django_db


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


# --- objectives: bad input ----------------------------------------------------------


def test_a_target_equal_to_the_baseline_is_refused_and_nothing_saved():
    with pytest.raises(ValidationError) as excinfo:
        make_objective(baseline_value=40, target_value=40)
    assert "equals the baseline" in errors_of(excinfo)["target_value"][0]
    assert not Objective.objects.exists()


def test_a_target_date_before_the_baseline_date_is_refused():
    with pytest.raises(ValidationError) as excinfo:
        make_objective(baseline_date=date(2013, 1, 1), target_date=date(2010, 1, 1))
    assert "must be after the baseline date" in errors_of(excinfo)["target_date"][0]
    assert not Objective.objects.exists()


def test_an_objective_with_no_metric_and_no_manual_value_is_refused():
    with pytest.raises(ValidationError) as excinfo:
        make_objective(manual_value=None)
    assert "Choose a metric, or record a manual value" in errors_of(excinfo)["manual_value"][0]


def test_a_manual_value_needs_its_source():
    with pytest.raises(ValidationError) as excinfo:
        make_objective(manual_source="  ")
    assert "manual_source" in errors_of(excinfo)


def test_an_unknown_metric_is_refused():
    with pytest.raises(ValidationError) as excinfo:
        make_objective(metric_key="happiness")
    assert "no metric called 'happiness'" in errors_of(excinfo)["metric_key"][0]


def test_a_target_in_the_wrong_direction_is_refused():
    # Partners behind on peer-led meetings: lower is better, so 5 -> 10 is backwards.
    with pytest.raises(ValidationError) as excinfo:
        make_objective(metric_key="partners_behind_on_peer_led", baseline_value=5, target_value=10)
    assert "must be below the baseline" in errors_of(excinfo)["target_value"][0]


def test_a_manual_objective_records_the_day_its_value_changes_and_keeps_history():
    staff = UserFactory(role=Role.STAFF_ADMIN)
    with time_machine.travel(date(2014, 2, 1)):
        objective = make_objective(manual_value=100)
        assert objective.manual_recorded_on == date(2014, 2, 1)
    with time_machine.travel(date(2014, 3, 1)):
        objective = services.objective_update(
            objective=objective, manual_value=Decimal(150), by=staff
        )
    assert objective.manual_recorded_on == date(2014, 3, 1)
    assert objective.history.count() == 2
    assert objective.history.first().history_user == staff
    assert objective.history.first().manual_value == Decimal(150)


def test_a_bad_update_changes_nothing():
    objective = make_objective()
    with pytest.raises(ValidationError):
        services.objective_update(objective=objective, target_value=Decimal(40))
    objective.refresh_from_db()
    assert objective.target_value == Decimal(400)


# --- overrides ------------------------------------------------------------------------


def test_an_override_needs_a_written_reason():
    objective = make_objective()
    with pytest.raises(ValidationError) as excinfo:
        services.objective_override_rag(objective=objective, colour="green", reason=" ", by=None)
    assert "written reason" in errors_of(excinfo)["reason"][0]
    objective.refresh_from_db()
    assert objective.rag_override == ""


def test_an_override_is_recorded_with_who_and_why_and_can_be_cleared():
    staff = UserFactory(role=Role.STAFF_ADMIN)
    objective = make_objective()
    services.objective_override_rag(
        objective=objective, colour="amber", reason="Survey is a year old", by=staff
    )
    objective.refresh_from_db()
    assert (objective.rag_override, objective.rag_override_by) == ("amber", staff)
    services.objective_clear_override(objective=objective, by=staff)
    objective.refresh_from_db()
    assert objective.rag_override == "" and objective.rag_override_reason == ""


def test_marking_an_action_done_records_the_day_and_keeps_history():
    action = make_action(make_objective(), at_risk=True)
    with time_machine.travel(date(2014, 4, 2)):
        action = services.action_update(action=action, status=ActionStatus.DONE)
    assert action.completed_on == date(2014, 4, 2)
    assert action.at_risk is False
    assert action.history.count() == 2


def test_an_action_override_needs_a_reason():
    action = make_action(make_objective())
    with pytest.raises(ValidationError) as excinfo:
        services.action_override_rag(action=action, colour="green", reason="", by=None)
    assert "reason" in errors_of(excinfo)
    services.action_override_rag(action=action, colour="green", reason="Agreed slip", by=None)
    assert Action.objects.get(pk=action.pk).rag_override == "green"


# --- board meetings --------------------------------------------------------------------


def test_a_board_meeting_in_the_past_is_refused():
    with pytest.raises(ValidationError) as excinfo:
        services.board_meeting_create(on=date(2014, 1, 1), today=date(2014, 3, 1))
    assert "is in the past" in errors_of(excinfo)["date"][0]
    assert not BoardMeeting.objects.exists()


def test_two_board_meetings_on_one_day_are_refused():
    services.board_meeting_create(on=date(2014, 4, 1), today=date(2014, 3, 1))
    with pytest.raises(ValidationError) as excinfo:
        services.board_meeting_create(on=date(2014, 4, 1), today=date(2014, 3, 1))
    assert "already a board meeting" in errors_of(excinfo)["date"][0]


# --- reports --------------------------------------------------------------------------


@pytest.fixture
def staff():
    return UserFactory(role=Role.STAFF_ADMIN, email="admin@example.org")


@pytest.fixture
def trustee():
    return UserFactory(role=Role.TRUSTEE, email="trustee@example.org")


def issue(report, staff):
    report = services.board_report_review(report=report, by=staff)
    return services.board_report_issue(report=report, by=staff)


def test_the_snapshot_does_not_change_when_live_data_changes(staff):
    objective = make_objective("Weekly meetings", manual_value=150)
    action = make_action(objective, "Open Wales office", due_date=date(2014, 6, 1))
    meeting = make_board_meeting(date(2014, 3, 8))
    report, created = services.board_report_generate(meeting=meeting, today=date(2014, 3, 1))
    assert created
    frozen = report.snapshot
    assert frozen["objectives"][0]["value"] == "150.00"
    assert frozen["objectives"][0]["actions"][0]["title"] == "Open Wales office"

    services.objective_update(objective=objective, manual_value=Decimal(300), title="Renamed")
    services.action_update(action=action, status=ActionStatus.DONE)
    report.refresh_from_db()
    assert report.snapshot == frozen


def test_the_report_moves_drafted_reviewed_issued_and_emails_trustees(
    staff, trustee, django_capture_on_commit_callbacks
):
    make_objective()
    meeting = make_board_meeting(date(2014, 3, 8))
    report, _ = services.board_report_generate(meeting=meeting, today=date(2014, 3, 1))
    with pytest.raises(ValidationError, match="Only a reviewed report can be issued"):
        services.board_report_issue(report=report, by=staff)
    with django_capture_on_commit_callbacks(execute=True):
        report = issue(report, staff)
    assert report.status == ReportStatus.ISSUED
    assert bytes(report.pdf).startswith(b"%PDF")
    trustee_mail = [m for m in mail.outbox if "trustee@example.org" in m.to]
    assert len(trustee_mail) == 1
    assert f"/board/reports/{report.pk}/" in trustee_mail[0].body


def test_an_issued_report_cannot_be_regenerated_reviewed_saved_or_deleted(staff):
    make_objective()
    meeting = make_board_meeting(date(2014, 3, 8))
    report, _ = services.board_report_generate(meeting=meeting, today=date(2014, 3, 1))
    report = issue(report, staff)
    frozen = (report.snapshot, bytes(report.pdf))

    with pytest.raises(ValidationError, match="cannot be regenerated"):
        services.board_report_generate(meeting=meeting, today=date(2014, 3, 5))
    with pytest.raises(ValidationError, match="Only a drafted report"):
        services.board_report_review(report=report, by=staff)
    with pytest.raises(ValidationError, match="Only a reviewed report"):
        services.board_report_issue(report=report, by=staff)
    report.snapshot = {"tampered": True}
    with pytest.raises(ImmutableReportError):
        report.save()
    with pytest.raises(ImmutableReportError):
        report.delete()
    assert BoardReport.objects.filter(pk=report.pk).update(snapshot={}) == 0
    assert BoardReport.objects.filter(pk=report.pk).delete()[0] == 0
    report.refresh_from_db()
    assert (report.snapshot, bytes(report.pdf)) == frozen


def test_issuing_twice_emails_the_trustees_once(staff, trustee, django_capture_on_commit_callbacks):
    make_objective()
    report, _ = services.board_report_generate(
        meeting=make_board_meeting(date(2014, 3, 8)), today=date(2014, 3, 1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        report = issue(report, staff)
    assert services.report_issued_notify(report_id=report.pk) is False
    assert len([m for m in mail.outbox if "trustee@example.org" in m.to]) == 1


def test_a_draft_can_be_regenerated_and_a_reviewed_one_goes_back_to_draft(staff):
    objective = make_objective(manual_value=100)
    meeting = make_board_meeting(date(2014, 3, 8))
    report, _ = services.board_report_generate(meeting=meeting, today=date(2014, 3, 1))
    services.board_report_review(report=report, by=staff)
    services.objective_update(objective=objective, manual_value=Decimal(120))
    report, created = services.board_report_generate(meeting=meeting, today=date(2014, 3, 2))
    assert not created
    assert report.status == ReportStatus.DRAFTED
    assert report.as_of == date(2014, 3, 2)
    assert report.snapshot["objectives"][0]["value"] == "120.00"
    assert BoardReport.objects.count() == 1


def test_the_second_report_lists_what_changed_since_the_first(staff):
    objective = make_objective("Meetings", manual_value=400)
    action = make_action(objective, "Train trainers", due_date=date(2014, 9, 1))
    first, _ = services.board_report_generate(
        meeting=make_board_meeting(date(2014, 3, 8)), today=date(2014, 3, 1)
    )
    issue(first, staff)
    services.objective_update(objective=objective, manual_value=Decimal(40))
    services.action_update(action=action, status=ActionStatus.DONE)
    make_objective("Champions", manual_value=10, baseline_value=0, target_value=100)
    second, _ = services.board_report_generate(
        meeting=make_board_meeting(date(2014, 6, 7)), today=date(2014, 6, 1)
    )
    texts = [(c["objective"], c["text"]) for c in second.snapshot["changes"]]
    assert ("Meetings", "Value moved from 400 to 40.") in texts
    assert ("Meetings", "Action done: Train trainers.") in texts
    assert ("Champions", "New objective.") in texts
    assert any(obj == "Meetings" and text.startswith("Light changed") for obj, text in texts)
    assert second.snapshot["previous"]["meeting_date"] == "2014-03-08"


# --- the scheduled job -----------------------------------------------------------------


def test_the_job_drafts_exactly_one_report_per_meeting_seven_days_ahead(
    staff, django_capture_on_commit_callbacks
):
    make_objective()
    meeting = make_board_meeting(date(2014, 3, 8))
    later = make_board_meeting(date(2014, 6, 7))
    assert services.draft_board_reports(today=date(2014, 2, 28)) == []  # 8 days ahead: not yet
    with django_capture_on_commit_callbacks(execute=True):
        drafted = services.draft_board_reports(today=date(2014, 3, 1))
    assert [r.meeting for r in drafted] == [meeting]
    assert services.draft_board_reports(today=date(2014, 3, 1)) == []
    assert services.draft_board_reports(today=date(2014, 3, 2)) == []
    assert BoardReport.objects.filter(meeting=meeting).count() == 1
    assert not BoardReport.objects.filter(meeting=later).exists()
    review_mail = [m for m in mail.outbox if "admin@example.org" in m.to]
    assert len(review_mail) == 1
    assert "drafted for review" in review_mail[0].subject
    assert MailClaim.objects.filter(kind="board.report_drafted").count() == 1


def test_a_missed_day_is_caught_up_while_the_meeting_is_ahead():
    make_objective()
    meeting = make_board_meeting(date(2014, 3, 8))
    drafted = services.draft_board_reports(today=date(2014, 3, 5))
    assert [r.meeting for r in drafted] == [meeting]
    assert services.draft_board_reports(today=date(2014, 3, 9)) == []  # after the meeting


def test_a_metric_snapshot_stays_put_when_meetings_are_added(staff):

    make_meeting(started_on=date(2014, 1, 6))
    make_objective(
        "Meetings a week",
        metric_key="meetings_per_week",
        baseline_value=0,
        baseline_date=date(2013, 1, 1),
        target_value=400,
        target_date=date(2016, 1, 1),
    )
    report, _ = services.board_report_generate(
        meeting=make_board_meeting(date(2014, 3, 8)), today=date(2014, 3, 1)
    )
    assert report.snapshot["objectives"][0]["value"] == "1"
    chart_before = report.snapshot["objectives"][0]["chart"]
    for _ in range(3):
        make_meeting(started_on=date(2014, 2, 3))
    report.refresh_from_db()
    assert report.snapshot["objectives"][0]["value"] == "1"
    assert report.snapshot["objectives"][0]["chart"] == chart_before
    live = services.preview_snapshot(on=date(2014, 3, 1))
    assert live["objectives"][0]["value"] == "4"
