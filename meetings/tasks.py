"""Celery tasks of the meetings app: envelopes that take ids and call one function."""

from celery import shared_task

from meetings import geocoding


@shared_task(name="meetings.tasks.geocode_site", autoretry_for=(OSError,), max_retries=3)
def geocode_site(site_id: int) -> bool:
    return geocoding.place_site(site_id)


@shared_task(name="meetings.tasks.geocode_meeting", autoretry_for=(OSError,), max_retries=3)
def geocode_meeting(meeting_id: int) -> bool:
    return geocoding.place_meeting_venue(meeting_id)
