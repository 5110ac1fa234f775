"""smartnet: the back office of a national network of SMART Recovery meetings."""

from smartnet.celery import app as celery_app

__all__ = ("celery_app",)
