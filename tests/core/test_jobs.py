"""The job watch over time: runs recorded, overdue jobs, one alert per incident,
the recovery, /healthz/jobs, the dashboard panel and re-running a failed task."""

import datetime
from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from celery import shared_task
from django.core import mail
from django.db.utils import OperationalError

from smartnet import jobs
from smartnet.celery import app
from smartnet.models import JobRun, MailClaim, OutboxTask
from smartnet.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2030, 3, 4, 2, 0, tzinfo=datetime.UTC)
OUTSIDE = "203.0.113.9"

BROKEN = {"on": True}


@shared_task(
    name="tests.core.flaky_job",
    autoretry_for=(OSError,),
    max_retries=2,
    default_retry_delay=0,
)
def flaky_job(item_id: int) -> dict:
    if BROKEN["on"]:
        raise OSError("mail server refused")
    return {"item": item_id}


def run_every_job() -> None:
    """What beat does: each scheduled task, through Celery (eager here); the
    watch last, as it would find the others not yet run."""
    ordered = sorted(jobs.registry(), key=lambda j: j.task == "smartnet.tasks.watch_jobs")
    for job in ordered:
        app.tasks[job.task].apply()


@pytest.fixture
def as_a_worker():
    """Failures as a worker sees them: recorded, not raised into the caller
    (eager tasks in tests propagate their errors otherwise, skipping signals)."""
    previous = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = previous


def watch_mail() -> list:
    return [m for m in mail.outbox if m.subject.startswith("smartnet: scheduled jobs")]


@pytest.fixture
def admin_user():
    return UserFactory(role=Role.STAFF_ADMIN, email="admin@charity.example")


def test_the_registry_is_the_beat_schedule(settings):
    names = {j.name for j in jobs.registry()}
    assert names == set(settings.CELERY_BEAT_SCHEDULE)
    assert {"partners-renewals", "jobs-watch", "flush-outbox"} <= names
    # A job another app adds to beat is watched with no second list.
    settings.CELERY_BEAT_SCHEDULE = {
        **settings.CELERY_BEAT_SCHEDULE,
        "chasing": {"task": "tests.core.flaky_job", "schedule": timedelta(days=1)},
    }
    chasing = next(j for j in jobs.registry() if j.name == "chasing")
    assert chasing.task == "tests.core.flaky_job"
    assert chasing.period_label == "daily"
    assert chasing.margin == timedelta(minutes=settings.JOBS_OVERDUE_MARGIN_MINUTES)
    settings.JOBS_OVERDUE_MARGINS = {"chasing": 180}
    chasing = next(j for j in jobs.registry() if j.name == "chasing")
    assert chasing.margin == timedelta(minutes=180)


def test_each_scheduled_run_is_recorded_with_its_outcome_and_summary():
    with time_machine.travel(T0, tick=False):
        app.tasks["smartnet.tasks.flush_outbox"].apply()
    run = JobRun.objects.get(job="smartnet.tasks.flush_outbox")
    assert run.outcome == JobRun.Outcome.OK
    assert run.started_at == T0 and run.finished_at == T0
    assert run.summary == {"result": 0}
    # A task not on beat that succeeds leaves no row (only failures are kept).
    BROKEN["on"] = False
    flaky_job.apply(args=[1])
    assert not JobRun.objects.filter(job="tests.core.flaky_job").exists()


def test_beat_stopped_for_two_days_gives_one_alert_and_a_run_clears_it(admin_user, client):
    with time_machine.travel(T0, tick=False):
        run_every_job()
        assert jobs.watch()["overdue"] == []
        assert client.get("/healthz/jobs").status_code == 200
    assert watch_mail() == []

    # Beat stops: nothing runs for two days, while the watch is asked every
    # 15 minutes (by beat once it is back, or the monitor's /healthz/jobs).
    for quarter in range(12):
        with time_machine.travel(T0 + timedelta(days=2, minutes=15 * quarter), tick=False):
            jobs.watch()
            response = client.get("/healthz/jobs")
            assert response.status_code == 503
    assert len(watch_mail()) == 1
    alert = watch_mail()[0]
    assert alert.to == ["admin@charity.example"]
    assert "overdue" in alert.subject
    assert "partners-renewals" in alert.body and "flush-outbox" in alert.body
    body = response.json()
    assert body["status"] == "overdue"
    assert "partners-renewals" in body["overdue"]
    assert body["jobs"]["partners-renewals"]["ok"] is False
    assert JobRun.objects.filter(job=jobs.INCIDENT_JOB, finished_at__isnull=True).count() == 1

    # Beat is back: every job runs; the next watch closes the incident.
    back = T0 + timedelta(days=2, hours=4)
    with time_machine.travel(back, tick=False):
        run_every_job()
        jobs.watch()
        assert client.get("/healthz/jobs").status_code == 200
    assert len(watch_mail()) == 2
    assert "running again" in watch_mail()[1].subject
    assert "partners-renewals" in watch_mail()[1].body
    with time_machine.travel(back + timedelta(minutes=15), tick=False):
        jobs.watch()
    assert len(watch_mail()) == 2
    incident = JobRun.objects.get(job=jobs.INCIDENT_JOB)
    assert incident.finished_at == back
    assert MailClaim.objects.filter(kind__in=[jobs.ALERT_KIND, jobs.RECOVERY_KIND]).count() == 2

    # A second incident later is a new e-mail.
    with time_machine.travel(back + timedelta(days=3), tick=False):
        jobs.watch()
    assert len(watch_mail()) == 3


