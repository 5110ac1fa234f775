"""Two staff pack the last 10 posters at the same moment (PostgreSQL, two threads)."""

import datetime
import uuid

import pytest
from django.db.models import Sum

from materials import services
from materials.models import Backorder, Dispatch, DispatchLine, Item, StockMovement
from tests.concurrency import at_once, raised
from tests.factories import PersonFactory
from tests.materials.factories import make_dispatch, make_item
from tests.meetings.factories import make_meeting
from training.postal import PostalAddress

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_packers_cannot_take_stock_below_zero(postgres):
    poster = make_item("poster", stock=10)
    dispatches = [make_dispatch({poster: 10}) for _ in range(2)]
    outcomes = at_once(*[lambda d=d: services.dispatch_pack(dispatch_id=d.pk) for d in dispatches])
    assert raised(outcomes) == []
    poster.refresh_from_db()
    assert poster.stock_on_hand == 0
    assert StockMovement.objects.filter(item=poster).aggregate(s=Sum("quantity"))["s"] == 0
    packed = sorted(DispatchLine.objects.values_list("quantity_packed", flat=True))
    assert packed == [0, 10]  # one got the posters, the other a backorder
    assert list(Backorder.objects.values_list("quantity", flat=True)) == [10]


def test_many_packers_share_the_stock_exactly(postgres):
    poster = make_item("poster", stock=25)
    dispatches = [make_dispatch({poster: 4}) for _ in range(8)]
    outcomes = at_once(*[lambda d=d: services.dispatch_pack(dispatch_id=d.pk) for d in dispatches])
    assert raised(outcomes) == []
    assert Item.objects.get(pk=poster.pk).stock_on_hand == 0
    assert sum(DispatchLine.objects.values_list("quantity_packed", flat=True)) == 25
    assert Backorder.objects.aggregate(s=Sum("quantity"))["s"] == 32 - 25


def test_two_requests_at_once_cannot_both_spend_the_allowance(postgres, settings):

    settings.MATERIALS_FAIR_USE_LIMITS = {"poster": 20}
    poster = make_item("poster", stock=100)
    person = PersonFactory()
    meeting_id = make_meeting(
        started_on=datetime.date(2025, 6, 2), led="peer_led", facilitators=[person]
    ).pk

    def ask():
        return services.request_submit(
            idempotency_key=uuid.uuid4(),
            quantities={poster.pk: 15},
            contact_name="Robin",
            address=PostalAddress("2 Bold Street", "", "Liverpool", "L1 4DJ"),
            contact_email="robin@example.org",
            person=person,
            meeting_id=meeting_id,
        )

    def said(outcome) -> str:
        if isinstance(outcome, services.ValidationError):
            return " ".join(outcome.messages)
        return repr(outcome) if isinstance(outcome, BaseException) else "created"

    outcomes = [said(o) for o in at_once(ask, ask)]
    assert outcomes.count("created") == 1, outcomes
    refused = [o for o in outcomes if o != "created"]
    assert len(refused) == 1 and "can ask for 5 more" in refused[0]
    assert Dispatch.objects.filter(reason="request").count() == 1
