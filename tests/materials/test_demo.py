"""Materials' demo data: 20,000 dispatches at scale 1, quickly, with a consistent ledger."""

import datetime
import random
import time

import pytest
from django.db.models import Sum

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
    started = time.monotonic()
    demo.seed(ctx)
    elapsed = time.monotonic() - started
    assert Dispatch.objects.count() == 20_000
    assert Dispatch.objects.filter(reason=Reason.FACILITATORS_MANUAL).count() == 30
    assert elapsed < 60, f"demo took {elapsed:.1f}s"  # about 6 s on an idle laptop
    for item in Item.objects.all():
        ledger = StockMovement.objects.filter(item=item).aggregate(s=Sum("quantity"))["s"]
        assert item.stock_on_hand == ledger >= 0, item
        assert not StockMovement.objects.filter(item=item, balance_after__lt=0).exists()
    assert selectors.queue_size() > 0
    spend = selectors.spend_by_quarter(
        start=datetime.date(2014, 1, 1), end=datetime.date(2014, 12, 31)
    )
    assert all(amount > 0 for _, amount in spend)
