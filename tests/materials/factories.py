"""Factories for materials tests: items with stock (through the service), packs, dispatches."""

import uuid
from decimal import Decimal

from materials import services
from materials.models import Dispatch, DispatchLine, Item, Pack, PackItem, Reason, Status
from tests.factories import PersonFactory


def make_item(
    code: str = "poster",
    *,
    name: str | None = None,
    stock: int = 0,
    unit_cost: str = "0.50",
    reorder_level: int = 0,
    requestable: bool = True,
) -> Item:
    item = Item.objects.create(
        code=code,
        name=name or code.replace("-", " ").title(),
        unit_cost=Decimal(unit_cost),
        reorder_level=reorder_level,
        requestable=requestable,
    )
    if stock:
        services.item_receive(item_id=item.pk, quantity=stock, note="opening stock")
        item.refresh_from_db()
    return item


def make_pack(code: str, items: dict[Item, int], name: str | None = None) -> Pack:
    pack = Pack.objects.create(code=code, name=name or code.title())
    for item, qty in items.items():
        PackItem.objects.create(pack=pack, item=item, quantity=qty)
    return pack


def make_dispatch(
    lines: dict[Item, int],
    *,
    status: str = Status.APPROVED,
    person=None,
    reason: str = Reason.REQUEST,
    meeting_id: int | None = None,
    contact_email: str = "facilitator@example.org",
    **fields,
) -> Dispatch:
    person = person if person is not None else PersonFactory()
    values = {
        "contact_name": person.full_name,
        "address_line_1": "1 Hope Street",
        "town": "Liverpool",
        "postcode": "L1 9BX",
        "idempotency_key": uuid.uuid4() if reason == Reason.REQUEST else None,
        **fields,
    }
    dispatch = Dispatch.objects.create(
        reason=reason,
        status=status,
        person=person,
        meeting_id=meeting_id,
        contact_email=contact_email,
        **values,
    )
    for item, qty in lines.items():
        DispatchLine.objects.create(dispatch=dispatch, item=item, quantity=qty)
    return dispatch
