"""The meetings demo at scale 1: the network's shape, and a valid feed."""

import datetime
import json
import random

import pytest

from meetings import demo, selectors
from meetings.models import (
    HeadCount,
    Meeting,
    Proposal,
    ProposalKind,
    ProposalStatus,
    SessionNotHeld,
)
from partners import demo as partners_demo
from smartnet.demo import DemoContext
from smartnet.roles import Role
from tests.factories import PersonFactory, UserFactory
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
    feed = json.loads(client.get("/meetings/feed.json").getvalue())
    assert validate_feed(feed) == []
    partner_id = ctx.shared["partners_partner_org_id"]
    assert Meeting.objects.filter(site__organisation_id=partner_id).exists()


def test_the_demo_facilitator_keeps_records_and_one_change_waits_for_staff():
    today = datetime.date(2014, 10, 1)
    ctx = DemoContext(scale=1, today=today, rng=random.Random(2014), log=lambda *_: None)
    partners_demo.seed(ctx)
    user = UserFactory(email="facilitator@smartnet.example", role=Role.FACILITATOR)
    ctx.shared["training_facilitator_person_id"] = PersonFactory(user=user).pk
    demo.seed(ctx)
    meeting = selectors.meetings_for_facilitator(
        person_id=ctx.shared["training_facilitator_person_id"]
    ).get()
    assert HeadCount.objects.filter(meeting=meeting, recorded_by=user).count() >= 2
    assert SessionNotHeld.objects.filter(meeting=meeting, recorded_by=user).count() == 1
    missing = selectors.missing_head_counts(
        meetings=Meeting.objects.filter(pk=meeting.pk), today=today
    )
    assert len(missing[meeting.pk]) >= 2
    proposal = Proposal.objects.get(kind=ProposalKind.CHANGE, status=ProposalStatus.PENDING)
    assert proposal.meeting == meeting and proposal.proposed_by == user
    assert set(proposal.changes) == {"start_time", "end_time"}