def test_a_job_never_run_counts_from_the_install(admin_user):
    # No run at all: the watch counts from the last migration applied.
    installed = jobs._installed_at()
    with time_machine.travel(installed + timedelta(minutes=30), tick=False):
        assert jobs.overdue() == []
    with time_machine.travel(installed + timedelta(minutes=5 + 61), tick=False):
        assert [s.name for s in jobs.overdue()] == ["flush-outbox"]
    with time_machine.travel(installed + timedelta(minutes=15 + 61), tick=False):
        assert [s.name for s in jobs.overdue()] == ["flush-outbox", "jobs-watch"]


def test_healthz_jobs_names_jobs_only_to_the_allowed(client):
    with time_machine.travel(jobs._installed_at() + timedelta(days=3), tick=False):
        response = client.get("/healthz/jobs", REMOTE_ADDR=OUTSIDE)
        assert response.status_code == 503
        assert response.json() == {"status": "overdue", "overdue_count": len(jobs.registry())}
        assert "renewals" not in response.content.decode()
        response = client.get("/healthz/jobs")  # 127.0.0.1: the monitor
        assert set(response.json()["overdue"]) == {j.name for j in jobs.registry()}


def test_a_task_failing_after_its_retries_is_listed_and_run_again_once(
    admin_user, client, as_a_worker
):
    BROKEN["on"] = True
    result = flaky_job.apply(args=[7])
    assert result.state == "FAILURE"
    run = JobRun.objects.get(job="tests.core.flaky_job")
    assert run.outcome == JobRun.Outcome.FAILED
    assert run.error == "OSError: mail server refused"
    assert run.args == [7]

    client.force_login(admin_user)
    page = client.get("/staff/jobs/")
    assert "tests.core.flaky_job" in page.content.decode()
    assert "OSError: mail server refused" in page.content.decode()

    BROKEN["on"] = False
    response = client.post(f"/staff/jobs/{run.pk}/rerun/")
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.outcome == JobRun.Outcome.RERUN
    assert run.summary["rerun_by"] == admin_user.pk
    assert OutboxTask.objects.filter(task_name="tests.core.flaky_job", args=[7]).count() == 1
    # A second click queues nothing more.
    client.post(f"/staff/jobs/{run.pk}/rerun/")
    assert OutboxTask.objects.filter(task_name="tests.core.flaky_job").count() == 1
    assert "No failed tasks" in client.get("/staff/jobs/").content.decode()


def test_a_scheduled_job_that_keeps_failing_goes_overdue(settings, admin_user, as_a_worker):
    settings.CELERY_BEAT_SCHEDULE = {
        "chasing": {"task": "tests.core.flaky_job", "schedule": timedelta(hours=1)}
    }
    BROKEN["on"] = True
    with time_machine.travel(T0, tick=False):
        flaky_job.apply(args=[1])
    run = JobRun.objects.get(job="tests.core.flaky_job")
    assert run.outcome == JobRun.Outcome.FAILED
    assert run.error.startswith("OSError")
    with time_machine.travel(T0 + timedelta(hours=2, minutes=1), tick=False):
        (status,) = jobs.statuses()
        assert status.overdue and status.last_success is None
        assert status.last_run.pk == run.pk
        jobs.watch()
    assert "OSError: mail server refused" in watch_mail()[0].body


def test_the_dashboard_shows_each_jobs_last_success_and_next_due(
    client, django_assert_max_num_queries
):
    with time_machine.travel(T0, tick=False):
        app.tasks["partners.tasks.run_renewals"].apply()
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        client.force_login(UserFactory(role=Role.FINANCE))
        page = client.get("/staff/").content.decode()
    assert 'id="jobs-panel"' in page
    assert "partners-renewals" in page
    assert "4 Mar 2030" in page and "5 Mar 2030" in page
    # The jobs screen link is for the staff admin only.
    assert "/staff/jobs/" not in page
    # Three queries whatever the number of jobs, a fourth while one never ran.
    with django_assert_max_num_queries(4):
        jobs.statuses()
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        run_every_job()
    with django_assert_max_num_queries(3):
        jobs.statuses()


def test_old_successful_runs_are_pruned_but_each_jobs_latest_kept(settings):
    settings.JOBS_RUN_RETENTION_DAYS = 30
    for days in (100, 90, 5):
        with time_machine.travel(T0 - timedelta(days=days), tick=False):
            app.tasks["smartnet.tasks.flush_outbox"].apply()
    with time_machine.travel(T0, tick=False):
        assert jobs.prune() == 2
    (kept,) = JobRun.objects.filter(job="smartnet.tasks.flush_outbox")
    assert kept.started_at == T0 - timedelta(days=5)


def test_healthz_jobs_is_503_while_the_database_is_down(client):
    with mock.patch("smartnet.jobs.statuses", side_effect=OperationalError("no route")):
        response = client.get("/healthz/jobs")
    assert response.status_code == 503
    assert response.json()["status"] == "down"
