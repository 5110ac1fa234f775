"""Sign-in records (django-axes) are kept SIGN_IN_LOG_RETENTION_DAYS, then purged
nightly; the command does what the task does, and a second run removes nothing."""

import datetime

import pytest
from axes.models import AccessAttempt, AccessLog
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from smartnet import tasks
from smartnet.sign_in_records import sign_in_logs_purge

pytestmark = pytest.mark.django_db


def _log(model, days_ago: int, **fields):
    row = model.objects.create(
        username="someone@example.org", ip_address="192.0.2.1", user_agent="x",
        http_accept="*/*", path_info="/accounts/login/", **fields,
    )  # fmt: skip
    model.objects.filter(pk=row.pk).update(
        attempt_time=timezone.now() - datetime.timedelta(days=days_ago)
    )
    return row


def test_old_sign_in_records_are_purged_and_recent_ones_kept(settings):
    settings.SIGN_IN_LOG_RETENTION_DAYS = 30
    old = _log(AccessLog, 31)
    recent = _log(AccessLog, 29)
    _log(AccessAttempt, 45, get_data="", post_data="", failures_since_start=1)
    assert sign_in_logs_purge() == 2
    assert list(AccessLog.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not AccessLog.objects.filter(pk=old.pk).exists()
    assert not AccessAttempt.objects.exists()
    assert sign_in_logs_purge() == 0


def test_the_command_and_the_nightly_task(settings, capsys):
    settings.SIGN_IN_LOG_RETENTION_DAYS = 90
    _log(AccessLog, 100)
    _log(AccessLog, 10)
    today = timezone.localdate() + datetime.timedelta(days=85)
    call_command("purge_sign_in_logs", "--today", today.isoformat())
    assert "removed 2 sign-in record(s)" in capsys.readouterr().out
    _log(AccessLog, 100)
    assert tasks.purge_sign_in_logs() == 1
    entry = next(
        e for e in settings.CELERY_BEAT_SCHEDULE.values()
        if e["task"] == "smartnet.tasks.purge_sign_in_logs"
    )  # fmt: skip
    assert entry["schedule"] == datetime.timedelta(days=1)


def test_the_retention_has_a_default():
    assert settings.SIGN_IN_LOG_RETENTION_DAYS == 90
