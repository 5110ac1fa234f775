"""Stock, packing, backorders, alerts and the dispatch life cycle (materials.services)."""

import datetime
import uuid

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db.models import Sum

from materials import services
from materials.models import Backorder, Dispatch, Item, MovementKind, Reason, Status, StockMovement
from tests.factories import PersonFactory
from tests.materials.factories import make_dispatch, make_item, make_pack
from tests.meetings.factories import make_meeting
from training.postal import PostalAddress


def meeting_of(person) -> int:
    """An active meeting ``person`` facilitates; its id."""
    return make_meeting(
        started_on=datetime.date(2025, 6, 2), led="peer_led", facilitators=[person]
    ).pk


pytestmark = pytest.mark.django_db


def ledger(item: Item) -> int:
    return StockMovement.objects.filter(item=item).aggregate(s=Sum("quantity"))["s"] or 0


def test_receipts_and_adjustments_are_movements_and_stock_follows_them():
    item = make_item("poster", stock=100)
    services.item_adjust(item_id=item.pk, quantity=-7, note="water damage")
    services.item_receive(item_id=item.pk, quantity=20, note="reprint")
    item.refresh_from_db()
    assert item.stock_on_hand == 113 == ledger(item)
    kinds = list(StockMovement.objects.filter(item=item).values_list("kind", "quantity"))
    assert sorted(kinds) == sorted(
        [(MovementKind.RECEIPT, 100), (MovementKind.ADJUSTMENT, -7), (MovementKind.RECEIPT, 20)]
    )
    assert item.history.count() >= 1  # audited


def test_an_adjustment_below_zero_is_refused_and_nothing_changes():
    item = make_item("poster", stock=5)
    with pytest.raises(ValidationError) as exc:
        services.item_adjust(item_id=item.pk, quantity=-6, note="count")
    assert "Only 5 in stock" in str(exc.value)
    item.refresh_from_db()
    assert item.stock_on_hand == 5 == ledger(item)
    assert StockMovement.objects.filter(item=item).count() == 1


@pytest.mark.parametrize(("quantity", "note", "field"), [(0, "x", "quantity"), (3, "  ", "note")])
def test_an_adjustment_needs_a_quantity_and_a_reason(quantity, note, field):
    item = make_item("poster", stock=5)
    with pytest.raises(ValidationError) as exc:
        services.item_adjust(item_id=item.pk, quantity=quantity, note=note)
    assert field in exc.value.message_dict


def test_a_receipt_of_zero_or_less_is_refused():
    item = make_item("poster")
    for quantity in (0, -3):
        with pytest.raises(ValidationError):
            services.item_receive(item_id=item.pk, quantity=quantity)
    assert not StockMovement.objects.exists()


def test_packing_takes_stock_records_cost_and_backorders_the_shortfall():
    poster = make_item("poster", stock=10, unit_cost="1.25")
    leaflet = make_item("leaflet", stock=500, unit_cost="0.05")
    dispatch = make_dispatch({poster: 15, leaflet: 100})
    packed = services.dispatch_pack(dispatch_id=dispatch.pk)
    assert packed.status == Status.PACKED
    poster.refresh_from_db()
    leaflet.refresh_from_db()
    assert (poster.stock_on_hand, leaflet.stock_on_hand) == (0, 400)
    assert poster.stock_on_hand == ledger(poster) and leaflet.stock_on_hand == ledger(leaflet)
    lines = {line.item.code: line for line in packed.lines.all()}
    assert lines["poster"].quantity_packed == 10
    assert str(lines["poster"].unit_cost) == "1.25"
    backorder = Backorder.objects.get()
    assert (backorder.item, backorder.quantity, backorder.outstanding) == (poster, 5, 5)


def test_packing_twice_is_refused_and_takes_stock_once():
    poster = make_item("poster", stock=10)
    dispatch = make_dispatch({poster: 4})
    services.dispatch_pack(dispatch_id=dispatch.pk)
    with pytest.raises(ValidationError, match="cannot be packed: it is packed"):
        services.dispatch_pack(dispatch_id=dispatch.pk)
    poster.refresh_from_db()
    assert poster.stock_on_hand == 6


