import datetime

from celery import shared_task

from training import services


@shared_task(name="training.tasks.run_import")
def run_import(job_id: int) -> str:
    """Import one uploaded Moodle export (claimed once; see services.import_run)."""
    return services.import_run(job_id=job_id).status


@shared_task(
    name="training.tasks.refresher_reminders",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=3,
)
def refresher_reminders(today: str | None = None) -> dict:
    """The daily refresher reminders (beat); ``today`` as an ISO date."""
    on = datetime.date.fromisoformat(today) if today else None
    return services.refresher_reminders_run(today=on)


@shared_task(
    name="training.tasks.send_booking_mail",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def send_booking_mail(kind: str, *ids: int) -> bool:
    """One booking e-mail (confirmation, waiting list, offer, reminder, invitation)."""
    return services.booking_mail_send(kind, *ids)


@shared_task(
    name="training.tasks.bookings_daily",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=3,
)
def bookings_daily(today: str | None = None) -> dict:
    """Expire offers, offer free places, remind the day before (beat)."""
    on = datetime.date.fromisoformat(today) if today else None
    return services.bookings_daily_run(today=on)
