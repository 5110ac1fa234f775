"""Joining links on hosts that meeting-finder apps recognise (issue 18)."""

import datetime
import json
import random

import pytest

from meetings import demo
from meetings.conferencing import conference_provider, unrecognised_host_warning
from meetings.models import Meeting
from partners import demo as partners_demo
from smartnet.demo import DemoContext

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url", "provider"),
    [
        ("https://us02web.zoom.us/j/81234567890", "Zoom"),
        ("https://zoom.us/j/1", "Zoom"),
        ("https://meet.google.com/abc-defg-hij", "Google Meet"),
        ("https://teams.microsoft.com/l/meetup-join/x", "Teams"),
        ("https://teams.live.com/meet/9", "Teams"),
        ("https://acme.webex.com/meet/x", "WebEx"),
        ("https://meet.jit.si/SmartLeeds", "Jitsi"),
        ("https://signal.group/#abc", "Signal"),
        ("https://discord.gg/abc", "Discord"),
        ("https://meet.example.org/leeds", None),
        ("https://notzoom.us/j/1", None),
        ("https://zoom.us.example.org/j/1", None),
        ("", None),
    ],
)
def test_the_finder_apps_list_of_hosts(url, provider):
    assert conference_provider(url) == provider


def test_the_warning_suggests_a_phone_number():
    warning = unrecognised_host_warning("https://meet.example.org/x", has_phone=False)
    assert "do not recognise meet.example.org" in warning
    assert "will not show this meeting as online" in warning
    assert "Add a joining phone number too" in warning
    assert "keeps it listed" in unrecognised_host_warning("https://x.org/1", has_phone=True)
    assert unrecognised_host_warning("https://zoom.us/j/1", has_phone=False) == ""


def _online(**extra):
    return {
        "name": "Online Wednesday",
        "programme": "smart",
        "weekday": 2,
        "start_time": "19:00",
        "end_time": "20:00",
        "format": "online",
        "is_public": "on",
        **extra,
    }


def test_staff_are_warned_about_an_unknown_host_and_the_meeting_is_saved(client, world):
    client.force_login(world.users["staff_admin"])
    response = client.post(
        "/staff/meetings/new/", _online(conference_url="https://meet.example.org/wed"), follow=True
    )
    body = response.content.decode()
    assert Meeting.objects.filter(name="Online Wednesday").exists()
    assert "will not show this meeting as online" in body
    assert "Add a joining phone number too" in body
    meeting = Meeting.objects.get(name="Online Wednesday")
    assert (
        "will not show this meeting as online"
        in client.get(f"/staff/meetings/{meeting.pk}/").content.decode()
    )
    response = client.post(
        f"/staff/meetings/{meeting.pk}/edit/",
        _online(conference_url="https://us02web.zoom.us/j/81234567890"),
        follow=True,
    )
    assert "will not show this meeting as online" not in response.content.decode()


def test_a_partner_is_warned_too(client, world):
    client.force_login(world.users["partner_contact"])
    response = client.post(
        "/portal/meetings/propose/",
        _online(conference_url="https://video.example.net/room"),
        follow=True,
    )
    assert "do not recognise video.example.net" in response.content.decode()


def test_a_joining_link_that_is_not_https_is_refused(client, world):
    client.force_login(world.users["staff_admin"])
    response = client.post("/staff/meetings/new/", _online(conference_url="http://zoom.us/j/1"))
    assert response.status_code == 200
    assert "The joining link must be a secure link starting with https://" in (
        response.content.decode()
    )
    assert not Meeting.objects.filter(name="Online Wednesday").exists()


def test_every_online_meeting_in_the_demo_feed_has_a_recognised_host_or_a_phone(client):
    ctx = DemoContext(
        scale=1, today=datetime.date(2014, 10, 1), rng=random.Random(2014), log=lambda *_: None
    )
    partners_demo.seed(ctx)
    demo.seed(ctx)
    feed = json.loads(client.get("/meetings/feed.json").getvalue())
    online = [m for m in feed if m.get("conference_url") or m.get("conference_phone")]
    assert len(online) > 20
    unknown = [
        m["slug"]
        for m in online
        if not conference_provider(m.get("conference_url", "")) and not m.get("conference_phone")
    ]
    assert unknown == []