def test_only_an_approved_dispatch_can_be_packed():
    poster = make_item("poster", stock=10)
    dispatch = make_dispatch({poster: 4}, status=Status.SUBMITTED)
    with pytest.raises(ValidationError, match="it is submitted"):
        services.dispatch_pack(dispatch_id=dispatch.pk)
    poster.refresh_from_db()
    assert poster.stock_on_hand == 10


def test_backorders_fill_oldest_first_when_stock_arrives():
    poster = make_item("poster", stock=0)
    first = make_dispatch({poster: 6})
    second = make_dispatch({poster: 6})
    services.dispatch_pack(dispatch_id=first.pk)
    services.dispatch_pack(dispatch_id=second.pk)
    assert Backorder.objects.count() == 2

    services.item_receive(item_id=poster.pk, quantity=8)

    older, newer = Backorder.objects.order_by("created_at", "pk")
    assert (older.quantity_filled, older.filled_at is not None) == (6, True)
    assert (newer.quantity_filled, newer.filled_at is None) == (2, True)
    followups = Dispatch.objects.filter(reason=Reason.BACKORDER).order_by("pk")
    assert [(f.follows_id, f.status, f.lines.get().quantity_packed) for f in followups] == [
        (first.pk, Status.PACKED, 6),
        (second.pk, Status.PACKED, 2),
    ]
    assert followups[0].postcode == first.postcode
    poster.refresh_from_db()
    assert poster.stock_on_hand == 0 == ledger(poster)

    services.item_receive(item_id=poster.pk, quantity=10)
    newer.refresh_from_db()
    assert newer.filled_at is not None and newer.quantity_filled == 6
    poster.refresh_from_db()
    assert poster.stock_on_hand == 6 == ledger(poster)


def test_low_stock_alerts_materials_staff_once_per_crossing(world, on_commit):
    poster = make_item("poster", stock=30, reorder_level=10)
    mail.outbox.clear()
    for _ in range(3):  # 30 -> 24 -> 18 -> 12: above the level, no alert
        with on_commit():
            services.dispatch_pack(dispatch_id=make_dispatch({poster: 6}).pk)
    assert not [m for m in mail.outbox if "Low stock" in m.subject]
    with on_commit():
        services.dispatch_pack(dispatch_id=make_dispatch({poster: 5}).pk)  # 7: crosses
    with on_commit():
        services.dispatch_pack(dispatch_id=make_dispatch({poster: 5}).pk)  # 2: still low
    alerts = [m for m in mail.outbox if "Low stock" in m.subject]
    assert len(alerts) == 1
    assert alerts[0].to == [world.users["materials"].email]
    assert "Poster" in alerts[0].subject

    with on_commit():
        services.item_receive(item_id=poster.pk, quantity=50)  # back above: re-armed
    with on_commit():
        services.item_adjust(item_id=poster.pk, quantity=-45, note="recount")  # crosses again
    assert len([m for m in mail.outbox if "Low stock" in m.subject]) == 2


def test_the_life_cycle_to_delivered_with_a_tracking_reference(on_commit):
    poster = make_item("poster", stock=10)
    dispatch = make_dispatch({poster: 2}, status=Status.SUBMITTED)
    approved, problems = services.dispatch_approve(dispatch_ids=[dispatch.pk], user=None)
    assert approved == [dispatch.pk] and problems == []
    services.dispatch_pack(dispatch_id=dispatch.pk)
    with pytest.raises(ValidationError):
        services.dispatch_send(dispatch_id=dispatch.pk, tracking_reference="  ")
    mail.outbox.clear()
    with on_commit():
        sent = services.dispatch_send(dispatch_id=dispatch.pk, tracking_reference="RM123456789GB")
    assert sent.status == Status.DISPATCHED and sent.dispatched_on is not None
    assert "RM123456789GB" in mail.outbox[0].body
    assert services.dispatch_deliver(dispatch_id=dispatch.pk).status == Status.DELIVERED


