"""Demo data for materials: the catalogue, packs, stock and four years of dispatches.

At scale 1: 20,000 dispatches (a Facilitators Manual for each trained
facilitator, a starter pack for each meeting that exists, the rest requests),
recent ones still in the queue. The stock ledger is written so that every
item's stock equals the sum of its movements. Bulk inserts only.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from materials.models import (
    Dispatch,
    DispatchLine,
    Item,
    MovementKind,
    Pack,
    PackItem,
    Reason,
    Status,
    StockMovement,
)
from materials.selectors import quarter_label, quarter_start
from meetings import selectors as meetings_selectors
from partners.models import Person
from smartnet.bulk import insert_rows, insert_values
from smartnet.demo import DemoContext

DISPATCH_BATCH = 2000  # dispatches held in memory before they are written
CATALOGUE = [
    # code, name, unit cost, pack size, reorder level, closing stock, requestable
    ("manual", "Facilitators Manual", "6.50", 1, 40, 180, False),
    ("handbook", "SMART Recovery Handbook", "4.20", 10, 60, 45, True),
    ("leaflet", "Introductory leaflet", "0.06", 100, 2000, 14000, True),
    ("flyer", "Participant flyer", "0.05", 100, 2000, 9000, True),
    ("poster", "A3 meeting poster", "0.80", 10, 200, 150, True),
    ("family-leaflet", "Family & Friends leaflet", "0.07", 100, 500, 3200, True),
    ("tool-cards", "SMART tools card set", "1.10", 20, 100, 400, True),
    ("prisons-workbook", "Prisons programme workbook", "3.40", 5, 30, 60, False),
]
STARTER = {"handbook": 1, "leaflet": 200, "flyer": 100, "poster": 10}
REQUEST_CHOICES = [
    ("leaflet", (50, 100, 200)),
    ("flyer", (50, 100, 200)),
    ("poster", (5, 10, 20)),
    ("handbook", (2, 5, 10)),
    ("family-leaflet", (50, 100)),
    ("tool-cards", (5, 10, 20)),
]
TOWNS = [
    ("Manchester", "M1 1AE"),
    ("Leeds", "LS1 4DY"),
    ("Liverpool", "L1 8JQ"),
    ("Glasgow", "G1 1XQ"),
    ("Cardiff", "CF10 1EP"),
    ("Bristol", "BS1 4DJ"),
    ("Newcastle upon Tyne", "NE1 7RU"),
    ("Edinburgh", "EH1 1YZ"),
    ("Birmingham", "B1 1BB"),
    ("Belfast", "BT1 5GS"),
]


def _meetings(ctx: DemoContext) -> list[tuple[int, str]]:
    """Meetings that exist by now, through the meetings app's selectors."""
    return [
        (m.pk, str(m)) for m in meetings_selectors.active_meetings_on(on=ctx.today).order_by("pk")
    ]


def _meetings_of(person_id: int | None) -> set[int]:
    if person_id is None:
        return set()
    meetings = meetings_selectors.meetings_for_facilitator(person_id=person_id)
    return set(meetings.values_list("pk", flat=True))


