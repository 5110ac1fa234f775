"""The Celery application.

Tasks live in each app's ``tasks.py`` and are found by autodiscovery. Without
``REDIS_URL`` the settings make every task run eagerly in process, so a laptop
needs no broker; with it, tasks go through Redis to a worker.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartnet.settings")

app = Celery("smartnet")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
