"""Scheduled jobs, watched: what each run did, which jobs are overdue, and the alert.

The registry is the Celery beat schedule in settings (``CELERY_BEAT_SCHEDULE``):
every entry there is a watched job, so a job another app adds to beat is
watched without a second list. Each run of a task named in the schedule is
recorded in ``JobRun`` (job = the task's name, key = its task id) by the
Celery signals below: start, finish, outcome and what it returned. Any other
task that fails after its retries gets a row too (its error and arguments),
listed for staff, who may run it again (``rerun``): the task's own service is
idempotent by its constraints, so a second run does nothing twice.

A job is overdue when it has not succeeded within its period plus a margin
(``JOBS_OVERDUE_MARGIN_MINUTES``, or per job ``JOBS_OVERDUE_MARGINS``). A job
that never succeeded counts from its first recorded run, or else from the
last migration applied (the install or upgrade that brought it). ``watch``
(itself on beat, and nudged by ``/healthz/jobs``) opens one incident while
any job is overdue, e-mails the staff admins once for it, and once more when
every job has recovered.
"""

import datetime
import logging
import time
from dataclasses import dataclass

from celery import signals
from celery.schedules import crontab, maybe_schedule
from celery.schedules import schedule as every
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Max, Min, OuterRef, Subquery
from django.utils import timezone

from smartnet import mail
from smartnet.celery import app
from smartnet.logs import line
from smartnet.models import JobRun, User
from smartnet.queue import enqueue
from smartnet.roles import Role

logger = logging.getLogger("smartnet.tasks")

INCIDENT_JOB = "smartnet.jobs.incident"
ALERT_KIND = "jobs-overdue"
RECOVERY_KIND = "jobs-recovered"
# Tasks that record their own runs in JobRun (or need none recorded).
NOT_RECORDED = frozenset({"smartnet.tasks.ping"})


@dataclass(frozen=True)
class ScheduledJob:
    """One entry of the beat schedule."""

    name: str
    task: str
    schedule: every
    margin: datetime.timedelta

    @property
    def period_label(self) -> str:
        if isinstance(self.schedule, crontab):
            return f"cron {self.schedule._orig_minute} {self.schedule._orig_hour} (min hour)"
        seconds = int(self.schedule.run_every.total_seconds())
        if seconds % 86400 == 0:
            days = seconds // 86400
            return "daily" if days == 1 else f"every {days} days"
        if seconds % 3600 == 0:
            hours = seconds // 3600
            return "hourly" if hours == 1 else f"every {hours} hours"
        return f"every {seconds // 60} minutes"

    def next_due(self, last: datetime.datetime, now: datetime.datetime) -> datetime.datetime:
        """When the run after one at ``last`` is due (in the past when late)."""
        if isinstance(self.schedule, crontab):
            # The first firing time after ``last``: crontab knows its own rule.
            return now + self.schedule.remaining_estimate(last)
        return last + self.schedule.run_every


@dataclass(frozen=True)
class JobStatus:
    job: ScheduledJob
    last_success: datetime.datetime | None
    last_run: JobRun | None
    next_due: datetime.datetime
    overdue: bool

    @property
    def name(self) -> str:
        return self.job.name


def registry() -> list[ScheduledJob]:
    """Every job in ``CELERY_BEAT_SCHEDULE``, in the order settings list them."""
    default = datetime.timedelta(minutes=settings.JOBS_OVERDUE_MARGIN_MINUTES)
    margins = getattr(settings, "JOBS_OVERDUE_MARGINS", {})
    jobs = []
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        margin = datetime.timedelta(minutes=margins[name]) if name in margins else default
        jobs.append(
            ScheduledJob(
                name=name,
                task=entry["task"],
                schedule=maybe_schedule(entry["schedule"], app=app),
                margin=margin,
            )
        )
    return jobs


def scheduled_tasks() -> frozenset[str]:
    return frozenset(entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values())


def _installed_at() -> datetime.datetime | None:
    return MigrationRecorder.Migration.objects.aggregate(at=Max("applied"))["at"]


