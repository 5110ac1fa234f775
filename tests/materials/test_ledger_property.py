"""Whatever happens to an item - receipts, adjustments, packing, backorders -
its stock equals the sum of its movements, never goes below zero, and every
unit asked for is either packed, backordered and waiting, or filled later."""

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from materials import services
from materials.models import Backorder, DispatchLine, Item, StockMovement
from tests.materials.factories import make_dispatch, make_item

operations = st.lists(
    st.one_of(
        st.tuples(st.just("receive"), st.integers(min_value=1, max_value=30)),
        st.tuples(st.just("adjust"), st.integers(min_value=-30, max_value=30)),
        st.tuples(st.just("pack"), st.integers(min_value=1, max_value=30)),
    ),
    max_size=15,
)


@pytest.mark.django_db
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=operations)
def test_stock_always_equals_its_ledger(ops):
    item = make_item(f"poster-{Item.objects.count()}", stock=10)
    asked = 0
    for op, qty in ops:
        try:
            if op == "receive":
                services.item_receive(item_id=item.pk, quantity=qty)
            elif op == "adjust":
                services.item_adjust(item_id=item.pk, quantity=qty, note="count")
            else:
                asked += qty
                services.dispatch_pack(dispatch_id=make_dispatch({item: qty}).pk)
        except ValidationError:
            pass  # a refused adjustment (zero, or below stock) changes nothing
        item.refresh_from_db()
        movements = StockMovement.objects.filter(item=item)
        assert item.stock_on_hand == (movements.aggregate(s=Sum("quantity"))["s"] or 0)
        assert item.stock_on_hand >= 0
        assert not movements.filter(balance_after__lt=0).exists()

    originals = DispatchLine.objects.filter(item=item, dispatch__follows__isnull=True)
    packed = originals.aggregate(s=Sum("quantity_packed"))["s"] or 0
    backorders = Backorder.objects.filter(item=item)
    filled = backorders.aggregate(s=Sum("quantity_filled"))["s"] or 0
    waiting = sum(b.outstanding for b in backorders)
    assert packed + filled + waiting == asked
    # Stock and waiting backorders never coexist: a receipt fills them first.
    assert item.stock_on_hand == 0 or waiting == 0
