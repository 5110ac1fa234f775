"""The feed and calendars answer conditional requests (finder apps poll them)."""

import datetime

import pytest
from django.core.cache import cache
from django.utils.http import parse_http_date

from meetings import services

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "which", ["feed.json", "feed/yorkshire-and-the-humber.json", "calendar.ics", "one.ics"]
)
def test_304_until_a_meeting_changes(
    client, network, which, django_assert_num_queries, django_capture_on_commit_callbacks
):
    cache.clear()
    url = f"/meetings/{network['leeds'].slug}.ics" if which == "one.ics" else f"/meetings/{which}"
    first = client.get(url)
    assert first.status_code == 200
    etag, modified = first["ETag"], first["Last-Modified"]
    assert etag.startswith('W/"') and parse_http_date(modified)
    with django_assert_num_queries(0):
        again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    by_date = client.get(url, headers={"If-Modified-Since": modified})
    assert by_date.status_code == 304
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_update(meeting=network["leeds"], name="Leeds Hybrid Group")
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert b"Leeds Hybrid Group" in changed.getvalue()


def test_an_old_validator_gets_the_whole_feed(client, network):
    response = client.get(
        "/meetings/feed.json",
        headers={
            "If-None-Match": 'W/"feed.json-1"',
            "If-Modified-Since": "Wed, 01 Jan 2014 00:00:00 GMT",
        },
    )
    assert response.status_code == 200 and response.getvalue()


def test_the_last_modified_date_moves_on_with_a_change(
    client, network, django_capture_on_commit_callbacks, time_machine
):
    time_machine.move_to(datetime.datetime(2014, 10, 1, 9, tzinfo=datetime.UTC), tick=False)
    cache.clear()
    before = parse_http_date(client.get("/meetings/feed.json")["Last-Modified"])
    time_machine.move_to(datetime.datetime(2014, 10, 2, 9, tzinfo=datetime.UTC), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_pause(meeting=network["bolton"], on=datetime.date(2014, 9, 1))
    after = parse_http_date(client.get("/meetings/feed.json")["Last-Modified"])
    assert after - before == 24 * 3600