def statuses(now: datetime.datetime | None = None) -> list[JobStatus]:
    """Each scheduled job's last success, last run, next due time and whether
    it is overdue. Three queries whatever the number of jobs (a fourth while
    a job has never run)."""
    now = now or timezone.now()
    jobs = registry()
    tasks = [j.task for j in jobs]
    success = dict(
        JobRun.objects.filter(job__in=tasks, outcome=JobRun.Outcome.OK)
        .values("job")
        .annotate(at=Max("finished_at"))
        .values_list("job", "at")
    )
    first = dict(
        JobRun.objects.filter(job__in=tasks)
        .values("job")
        .annotate(at=Min("started_at"))
        .values_list("job", "at")
    )
    newest = JobRun.objects.filter(job=OuterRef("job")).order_by("-started_at").values("pk")[:1]
    last_runs = {run.job: run for run in JobRun.objects.filter(job__in=tasks, pk=Subquery(newest))}
    installed = None
    result = []
    for job in jobs:
        last_success = success.get(job.task)
        reference = last_success or first.get(job.task)
        if reference is None:
            installed = installed or _installed_at() or now
            reference = installed
        due = job.next_due(reference, now)
        result.append(
            JobStatus(
                job=job,
                last_success=last_success,
                last_run=last_runs.get(job.task),
                next_due=due,
                overdue=now > due + job.margin,
            )
        )
    return result


def overdue(now: datetime.datetime | None = None) -> list[JobStatus]:
    return [s for s in statuses(now) if s.overdue]


def failed_runs():
    """Tasks that failed after their retries and were not run again yet."""
    return JobRun.objects.filter(outcome=JobRun.Outcome.FAILED).order_by("-started_at")


# --- the watch --------------------------------------------------------------------


def _admin_addresses() -> list[str]:
    emails = list(
        User.objects.filter(role=Role.STAFF_ADMIN, is_active=True)
        .order_by("pk")
        .values_list("email", flat=True)
    )
    return emails or [address for _name, address in settings.ADMINS]


def watch(now: datetime.datetime | None = None) -> dict:
    """Open, update or close the incident, then send what is owed: the alert
    of an open incident, the recovery of a closed one whose alert went out.
    Each e-mail is claimed by ``smartnet.mail.send_once`` on the incident."""
    now = now or timezone.now()
    late = overdue(now)
    names = sorted(s.name for s in late)
    with transaction.atomic():
        incident = (
            JobRun.objects.select_for_update()
            .filter(job=INCIDENT_JOB, finished_at__isnull=True)
            .first()
        )
        if late and incident is None:
            try:
                with transaction.atomic():
                    incident = JobRun.objects.create(
                        job=INCIDENT_JOB,
                        key=now.isoformat(),
                        started_at=now,
                        outcome=JobRun.Outcome.RUNNING,
                        summary={"jobs": names},
                    )
            except IntegrityError:
                # Another watcher opened it a moment ago.
                incident = JobRun.objects.get(job=INCIDENT_JOB, finished_at__isnull=True)
        elif late and incident is not None:
            seen = sorted(set(incident.summary.get("jobs", [])) | set(names))
            if seen != incident.summary.get("jobs"):
                JobRun.objects.filter(pk=incident.pk).update(summary={"jobs": seen})
        elif incident is not None:
            JobRun.objects.filter(pk=incident.pk).update(finished_at=now, outcome=JobRun.Outcome.OK)
    latest = JobRun.objects.filter(job=INCIDENT_JOB).order_by("-started_at").first()
    sent = {"alert": False, "recovery": False}
    if latest is not None:
        to = _admin_addresses()
        if latest.finished_at is None:
            message = mail.render(
                "smartnet/email/jobs_overdue",
                {"overdue": late, "opened_at": latest.started_at},
                to=to,
            )
            sent["alert"] = mail.send_once(message, kind=ALERT_KIND, key=latest.key)
        elif mail.was_sent(kind=ALERT_KIND, key=latest.key):
            message = mail.render(
                "smartnet/email/jobs_recovered",
                {
                    "jobs": latest.summary.get("jobs", []),
                    "opened_at": latest.started_at,
                    "closed_at": latest.finished_at,
                },
                to=to,
            )
            sent["recovery"] = mail.send_once(message, kind=RECOVERY_KIND, key=latest.key)
    return {"overdue": names, **sent}


