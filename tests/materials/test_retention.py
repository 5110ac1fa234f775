"""The address-retention job: finished parcels lose their address after the period,
open ones never; counts, lines and costs stay; a second run changes nothing."""

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from materials import services, tasks
from materials.models import Dispatch, DispatchLine, Status
from smartnet.celery import app
from tests.materials.factories import make_dispatch, make_item

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 30)


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def _days_ago(n: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=n)


@pytest.fixture
def parcels(settings):
    settings.MATERIALS_ADDRESS_RETENTION_DAYS = 180
    item = make_item("poster", unit_cost="1.25")
    old = _days_ago(200)
    made = {
        "old_dispatched": make_dispatch(
            {item: 3},
            status=Status.DISPATCHED,
            tracking_reference="TR1",
            dispatched_on=old,
            dispatched_at=_at(old),
            created_at=_at(old),
        ),
        "old_delivered": make_dispatch(
            {item: 2},
            status=Status.DELIVERED,
            tracking_reference="TR2",
            dispatched_on=old,
            dispatched_at=_at(old),
            delivered_at=_at(old),
            created_at=_at(old),
            address_line_2="Flat 2",
        ),
        "old_rejected": make_dispatch(
            {item: 1}, status=Status.REJECTED, rejected_at=_at(old), created_at=_at(old)
        ),
        "recent_dispatched": make_dispatch(
            {item: 4},
            status=Status.DISPATCHED,
            tracking_reference="TR3",
            dispatched_on=_days_ago(179),
            dispatched_at=_at(_days_ago(179)),
            created_at=_at(old),
        ),
        "recent_rejected": make_dispatch(
            {item: 1}, status=Status.REJECTED, rejected_at=_at(_days_ago(10)), created_at=_at(old)
        ),
    }
    for status in (Status.AWAITING_VERIFICATION, Status.SUBMITTED, Status.APPROVED, Status.PACKED):
        made[f"open_{status}"] = make_dispatch(
            {item: 1}, status=status, created_at=_at(_days_ago(900))
        )
    DispatchLine.objects.filter(dispatch__in=made.values()).update(
        quantity_packed=1, unit_cost=Decimal("1.25")
    )
    return made


def _state():
    return {
        d.pk: (d.address_line_1, d.address_line_2, d.town, d.postcode, d.contact_name, d.status)
        for d in Dispatch.objects.all()
    }


def _lines():
    return sorted(
        DispatchLine.objects.values_list(
            "dispatch_id", "item_id", "quantity", "quantity_packed", "unit_cost"
        )
    )


def test_only_finished_parcels_older_than_the_period_lose_their_address(parcels):
    lines_before = _lines()
    changed = services.delivery_addresses_purge(today=TODAY)
    assert changed == 3
    for name in ("old_dispatched", "old_delivered", "old_rejected"):
        d = Dispatch.objects.get(pk=parcels[name].pk)
        assert (d.address_line_1, d.address_line_2, d.town, d.postcode) == ("", "", "", ""), name
        assert d.contact_name == parcels[name].contact_name  # who, for the figures; not where
        assert d.status == parcels[name].status
    for name, original in parcels.items():
        if name.startswith(("recent_", "open_")):
            d = Dispatch.objects.get(pk=original.pk)
            assert d.address_lines == ["1 Hope Street", "Liverpool", "L1 9BX"], name
    assert Dispatch.objects.count() == len(parcels)
    assert _lines() == lines_before  # items, quantities, costs kept


def test_running_twice_changes_nothing_the_second_time(parcels):
    assert services.delivery_addresses_purge(today=TODAY) == 3
    after_first = _state()
    assert services.delivery_addresses_purge(today=TODAY) == 0
    assert _state() == after_first


def test_the_period_comes_from_the_setting(parcels, settings):
    settings.MATERIALS_ADDRESS_RETENTION_DAYS = 5
    assert services.delivery_addresses_purge(today=TODAY) == 5  # + recent dispatched and rejected
    open_ones = Dispatch.objects.filter(status__in=[Status.SUBMITTED, Status.PACKED])
    assert all(d.address_line_1 == "1 Hope Street" for d in open_ones)


def test_the_task_is_registered_and_runs_the_service(parcels):
    app.loader.import_default_modules()
    assert "materials.tasks.purge_delivery_addresses" in app.tasks
    assert tasks.purge_delivery_addresses.apply(args=[TODAY.isoformat()]).get() == 3
    assert tasks.purge_delivery_addresses.apply(args=[TODAY.isoformat()]).get() == 0


def test_the_beat_schedule_runs_it_daily(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["materials-purge-delivery-addresses"]
    assert entry["task"] == "materials.tasks.purge_delivery_addresses"
    assert entry["schedule"] == datetime.timedelta(days=1)


def test_the_command_purges_as_of_the_given_day(parcels):
    out = StringIO()
    call_command("purge_delivery_addresses", "--today", TODAY.isoformat(), stdout=out)
    assert "removed 3 delivery address(es)" in out.getvalue()
    assert "2026-01-01" in out.getvalue()  # 180 days before 2026-06-30
    out = StringIO()
    call_command("purge_delivery_addresses", "--today", TODAY.isoformat(), stdout=out)
    assert "removed 0 delivery address(es)" in out.getvalue()


def test_the_command_refuses_a_bad_date(parcels):
    before = _state()
    with pytest.raises(CommandError, match="--today"):
        call_command("purge_delivery_addresses", "--today", "30/06/2026")
    assert _state() == before