def seed(ctx: DemoContext) -> None:
    items = {
        code: Item(
            code=code,
            name=name,
            unit_cost=Decimal(cost),
            pack_size=pack_size,
            reorder_level=reorder,
            requestable=requestable,
        )
        for code, name, cost, pack_size, reorder, _, requestable in CATALOGUE
    }
    Item.objects.bulk_create(items.values())
    closing = {code: stock * ctx.scale for code, *_, stock, _ in CATALOGUE}

    starter = Pack.objects.create(
        code=Pack.STARTER,
        name="Meeting starter pack",
        description="Sent when a meeting starts: handbook, leaflets, flyers, posters.",
    )
    welcome = Pack.objects.create(
        code=Pack.FACILITATOR_WELCOME,
        name="New facilitator",
        description="Sent when someone completes facilitator training.",
    )
    PackItem.objects.bulk_create(
        [PackItem(pack=starter, item=items[c], quantity=q) for c, q in STARTER.items()]
        + [PackItem(pack=welcome, item=items["manual"], quantity=1)]
    )

    facilitator_ids = list(ctx.shared.get("training_facilitator_ids", []))
    if not facilitator_ids:
        facilitator_ids = list(Person.objects.order_by("pk").values_list("pk", flat=True)[:300])
    people = {
        p["pk"]: p
        for p in Person.objects.filter(pk__in=facilitator_ids).values(
            "pk", "first_name", "last_name", "email"
        )
    }
    facilitator_ids = [pk for pk in facilitator_ids if pk in people]
    meetings = _meetings(ctx)
    total = ctx.count(20_000)
    rng = ctx.rng
    today = ctx.today
    start = today - timedelta(days=4 * 365)
    span_days = (today - start).days

    # Dispatches are written a batch at a time with their lines (at scale 100,
    # two million dispatches held as model instances took gigabytes), as plain
    # rows: preparing each value of each field took most of the step's time.
    dispatches: list[dict] = []  # Dispatch's fields by attribute name
    line_specs: list[list[tuple[str, int]]] = []
    used: dict[tuple[str, str], int] = defaultdict(int)  # (item code, quarter) -> units
    made = {"dispatches": 0, "lines": 0}

    def add(reason: str, person_id: int | None, meeting: tuple[int, str] | None, lines, day):
        person = people.get(person_id) if person_id else None
        town, postcode = TOWNS[rng.randrange(len(TOWNS))]
        created = timezone.make_aware(
            datetime.combine(day, time(9 + rng.randrange(8), rng.randrange(60)))
        )
        age = (today - day).days
        if age > 21:
            status = Status.REJECTED if rng.random() < 0.02 else Status.DELIVERED
        elif age > 10:
            status = rng.choice([Status.DISPATCHED, Status.DELIVERED, Status.PACKED])
        else:
            status = rng.choice(
                [Status.SUBMITTED, Status.SUBMITTED, Status.APPROVED, Status.PACKED]
            )
        if reason == Reason.REQUEST and person is None:
            status = Status.AWAITING_VERIFICATION if age <= 21 else status
        sent = status in (Status.DISPATCHED, Status.DELIVERED)
        packed = sent or status == Status.PACKED
        approved = packed or status == Status.APPROVED
        sent_day = min(day + timedelta(days=rng.randrange(1, 6)), today) if sent else None
        sent_at = timezone.make_aware(datetime.combine(sent_day, time(15))) if sent else None
        name = f"{person['first_name']} {person['last_name']}" if person else "Alex Enquirer"
        street = rng.choice(["High", "Church", "Station", "Mill"])
        dispatches.append(
            {
                "reason": reason,
                "status": status,
                "person_id": person_id if person else None,
                "meeting_id": meeting[0] if meeting else None,
                "meeting_label": meeting[1][:200] if meeting else "",
                "contact_name": name,
                "contact_email": (person["email"] if person else "enquirer@example.org"),
                "address_line_1": f"{rng.randrange(1, 200)} {street} Street",
                "town": town,
                "postcode": postcode,
                "idempotency_key": (
                    uuid.UUID(int=rng.getrandbits(128)) if reason == Reason.REQUEST else None
                ),
                "reference": uuid.UUID(int=rng.getrandbits(128)),
                "tracking_reference": f"RM{rng.randrange(10**8, 10**9)}GB" if sent else "",
                "rejection_reason": (
                    "Duplicate of an earlier request." if status == Status.REJECTED else ""
                ),
                "created_at": created,
                "approved_at": created if approved else None,
                "packed_at": created + timedelta(hours=20) if packed else None,
                "dispatched_at": sent_at,
                "dispatched_on": sent_day,
                "delivered_at": sent_at + timedelta(days=2) if status == Status.DELIVERED else None,
                "rejected_at": created if status == Status.REJECTED else None,
            }
        )
        line_specs.append(lines)
        made["dispatches"] += 1
        if len(dispatches) >= DISPATCH_BATCH:
            made["lines"] += _write_dispatches(items, dispatches, line_specs, used)

    def random_day():
        return start + timedelta(days=rng.randrange(span_days + 1))

    for person_id in facilitator_ids:
        if made["dispatches"] >= total:
            break
        add(Reason.FACILITATORS_MANUAL, person_id, None, [("manual", 1)], random_day())
    for meeting in meetings:
        if made["dispatches"] >= total:
            break
        person_id = rng.choice(facilitator_ids) if facilitator_ids else None
        add(Reason.STARTER_PACK, person_id, meeting, list(STARTER.items()), random_day())
    # The demo facilitator's meetings keep their fair-use allowance for the
    # demo: nobody asked for them in the last window.
    demo_meetings = _meetings_of(ctx.shared.get("training_facilitator_person_id"))
    window_start = today - timedelta(days=100)
    while made["dispatches"] < total:
        person_id = rng.choice(facilitator_ids) if facilitator_ids and rng.random() > 0.01 else None
        meeting = rng.choice(meetings) if meetings else None
        picks = rng.sample(REQUEST_CHOICES, rng.randrange(1, 4))
        lines = [(code, rng.choice(sizes)) for code, sizes in picks]
        day = random_day()
        if meeting and meeting[0] in demo_meetings and day >= window_start:
            day -= timedelta(days=120)
        add(Reason.REQUEST, person_id, meeting, lines, day)

    made["lines"] += _write_dispatches(items, dispatches, line_specs, used)

    _ledger(ctx, items, used, closing, start)
    ctx.log(f"materials: {made['dispatches']} dispatches, {made['lines']} lines")


