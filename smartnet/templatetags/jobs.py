"""``{% job_statuses as statuses %}``: the scheduled jobs for the dashboard panel.

Kept a minute in the cache (as the dashboard's own figures are), so a cached
dashboard stays at its few queries; ``/staff/jobs/`` always reads afresh."""

from django import template
from django.core.cache import cache

from smartnet import jobs

register = template.Library()

CACHE_KEY = "smartnet:jobs-panel"
CACHE_SECONDS = 60


@register.simple_tag
def job_statuses() -> list[dict]:
    rows = cache.get(CACHE_KEY)
    if rows is None:
        rows = [
            {
                "name": s.name,
                "last_success": s.last_success,
                "next_due": s.next_due,
                "overdue": s.overdue,
            }
            for s in jobs.statuses()
        ]
        cache.set(CACHE_KEY, rows, CACHE_SECONDS)
    return rows
