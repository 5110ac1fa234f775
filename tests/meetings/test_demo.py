"""The meetings demo at scale 1: the network's shape, and a valid feed."""

import datetime
import json
import random

import pytest

from meetings import demo, selectors
from meetings.models import Meeting
from partners import demo as partners_demo
from smartnet.demo import DemoContext
from tests.meetings.test_feeds import validate_feed

pytestmark = pytest.mark.django_db


def test_demo_network(client):

    today = datetime.date(2014, 10, 1)
    ctx = DemoContext(scale=1, today=today, rng=random.Random(2014), log=lambda *_: None)
    partners_demo.seed(ctx)
    demo.seed(ctx)
    assert 450 <= selectors.meetings_per_week(on=today) <= 560
    four_years_ago = today - datetime.timedelta(days=4 * 365)
    assert 25 <= selectors.meetings_per_week(on=four_years_ago) <= 60
    assert 6.0 <= float(selectors.average_attendance()) <= 7.0
    share = selectors.peer_led_share(on=today)
    assert share is not None and 0.15 < share < 0.6
    # Every meeting's lifecycle history agrees with its current status.
    for meeting in Meeting.objects.prefetch_related("status_changes")[:200]:
        last = max(meeting.status_changes.all(), key=lambda c: (c.on, c.pk))
        assert last.status == meeting.status
    feed = json.loads(client.get("/meetings/feed.json").content)
    assert validate_feed(feed) == []
    partner_id = ctx.shared["partners_partner_org_id"]
    assert Meeting.objects.filter(site__organisation_id=partner_id).exists()