def test_bulk_approve_skips_what_cannot_be_approved_and_says_why():
    poster = make_item("poster", stock=10)
    ok = make_dispatch({poster: 1}, status=Status.SUBMITTED)
    packed = make_dispatch({poster: 1}, status=Status.PACKED)
    no_address = make_dispatch({poster: 1}, status=Status.SUBMITTED)
    Dispatch.objects.filter(pk=no_address.pk).update(postcode="")
    approved, problems = services.dispatch_approve(
        dispatch_ids=[ok.pk, packed.pk, no_address.pk], user=None
    )
    assert approved == [ok.pk]
    assert any("add a delivery address" in p for p in problems)
    assert any("it is packed" in p for p in problems)


def test_rejecting_needs_a_reason_and_e_mails_it(on_commit):
    poster = make_item("poster", stock=10)
    dispatch = make_dispatch({poster: 1}, status=Status.SUBMITTED)
    with pytest.raises(ValidationError):
        services.dispatch_reject(dispatch_id=dispatch.pk, reason=" ")
    mail.outbox.clear()
    with on_commit():
        services.dispatch_reject(dispatch_id=dispatch.pk, reason="This meeting closed in May.")
    assert mail.outbox[0].to == ["facilitator@example.org"]
    assert "This meeting closed in May." in mail.outbox[0].body
    with pytest.raises(ValidationError, match="it is rejected"):
        services.dispatch_reject(dispatch_id=dispatch.pk, reason="again")


def test_a_packed_dispatch_cannot_be_rejected():
    poster = make_item("poster", stock=10)
    dispatch = make_dispatch({poster: 1}, status=Status.PACKED)
    with pytest.raises(ValidationError):
        services.dispatch_reject(dispatch_id=dispatch.pk, reason="too late")


# --- automatic dispatches -----------------------------------------------------------


def test_the_manual_is_created_once_however_often_the_trigger_fires():
    manual = make_item("manual", name="Facilitators Manual", stock=5, requestable=False)
    make_pack("facilitator-welcome", {manual: 1})
    person = PersonFactory()
    first = services.dispatch_create_for_trained_facilitator(person_id=person.pk)
    again = services.dispatch_create_for_trained_facilitator(person_id=person.pk)
    assert first is not None and again is None
    dispatch = Dispatch.objects.get(reason=Reason.FACILITATORS_MANUAL)
    assert dispatch.person == person
    assert [(line.item, line.quantity) for line in dispatch.lines.all()] == [(manual, 1)]


def test_the_starter_pack_is_created_once_per_meeting():
    handbook = make_item("handbook", stock=5)
    poster = make_item("poster", stock=50)
    make_pack("starter", {handbook: 1, poster: 10})
    person = PersonFactory()
    for _ in range(3):
        services.dispatch_create_starter_pack(meeting_id=42, facilitator_person_ids=[person.pk])
    dispatch = Dispatch.objects.get(reason=Reason.STARTER_PACK)
    assert (dispatch.meeting_id, dispatch.person) == (42, person)
    assert dispatch.lines.count() == 2
    # another meeting of the same facilitator gets its own pack
    services.dispatch_create_starter_pack(meeting_id=43, facilitator_person_ids=[person.pk])
    assert Dispatch.objects.filter(reason=Reason.STARTER_PACK).count() == 2


# --- requests ----------------------------------------------------------------------


def _address():
    return PostalAddress(
        address_line_1="2 Bold Street", address_line_2="", town="Liverpool", postcode="l1 4dj"
    )


def test_the_same_idempotency_key_makes_one_request():
    poster = make_item("poster", stock=10)
    person = PersonFactory()
    key = uuid.uuid4()
    kwargs = {
        "idempotency_key": key,
        "quantities": {poster.pk: 5},
        "contact_name": "Robin Peer",
        "address": _address(),
        "contact_email": person.email,
        "person": person,
        "meeting_id": meeting_of(person),
    }
    first, created = services.request_submit(**kwargs)
    second, created_again = services.request_submit(**kwargs)
    assert created and not created_again and first == second
    assert Dispatch.objects.count() == 1
    assert first.postcode == "L1 4DJ"
    assert first.status == Status.SUBMITTED