def prune(now: datetime.datetime | None = None) -> int:
    """Delete successful scheduled runs older than ``JOBS_RUN_RETENTION_DAYS``,
    keeping each job's latest success (the watch counts from it)."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.JOBS_RUN_RETENTION_DAYS)
    newest = (
        JobRun.objects.filter(job=OuterRef("job"), outcome=JobRun.Outcome.OK)
        .order_by("-finished_at")
        .values("pk")[:1]
    )
    old = JobRun.objects.filter(
        job__in=scheduled_tasks(), outcome=JobRun.Outcome.OK, started_at__lt=cutoff
    ).exclude(pk=Subquery(newest))
    deleted, _ = old.delete()
    return deleted


# --- run again ----------------------------------------------------------------------


def rerun(*, run_id: int, by: User) -> JobRun:
    """Queue a failed task again with its arguments, once: the row moves from
    failed to rerun under its lock, so a double click queues one task."""
    with transaction.atomic():
        run = JobRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None:
            raise ValidationError("This run does not exist.")
        if run.outcome != JobRun.Outcome.FAILED:
            raise ValidationError("This run is not a failed one; it was run again already.")
        if run.job not in app.tasks:
            raise ValidationError(f"No task is registered as {run.job}; it cannot be run again.")
        run.outcome = JobRun.Outcome.RERUN
        run.summary = {
            **run.summary,
            "rerun_by": by.pk,
            "rerun_at": timezone.now().isoformat(),
        }
        run.save(update_fields=["outcome", "summary"])
        enqueue(run.job, *run.args, **run.kwargs)
    return run


# --- recording each run (Celery signals) -------------------------------------------

_started: dict[str, float] = {}


def _summary(value) -> dict:
    if isinstance(value, dict):
        return value
    if value is None or isinstance(value, (bool, int, float, str)):
        return {"result": value}
    return {"result": str(value)[:200]}


def _error(exc: BaseException | None) -> str:
    if exc is None:
        return ""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{exc.__class__.__name__}: {text}"[:2000]


def _safe(fn):
    """A recording failure must never fail the task it records."""

    def wrapped(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except DatabaseError:
            logger.exception("could not record the job run")
        return None

    return wrapped


@signals.task_prerun.connect
def _on_start(task_id=None, task=None, **_):
    _started[task_id] = time.monotonic()
    if task.name in NOT_RECORDED or task.name not in scheduled_tasks():
        return
    _safe(
        lambda: JobRun.objects.update_or_create(
            job=task.name,
            key=task_id,
            defaults={"outcome": JobRun.Outcome.RUNNING, "finished_at": None},
            create_defaults={"outcome": JobRun.Outcome.RUNNING, "started_at": timezone.now()},
        )
    )()


@signals.task_postrun.connect
def _on_finish(task_id=None, task=None, args=None, kwargs=None, retval=None, state=None, **_):
    began = _started.pop(task_id, None)
    duration_ms = round((time.monotonic() - began) * 1000) if began is not None else None
    outcome = {
        "SUCCESS": JobRun.Outcome.OK,
        "RETRY": JobRun.Outcome.RETRYING,
    }.get(state or "", JobRun.Outcome.FAILED)
    fields = {
        "task_id": task_id,
        "job": task.name,
        "outcome": outcome.value,
        "duration_ms": duration_ms,
    }
    logger.info(line("task", fields), extra=fields)
    if task.name in NOT_RECORDED or task.name not in scheduled_tasks():
        return
    update: dict = {"outcome": outcome, "finished_at": timezone.now()}
    if outcome == JobRun.Outcome.OK:
        update["summary"] = _summary(retval)
        update["error"] = ""
    else:
        # task_failure and task_retry record the error and the arguments.
        update["args"] = list(args or [])
        update["kwargs"] = dict(kwargs or {})
    _safe(lambda: JobRun.objects.filter(job=task.name, key=task_id).update(**update))()


@signals.task_retry.connect
def _on_retry(request=None, reason=None, sender=None, **_):
    if sender is None or request is None or sender.name not in scheduled_tasks():
        return
    _safe(
        lambda: JobRun.objects.filter(job=sender.name, key=request.id).update(
            error=_error(reason if isinstance(reason, BaseException) else None)
            or str(reason)[:2000]
        )
    )()


@signals.task_failure.connect
def _on_failure(task_id=None, exception=None, args=None, kwargs=None, sender=None, **_):
    """A task that failed for good (retries spent, or none): listed for staff."""
    if sender is None or sender.name in NOT_RECORDED:
        return
    _safe(
        lambda: JobRun.objects.update_or_create(
            job=sender.name,
            key=task_id,
            defaults={
                "outcome": JobRun.Outcome.FAILED,
                "finished_at": timezone.now(),
                "error": _error(exception),
                "args": list(args or []),
                "kwargs": dict(kwargs or {}),
            },
        )
    )()
