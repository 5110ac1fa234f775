from celery import shared_task

from feedback import services


@shared_task(
    name="feedback.tasks.tell_facilitators",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def tell_facilitators(report_id: int) -> int:
    return services.facilitators_tell(report_id=report_id)
