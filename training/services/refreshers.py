"""Refresher reminders: a Champion's or facilitator's status lapses
``validity_months`` after the completion that gave it (``Completion.valid_until``);
they are reminded ``TRAINING_REFRESHER_REMINDER_DAYS`` before (default 60 and 14),
once each, by a daily job.

Once each is a database fact: a ``RefresherReminder`` row, unique per
(person, completion, days_before), is committed before the e-mail goes
(``smartnet.mail.deliver``), so a second run - or two at once - finds the row
and sends nothing. A run that missed days sends only the nearest reminder due
(a status 10 days from lapsing gets the 14-day one, not the 60-day one too).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from smartnet import mail
from smartnet.models import JobRun
from training import selectors
from training.models import Completion, RefresherReminder

JOB = "training.refresher_reminders"


def reminder_offsets() -> list[int]:
    """The configured days-before, largest first."""
    return sorted(settings.TRAINING_REFRESHER_REMINDER_DAYS, reverse=True)


def offset_due(days_left: int) -> int | None:
    """Which reminder is due for a status ``days_left`` days from lapsing: the
    nearest configured offset not yet passed, or None (too early, or lapsed)."""
    if days_left < 0:
        return None
    due = [d for d in reminder_offsets() if days_left <= d]
    return min(due) if due else None


def _claim(
    completion: Completion, days_before: int, lapses_on: datetime.date, today: datetime.date
):
    try:
        with transaction.atomic(durable=True):
            return RefresherReminder.objects.create(
                person_id=completion.person_id,
                completion=completion,
                days_before=days_before,
                due_on=lapses_on,
                claimed_on=today,
            )
    except IntegrityError:
        return None  # another run claimed it first


def refresher_reminders_run(*, today: datetime.date | None = None) -> dict[str, Any]:
    """The daily job: remind everyone whose status lapses within a configured
    offset and who has not had that reminder. Idempotent (see the module)."""
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=max(reminder_offsets()))
    candidates = list(
        selectors.lapsing_statuses(start=today, end=horizon).select_related("person", "course")
    )
    sent_before = set(
        RefresherReminder.objects.filter(completion__in=[c.pk for c in candidates]).values_list(
            "completion_id", "days_before"
        )
    )
    summary: dict[str, Any] = {"reminded": 0, "no_email": 0, "already": 0}
    for completion in candidates:
        lapses_on = completion.valid_until
        days_before = offset_due((lapses_on - today).days) if lapses_on else None
        if lapses_on is None or days_before is None:
            continue
        if (completion.pk, days_before) in sent_before:
            summary["already"] += 1
            continue
        if not completion.person.email:
            summary["no_email"] += 1
            continue
        reminder = _claim(completion, days_before, lapses_on, today)
        if reminder is None:
            summary["already"] += 1
            continue
        message = mail.render(
            "training/email/refresher_reminder",
            {
                "person": completion.person,
                "course": completion.course,
                "status": completion.course.get_awards_display(),
                "valid_until": lapses_on,
                "days_left": (lapses_on - today).days,
            },
            to=[completion.person.email],
        )
        mail.deliver(message, reminder)
        summary["reminded"] += 1
    _record_run(today, summary)
    return summary


def _record_run(today: datetime.date, summary: dict[str, Any]) -> None:
    """One JobRun per day (unique job+key); a second run adds its counts."""
    with transaction.atomic():
        run, created = JobRun.objects.select_for_update().get_or_create(
            job=JOB, key=today.isoformat(), defaults={"summary": summary}
        )
        if not created:
            merged = {k: run.summary.get(k, 0) + v for k, v in summary.items()}
            JobRun.objects.filter(pk=run.pk).update(summary=merged)
        JobRun.objects.filter(pk=run.pk).update(finished_at=timezone.now())
