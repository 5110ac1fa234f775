from celery import shared_task

from training import services


@shared_task(name="training.tasks.run_import")
def run_import(job_id: int) -> str:
    """Import one uploaded Moodle export (claimed once; see services.import_run)."""
    return services.import_run(job_id=job_id).status