def test_fair_use_counts_the_meetings_requests_in_the_window(settings, time_machine):
    settings.MATERIALS_FAIR_USE_LIMITS = {"poster": 20}
    settings.MATERIALS_FAIR_USE_DAYS = 90
    poster = make_item("poster", stock=100)
    person = PersonFactory()
    time_machine.move_to("2026-01-01 10:00Z")
    first, second = meeting_of(person), meeting_of(person)

    def ask(qty, meeting_id=first):
        return services.request_submit(
            idempotency_key=uuid.uuid4(),
            quantities={poster.pk: qty},
            contact_name="Robin Peer",
            address=_address(),
            contact_email=person.email,
            person=person,
            meeting_id=meeting_id,
        )

    ask(15)
    with pytest.raises(ValidationError, match="can ask for 5 more in any 90 days"):
        ask(6)
    ask(5)
    ask(20, meeting_id=second)  # another meeting has its own allowance
    time_machine.move_to("2026-04-02 10:00Z")  # 91 days later
    ask(20)
    assert Dispatch.objects.count() == 4


def test_a_rejected_request_does_not_use_up_the_allowance(settings):
    settings.MATERIALS_FAIR_USE_LIMITS = {"poster": 20}
    poster = make_item("poster", stock=100)
    person = PersonFactory()
    meeting_id = meeting_of(person)
    dispatch, _ = services.request_submit(
        idempotency_key=uuid.uuid4(),
        quantities={poster.pk: 20},
        contact_name="Robin Peer",
        address=_address(),
        contact_email=person.email,
        person=person,
        meeting_id=meeting_id,
    )
    services.dispatch_reject(dispatch_id=dispatch.pk, reason="duplicate")
    assert services.fair_use_already_asked(meeting_id=meeting_id) == {}


@pytest.mark.parametrize(
    ("quantities", "message"),
    [
        ({"poster": 0}, "the quantity must be at least 1"),
        ({"poster": -3}, "the quantity must be at least 1"),
        ({"poster": 21}, "over the fair-use limit"),
        ({999999: 1}, "Item 999999 does not exist"),
        ({"manual": 1}, "cannot be requested"),
        ({}, "Choose at least one item"),
    ],
)
def test_bad_quantities_are_refused_and_nothing_is_saved(settings, quantities, message):
    settings.MATERIALS_FAIR_USE_LIMITS = {"poster": 20}
    items = {
        "poster": make_item("poster", stock=100),
        "manual": make_item("manual", stock=5, requestable=False),
    }
    by_id = {(items[k].pk if isinstance(k, str) else k): v for k, v in quantities.items()}
    person = PersonFactory()
    meeting_id = meeting_of(person)
    with pytest.raises(ValidationError, match=message):
        services.request_submit(
            idempotency_key=uuid.uuid4(),
            quantities=by_id,
            contact_name="Robin Peer",
            address=_address(),
            contact_email="x@example.org",
            person=person,
            meeting_id=meeting_id,
        )
    assert not Dispatch.objects.exists()


def test_a_request_for_a_meeting_that_is_not_theirs_is_refused():
    poster = make_item("poster", stock=100)
    person, other = PersonFactory(), PersonFactory()
    for meeting_id in (meeting_of(other), None, 999999):
        with pytest.raises(ValidationError) as exc:
            services.request_submit(
                idempotency_key=uuid.uuid4(),
                quantities={poster.pk: 1},
                contact_name="Robin Peer",
                address=_address(),
                contact_email=person.email,
                person=person,
                meeting_id=meeting_id,
            )
        assert "active meeting you facilitate" in exc.value.message_dict["meeting"][0]
    assert not Dispatch.objects.exists()
