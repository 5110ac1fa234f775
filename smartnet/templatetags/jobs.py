"""``{% job_statuses as statuses %}``: the scheduled jobs for the dashboard panel."""

from django import template

from smartnet import jobs

register = template.Library()


@register.simple_tag
def job_statuses() -> list[jobs.JobStatus]:
    return jobs.statuses()
