from celery import shared_task
from django.db import IntegrityError, transaction

from smartnet import emails, jobs
from smartnet.models import JobRun
from smartnet.queue import flush_outbox as flush_outbox_service
from smartnet.sign_in_records import sign_in_logs_purge


@shared_task(name="smartnet.tasks.flush_outbox")
def flush_outbox() -> int:
    return flush_outbox_service()


@shared_task(name="smartnet.tasks.ping")
def ping(marker: str) -> bool:
    """Record that a worker ran this; used to check the broker end to end.

    Running it twice with the same marker records one run.
    """
    try:
        with transaction.atomic():
            JobRun.objects.create(job="ping", key=marker)
    except IntegrityError:
        return False
    return True


@shared_task(name="smartnet.tasks.purge_sign_in_logs", acks_late=True)
def purge_sign_in_logs() -> int:
    """The nightly retention job for sign-in records (``purge_sign_in_logs``)."""
    return sign_in_logs_purge()


@shared_task(name="smartnet.tasks.send_two_factor_notice", autoretry_for=(OSError,), max_retries=5)
def send_two_factor_notice(event_id: int) -> bool:
    return emails.two_factor_notice_send(event_id=event_id)


@shared_task(name="smartnet.tasks.watch_jobs")
def watch_jobs() -> dict:
    """The job watch: alert staff admins once per incident of overdue jobs,
    and once on recovery (``smartnet.jobs.watch``); prune old run records."""
    result = jobs.watch()
    result["pruned"] = jobs.prune()
    return result
