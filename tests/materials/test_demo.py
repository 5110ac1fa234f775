"""Materials' demo data: 20,000 dispatches at scale 1, in bulk, with a consistent ledger."""

import datetime
import random

import pytest
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext

from materials import demo, selectors
from materials.models import Dispatch, Item, Reason, StockMovement
from smartnet.demo import DemoContext
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_seed_at_scale_one():
    people = PersonFactory.create_batch(30)
    ctx = DemoContext(
        scale=1, today=datetime.date(2014, 12, 31), rng=random.Random(2014), log=lambda m: None
    )
    ctx.shared["training_facilitator_ids"] = [p.pk for p in people]
    with CaptureQueriesContext(connection) as queries:
        demo.seed(ctx)
    assert Dispatch.objects.count() == 20_000
    assert Dispatch.objects.filter(reason=Reason.FACILITATORS_MANUAL).count() == 30
    # Written in batches, not row by row (its time is in the bench's seed figure).
    assert len(queries) < 1_000, len(queries)  # 723 when written; row by row is 40,000+
    for item in Item.objects.all():
        ledger = StockMovement.objects.filter(item=item).aggregate(s=Sum("quantity"))["s"]
        assert item.stock_on_hand == ledger >= 0, item
        assert not StockMovement.objects.filter(item=item, balance_after__lt=0).exists()
    assert selectors.queue_size() > 0
    spend = selectors.spend_by_quarter(
        start=datetime.date(2014, 1, 1), end=datetime.date(2014, 12, 31)
    )
    assert all(amount > 0 for _, amount in spend)