def _write_dispatches(items, dispatches, line_specs, used) -> int:
    """Insert the dispatches gathered so far and their lines, add what was
    packed to ``used``, and empty both lists; returns how many lines."""
    ids = insert_values(Dispatch, dispatches, page_size=DISPATCH_BATCH)
    rows = []
    for dispatch_id, dispatch, spec in zip(ids, dispatches, line_specs, strict=True):
        packed = dispatch["packed_at"] is not None
        for code, qty in spec:
            item = items[code]
            cost = item.unit_cost if packed else None
            rows.append((dispatch_id, item.pk, qty, qty if packed else 0, cost))
            if packed:
                used[(code, quarter_label(dispatch["created_at"].date()))] += qty
    insert_rows(
        DispatchLine,
        ["dispatch_id", "item_id", "quantity", "quantity_packed", "unit_cost"],
        rows,
        page_size=5000,
    )
    dispatches.clear()
    line_specs.clear()
    return len(rows)


def _ledger(ctx, items, used, closing, start) -> None:
    """An opening receipt, a quarterly receipt and a quarterly packing movement per item,
    ending at the closing stock: stock equals the sum of the movements."""
    movements: list[StockMovement] = []
    labels = sorted({q for (_, q) in used})
    first_day = quarter_start(start)
    for code, item in items.items():
        usage = [used.get((code, label), 0) for label in labels]
        balance = closing[code] + item.reorder_level  # opening stock
        when = timezone.make_aware(datetime.combine(first_day, time(8)))
        movements.append(
            StockMovement(
                item=item,
                kind=MovementKind.RECEIPT,
                quantity=balance,
                balance_after=balance,
                note="Opening stock",
                created_at=when,
            )
        )
        for index, (label, qty) in enumerate(zip(labels, usage, strict=True)):
            year, quarter = int(label[:4]), int(label[-1])
            day = timezone.make_aware(datetime.combine(date(year, 3 * quarter - 2, 1), time(8)))
            remaining_usage = sum(usage[index:])
            # Reprint enough at the start of each quarter for the quarter's use.
            top_up = max(0, qty - balance) if remaining_usage else 0
            if index == len(labels) - 1:
                top_up = max(top_up, closing[code] + qty - balance)
            if top_up:
                balance += top_up
                movements.append(
                    StockMovement(
                        item=item,
                        kind=MovementKind.RECEIPT,
                        quantity=top_up,
                        balance_after=balance,
                        note=f"Reprint for {label}",
                        created_at=day,
                    )
                )
            if qty:
                balance -= qty
                movements.append(
                    StockMovement(
                        item=item,
                        kind=MovementKind.PACKED,
                        quantity=-qty,
                        balance_after=balance,
                        note=f"Packed in {label} (demo: one line per quarter)",
                        created_at=day + timedelta(days=80),
                    )
                )
        if balance != closing[code]:
            delta = closing[code] - balance
            balance += delta
            movements.append(
                StockMovement(
                    item=item,
                    kind=MovementKind.ADJUSTMENT,
                    quantity=delta,
                    balance_after=balance,
                    note="Stock count",
                    created_at=timezone.now(),
                )
            )
        item.stock_on_hand = balance
        item.low_stock_alerted = balance <= item.reorder_level
    StockMovement.objects.bulk_create(movements, batch_size=5000)
    Item.objects.bulk_update(items.values(), ["stock_on_hand", "low_stock_alerted"])
