"""Board jobs: envelopes around ``board.services`` (ids and ISO dates in, one call)."""

from datetime import date

from celery import shared_task
from django.utils import timezone

from board import rollups, services


@shared_task(name="board.tasks.draft_board_reports")
def draft_board_reports(today: str | None = None) -> list[int]:
    """Beat: draft the report of every board meeting within the lead time."""
    on = date.fromisoformat(today) if today else None
    return [r.pk for r in services.draft_board_reports(today=on)]


@shared_task(name="board.tasks.notify_report_drafted", autoretry_for=(OSError,), max_retries=5)
def notify_report_drafted(report_id: int) -> bool:
    return services.report_drafted_notify(report_id=report_id)


@shared_task(name="board.tasks.notify_report_issued", autoretry_for=(OSError,), max_retries=5)
def notify_report_issued(report_id: int) -> bool:
    return services.report_issued_notify(report_id=report_id)


@shared_task(name="board.tasks.rollup_figures")
def rollup_figures(today: str | None = None) -> dict:
    """Beat (nightly): rebuild the dashboard's daily roll-ups for the day."""
    return rollups.rebuild(today=date.fromisoformat(today) if today else timezone.localdate())
