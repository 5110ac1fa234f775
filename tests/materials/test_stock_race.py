"""Two staff pack the last 10 posters at the same moment (PostgreSQL, two threads)."""

import datetime
import threading

import pytest
from django.db import connection
from django.db.models import Sum

from materials import services
from materials.models import Backorder, DispatchLine, Item, StockMovement
from tests.materials.factories import make_dispatch, make_item
from tests.meetings.factories import make_meeting

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_packers_cannot_take_stock_below_zero(postgres):
    poster = make_item("poster", stock=10)
    dispatches = [make_dispatch({poster: 10}) for _ in range(2)]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def pack(dispatch_id: int) -> None:
        try:
            barrier.wait(timeout=10)
            services.dispatch_pack(dispatch_id=dispatch_id)
        except BaseException as exc:  # reported by the test below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=pack, args=(d.pk,)) for d in dispatches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    poster.refresh_from_db()
    assert poster.stock_on_hand == 0
    assert StockMovement.objects.filter(item=poster).aggregate(s=Sum("quantity"))["s"] == 0
    packed = sorted(DispatchLine.objects.values_list("quantity_packed", flat=True))
    assert packed == [0, 10]  # one got the posters, the other a backorder
    assert list(Backorder.objects.values_list("quantity", flat=True)) == [10]


def test_many_packers_share_the_stock_exactly(postgres):
    poster = make_item("poster", stock=25)
    dispatches = [make_dispatch({poster: 4}) for _ in range(8)]
    barrier = threading.Barrier(len(dispatches))

    def pack(dispatch_id: int) -> None:
        try:
            barrier.wait(timeout=10)
            services.dispatch_pack(dispatch_id=dispatch_id)
        finally:
            connection.close()

    threads = [threading.Thread(target=pack, args=(d.pk,)) for d in dispatches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert Item.objects.get(pk=poster.pk).stock_on_hand == 0
    assert sum(DispatchLine.objects.values_list("quantity_packed", flat=True)) == 25
    assert Backorder.objects.aggregate(s=Sum("quantity"))["s"] == 32 - 25


def test_two_requests_at_once_cannot_both_spend_the_allowance(postgres, settings):
    import uuid

    from materials.models import Dispatch
    from tests.factories import PersonFactory

    settings.MATERIALS_FAIR_USE_LIMITS = {"poster": 20}
    poster = make_item("poster", stock=100)
    person = PersonFactory()
    meeting_id = make_meeting(
        started_on=datetime.date(2025, 6, 2), led="peer_led", facilitators=[person]
    ).pk
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def ask() -> None:
        try:
            barrier.wait(timeout=10)
            services.request_submit(
                idempotency_key=uuid.uuid4(),
                quantities={poster.pk: 15},
                address=services.Address("Robin", "2 Bold Street", "", "Liverpool", "L1 4DJ"),
                contact_email="robin@example.org",
                person=person,
                meeting_id=meeting_id,
            )
            outcomes.append("created")
        except services.ValidationError as exc:
            outcomes.append(" ".join(exc.messages))
        finally:
            connection.close()

    threads = [threading.Thread(target=ask) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert outcomes.count("created") == 1, outcomes
    refused = [o for o in outcomes if o != "created"]
    assert len(refused) == 1 and "can ask for 5 more" in refused[0]
    assert Dispatch.objects.filter(reason="request").count() == 1
