from django.apps import AppConfig
from django.conf import settings


class SmartnetConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "smartnet"
    verbose_name = "smartnet core"

    def ready(self) -> None:
        # Register every app's tasks in every process (a web worker too, not only
        # a Celery worker), so ``smartnet.queue.enqueue`` can check a task's
        # name when it is queued rather than when a worker fails to find it.
        from smartnet.celery import app

        app.autodiscover_tasks(force=True)
        # Record the runs of scheduled jobs and failed tasks (Celery signals).
        # The production settings check (part of check --deploy); the ``__any``
        # lookup (smartnet.bulk).
        import smartnet.bulk
        import smartnet.checks
        import smartnet.jobs  # noqa: F401

        if settings.SENTRY_DSN:
            from smartnet.reporting import init_sentry

            init_sentry(settings.SENTRY_DSN, environment=settings.SENTRY_ENVIRONMENT)
