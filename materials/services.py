"""Every write to the materials models goes through these functions.

Guarantees:
- stock moves only with a StockMovement row, in the same transaction, by a
  conditional update whose row count is checked, so stock never goes below
  zero even when two staff pack the last posters at the same moment;
- a status moves only from the status it was read in (a conditional update),
  so a parcel is approved, packed or sent once;
- automatic dispatches are created once per (person, reason) and
  (meeting, reason) by unique constraints, however often the trigger fires;
- a form submitted twice (same idempotency key) makes one request.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone
from sesame.utils import get_user

from materials.models import (
    Backorder,
    Dispatch,
    DispatchLine,
    Item,
    MovementKind,
    Pack,
    Reason,
    Status,
    StockMovement,
)
from meetings.selectors import meeting_accepts_materials, meeting_label
from partners import services as partners_services
from partners.models import Person
from partners.validators import normalise_uk_postcode
from smartnet.models import User
from smartnet.queue import enqueue
from smartnet.roles import Role
from training import postal
from training import selectors as training_selectors
from training.postal import PostalAddress

logger = logging.getLogger(__name__)


# --- Stock ---------------------------------------------------------------------


def _move_stock(
    *,
    item_id: int,
    delta: int,
    kind: str,
    note: str = "",
    user=None,
    dispatch: Dispatch | None = None,
) -> StockMovement | None:
    """Change one item's stock by ``delta`` and record it; None if it would go negative.

    The conditional update is the guard: the row changes only while it still
    holds enough, and on PostgreSQL it waits for a concurrent writer's lock.
    """
    if delta == 0:
        raise ValueError("a stock movement cannot be zero")
    updated = Item.objects.filter(pk=item_id, stock_on_hand__gte=max(0, -delta)).update(
        stock_on_hand=F("stock_on_hand") + delta
    )
    if updated != 1:
        return None
    item = Item.objects.get(pk=item_id)
    movement = StockMovement.objects.create(
        item=item,
        kind=kind,
        quantity=delta,
        balance_after=item.stock_on_hand,
        note=note[:300],
        dispatch=dispatch,
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    _check_low_stock(item)
    return movement


def _check_low_stock(item: Item) -> None:
    """One alert each time stock falls to the reorder level; reset when it rises above."""
    if item.stock_on_hand <= item.reorder_level:
        claimed = Item.objects.filter(pk=item.pk, low_stock_alerted=False).update(
            low_stock_alerted=True
        )
        if claimed == 1:
            # The moment of this crossing keys its e-mail: one per crossing.
            enqueue("materials.tasks.send_low_stock_alert", item.pk, timezone.now().isoformat())
    elif item.low_stock_alerted:
        Item.objects.filter(pk=item.pk).update(low_stock_alerted=False)


def item_receive(*, item_id: int, quantity: int, note: str = "", user=None) -> StockMovement:
    """Record stock arriving; then fill open backorders for the item, oldest first."""
    if quantity < 1:
        raise ValidationError({"quantity": "A receipt must add at least 1."})
    with transaction.atomic():
        movement = _move_stock(
            item_id=item_id, delta=quantity, kind=MovementKind.RECEIPT, note=note, user=user
        )
        if movement is None:  # adding stock cannot fail the guard
            raise RuntimeError(f"receipt for item {item_id} was not recorded")
        backorders_fill(item_id=item_id, user=user)
    return movement


def item_adjust(*, item_id: int, quantity: int, note: str, user=None) -> StockMovement:
    """Correct the stock (a count, damage, loss): a signed movement with a reason."""
    if quantity == 0:
        raise ValidationError({"quantity": "An adjustment cannot be 0."})
    if not note.strip():
        raise ValidationError({"note": "Say why the stock is being adjusted."})
    with transaction.atomic():
        movement = _move_stock(
            item_id=item_id, delta=quantity, kind=MovementKind.ADJUSTMENT, note=note, user=user
        )
        if movement is None:
            on_hand = Item.objects.get(pk=item_id).stock_on_hand
            raise ValidationError(
                {"quantity": f"Only {on_hand} in stock: an adjustment cannot take stock below 0."}
            )
        if quantity > 0:
            backorders_fill(item_id=item_id, user=user)
    return movement


# --- Creating dispatches -------------------------------------------------------


def delivery_address_for(person_id: int) -> PostalAddress | None:
    """The consented postal address on the person's training record, if any."""
    return training_selectors.delivery_address(person_id=person_id)


def _address_fields(address: PostalAddress) -> dict:
    """The dispatch's address fields; ValidationError on ``postcode`` if it is not one."""
    return {**address.as_fields(), "postcode": normalise_uk_postcode(address.postcode)}


def _add_lines(dispatch: Dispatch, quantities: Mapping[int, int]) -> None:
    DispatchLine.objects.bulk_create(
        DispatchLine(dispatch=dispatch, item_id=item_id, quantity=qty)
        for item_id, qty in sorted(quantities.items())
        if qty > 0
    )


def _pack_quantities(code: str) -> dict[int, int]:
    pack = Pack.objects.filter(code=code).prefetch_related("items").first()
    if pack is None:
        logger.warning("pack %r does not exist: automatic dispatch has no lines", code)
        return {}
    return {pi.item_id: pi.quantity for pi in pack.items.all()}


def _addressed_fields(person: Person) -> dict:
    """Who a parcel goes to and, from their training record, where; without an
    address on record it waits for staff to find one (submitted, not approved)."""
    address = delivery_address_for(person.pk)
    address_fields: dict = {}
    if address is not None:
        try:
            address_fields = _address_fields(address)
        except ValidationError:
            # Staff will see an incomplete address and fix it before approving.
            address_fields = {**address.as_fields(), "postcode": ""}
    has_address = bool(address_fields.get("address_line_1") and address_fields.get("postcode"))
    return {
        # With an address on record it needs no one's approval; without one,
        # staff must find the address first.
        "status": Status.APPROVED if has_address else Status.SUBMITTED,
        "approved_at": timezone.now() if has_address else None,
        "person": person,
        "contact_name": person.full_name,
        "contact_email": person.email,
        "note": "" if has_address else "No delivery address on the training record: add one.",
        **address_fields,
    }


WAITING_NOTE = (
    "Waiting: the meeting opened with no facilitator named. The pack goes to the "
    "first facilitator named for it (record the leadership with a facilitator)."
)


def _create_automatic(
    *, reason: str, person: Person | None, pack_code: str, **fields
) -> Dispatch | None:
    """Create an automatic dispatch once; None when it already exists. With no
    person it is created *waiting for a facilitator*, addressed to no one."""
    if person is not None:
        who = _addressed_fields(person)
    else:
        who = {
            "status": Status.WAITING_FOR_FACILITATOR,
            "person": None,
            "contact_name": "",
            "note": WAITING_NOTE,
        }
    dispatch = Dispatch(reason=reason, **who, **fields)
    try:
        with transaction.atomic():
            dispatch.save()
            _add_lines(dispatch, _pack_quantities(pack_code))
    except IntegrityError:
        return None  # the trigger fired before: the unique constraint kept it to one
    return dispatch


def dispatch_create_for_trained_facilitator(*, person_id: int) -> Dispatch | None:
    """A Facilitators Manual for someone newly trained; once per person."""
    person = Person.objects.filter(pk=person_id).first()
    if person is None:
        return None
    return _create_automatic(
        reason=Reason.FACILITATORS_MANUAL, person=person, pack_code=Pack.FACILITATOR_WELCOME
    )


def dispatch_create_starter_pack(
    *, meeting_id: int, facilitator_person_ids: Iterable[int] = ()
) -> Dispatch | None:
    """The starter pack for a meeting that started, to its (first) facilitator;
    once per person per meeting. With no facilitator named it waits (see
    ``dispatch_starter_packs_for_facilitators``)."""
    person = None
    for person_id in facilitator_person_ids:
        person = Person.objects.filter(pk=person_id).first()
        if person:
            break
    return _create_automatic(
        reason=Reason.STARTER_PACK,
        person=person,
        pack_code=Pack.STARTER,
        meeting_id=meeting_id,
        meeting_label=meeting_label(meeting_id=meeting_id)[:200],
    )


def dispatch_starter_packs_for_facilitators(
    *, meeting_id: int, facilitator_person_ids: Iterable[int], new_peer_person_ids: Iterable[int]
) -> list[Dispatch]:
    """Facilitators were named for a running meeting: a pack waiting for a name
    goes to the first of them who has none yet for this meeting (a conditional
    update claims it), and each peer facilitator new to the meeting gets a
    starter pack (once per person per meeting: the unique constraint)."""
    made: list[Dispatch] = []
    named = list(dict.fromkeys(int(p) for p in facilitator_person_ids))
    already = set(
        Dispatch.objects.filter(
            meeting_id=meeting_id, reason=Reason.STARTER_PACK, person__isnull=False
        ).values_list("person_id", flat=True)
    )
    waiting = Dispatch.objects.filter(
        meeting_id=meeting_id,
        reason=Reason.STARTER_PACK,
        status=Status.WAITING_FOR_FACILITATOR,
        person__isnull=True,
    ).first()
    if waiting is not None:
        for person in Person.objects.filter(pk__in=[p for p in named if p not in already]):
            try:
                with transaction.atomic():
                    claimed = Dispatch.objects.filter(
                        pk=waiting.pk, status=Status.WAITING_FOR_FACILITATOR, person__isnull=True
                    ).update(**_addressed_fields(person))
            except IntegrityError:
                continue  # they got a pack for this meeting meanwhile
            if claimed == 1:
                already.add(person.pk)
                made.append(Dispatch.objects.get(pk=waiting.pk))
            break
    for person in Person.objects.filter(pk__in=[int(p) for p in new_peer_person_ids]):
        if person.pk in already:
            continue
        dispatch = _create_automatic(
            reason=Reason.STARTER_PACK,
            person=person,
            pack_code=Pack.STARTER,
            meeting_id=meeting_id,
            meeting_label=meeting_label(meeting_id=meeting_id)[:200],
        )
        if dispatch is not None:
            made.append(dispatch)
    return made


# --- Fair use and requests -----------------------------------------------------


def fair_use_limit(item: Item) -> int:
    return settings.MATERIALS_FAIR_USE_LIMITS.get(item.code, settings.MATERIALS_FAIR_USE_DEFAULT)


def fair_use_already_asked(*, meeting_id: int, on=None) -> dict[int, int]:
    """Units of each item asked for this meeting in the fair-use window (rejections aside)."""
    now = on or timezone.now()
    since = now - timedelta(days=settings.MATERIALS_FAIR_USE_DAYS)
    rows = (
        DispatchLine.objects.filter(
            dispatch__meeting_id=meeting_id,
            dispatch__reason=Reason.REQUEST,
            dispatch__created_at__gte=since,
        )
        .exclude(dispatch__status=Status.REJECTED)
        .values("item_id")
        .annotate(total=Sum("quantity"))
    )
    return {row["item_id"]: row["total"] for row in rows}


def check_quantities(*, quantities: Mapping[int, int], meeting_id: int | None) -> dict[int, Item]:
    """Validate item ids and quantities against the catalogue and fair-use limits.

    Raises ValidationError naming each bad item; returns the items by id.
    """
    errors: list[str] = []
    if not quantities:
        raise ValidationError("Choose at least one item and how many you need.")
    items = Item.objects.in_bulk(list(quantities))
    asked = fair_use_already_asked(meeting_id=meeting_id) if meeting_id else {}
    for item_id, qty in quantities.items():
        item = items.get(item_id)
        if item is None or not item.is_active or not item.requestable:
            errors.append(f"Item {item_id} does not exist or cannot be requested.")
            continue
        if qty < 1:
            errors.append(f"{item.name}: the quantity must be at least 1.")
            continue
        remaining = max(0, fair_use_limit(item) - asked.get(item_id, 0))
        if qty > remaining:
            days = settings.MATERIALS_FAIR_USE_DAYS
            errors.append(
                f"{item.name}: {qty} is over the fair-use limit; this meeting can ask for "
                f"{remaining} more in any {days} days."
            )
    if errors:
        raise ValidationError(errors)
    return items


def _check_meeting(*, meeting_id: int | None, person_id: int) -> None:
    """A facilitator's request must be for an active meeting they facilitate."""

    if meeting_id is None or not meeting_accepts_materials(
        meeting_id=meeting_id, person_id=person_id
    ):
        raise ValidationError(
            {"meeting": "Materials can only be sent for an active meeting you facilitate."}
        )


FAIR_USE_LOCK = 6006  # the advisory-lock namespace for fair-use checks


def _lock_meeting_allowance(meeting_id: int | None) -> None:
    """On PostgreSQL, serialise requests for one meeting until commit, so two
    submitted at the same moment cannot both spend the same allowance.
    (SQLite serialises writers anyway.)"""
    if meeting_id is None or connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [FAIR_USE_LOCK, meeting_id % 2**31])


def request_submit(
    *,
    idempotency_key: uuid.UUID,
    quantities: Mapping[int, int],
    contact_name: str,
    address: PostalAddress,
    contact_email: str,
    person: Person | None = None,
    meeting_id: int | None = None,
    meeting_label: str = "",
    note: str = "",
) -> tuple[Dispatch, bool]:
    """A facilitator's request; (dispatch, created). The same key twice returns the first.

    With a person (a trained facilitator signed in with their link) it is
    submitted for approval; without one it waits for staff to verify the
    requester. Quantities are checked here, not only in the form.
    """
    existing = Dispatch.objects.filter(idempotency_key=idempotency_key).first()
    if existing:
        return existing, False
    quantities = {int(k): int(v) for k, v in quantities.items()}
    try:
        with transaction.atomic():
            if person is not None:
                _check_meeting(meeting_id=meeting_id, person_id=person.pk)
            _lock_meeting_allowance(meeting_id)
            check_quantities(quantities=quantities, meeting_id=meeting_id)
            dispatch = Dispatch.objects.create(
                reason=Reason.REQUEST,
                status=Status.SUBMITTED if person else Status.AWAITING_VERIFICATION,
                person=person,
                meeting_id=meeting_id,
                meeting_label=meeting_label[:200],
                contact_name=contact_name,
                contact_email=contact_email,
                note=note,
                idempotency_key=idempotency_key,
                **_address_fields(address),
            )
            _add_lines(dispatch, quantities)

            enqueue("materials.tasks.send_request_confirmation", dispatch.pk)
    except IntegrityError:
        existing = Dispatch.objects.filter(idempotency_key=idempotency_key).first()
        if existing is None:
            raise
        return existing, False
    return dispatch, True


# --- Moving a dispatch along ------------------------------------------------------


def _claim(dispatch_id: int, *, from_statuses, to_status: str, user=None, **fields) -> bool:
    return (
        Dispatch.objects.filter(pk=dispatch_id, status__in=list(from_statuses)).update(
            status=to_status,
            handled_by=user if getattr(user, "is_authenticated", False) else None,
            **fields,
        )
        == 1
    )


def _status_error(dispatch_id: int, action: str) -> ValidationError:
    current = Dispatch.objects.filter(pk=dispatch_id).values_list("status", flat=True).first()
    label = Status(current).label.lower() if current else "missing"
    return ValidationError(f"Dispatch {dispatch_id} cannot be {action}: it is {label}.")


def dispatch_verify(*, dispatch_id: int, user) -> Dispatch:
    """Staff have checked a requester who is not on record: the request joins the queue."""
    if not _claim(
        dispatch_id,
        from_statuses=[Status.AWAITING_VERIFICATION],
        to_status=Status.SUBMITTED,
        user=user,
    ):
        raise _status_error(dispatch_id, "verified")
    return Dispatch.objects.get(pk=dispatch_id)


def dispatch_approve(*, dispatch_ids: Iterable[int], user) -> tuple[list[int], list[str]]:
    """Approve submitted dispatches that have an address; (approved ids, problems)."""
    approved: list[int] = []
    problems: list[str] = []
    candidates = Dispatch.objects.filter(pk__in=list(dispatch_ids))
    for dispatch in candidates:
        if not dispatch.has_address:
            problems.append(f"{dispatch.short_ref}: add a delivery address before approving.")
            continue
        if _claim(
            dispatch.pk,
            from_statuses=[Status.SUBMITTED],
            to_status=Status.APPROVED,
            user=user,
            approved_at=timezone.now(),
        ):
            approved.append(dispatch.pk)
        else:
            status = dispatch.get_status_display().lower()
            problems.append(f"{dispatch.short_ref}: not approved, it is {status}.")
    return approved, problems


def dispatch_pack(*, dispatch_id: int, user=None) -> Dispatch:
    """Pack an approved dispatch: take each line's stock, backorder what is short.

    All in one transaction: the status claim and every stock movement commit
    together or not at all. Items are taken in id order so two packers lock
    rows in the same order and cannot deadlock.
    """
    with transaction.atomic():
        if not _claim(
            dispatch_id,
            from_statuses=[Status.APPROVED],
            to_status=Status.PACKED,
            user=user,
            packed_at=timezone.now(),
        ):
            raise _status_error(dispatch_id, "packed")
        dispatch = Dispatch.objects.get(pk=dispatch_id)
        lines = list(dispatch.lines.order_by("item_id"))
        # Lock the items (PostgreSQL): a second packer waits here, then reads
        # the stock the first one left.
        items = {
            i.pk: i
            for i in Item.objects.select_for_update()
            .filter(pk__in=[line.item_id for line in lines])
            .order_by("pk")
        }
        for line in lines:
            item = items[line.item_id]
            take = min(line.quantity, item.stock_on_hand)
            if take > 0:
                moved = _move_stock(
                    item_id=item.pk,
                    delta=-take,
                    kind=MovementKind.PACKED,
                    note=f"Packed {dispatch.short_ref}",
                    user=user,
                    dispatch=dispatch,
                )
                if moved is None:  # the lock makes this unreachable; the guard stays
                    raise RuntimeError(f"stock of {item} changed while locked")
            line.quantity_packed = take
            line.unit_cost = item.unit_cost
            line.save(update_fields=["quantity_packed", "unit_cost"])
            if take < line.quantity:
                Backorder.objects.create(line=line, item=item, quantity=line.quantity - take)
    dispatch.refresh_from_db()
    return dispatch


def dispatch_send(*, dispatch_id: int, tracking_reference: str, user=None) -> Dispatch:
    """Record that a packed parcel left, with the carrier's tracking reference."""
    tracking_reference = tracking_reference.strip()
    if not tracking_reference:
        raise ValidationError({"tracking_reference": "Enter the tracking reference."})
    now = timezone.now()
    with transaction.atomic():
        if not _claim(
            dispatch_id,
            from_statuses=[Status.PACKED],
            to_status=Status.DISPATCHED,
            user=user,
            tracking_reference=tracking_reference[:60],
            dispatched_at=now,
            dispatched_on=timezone.localdate(now),
        ):
            raise _status_error(dispatch_id, "dispatched")

        enqueue("materials.tasks.send_dispatched_email", dispatch_id)
    return Dispatch.objects.get(pk=dispatch_id)


def dispatch_deliver(*, dispatch_id: int, user=None) -> Dispatch:
    if not _claim(
        dispatch_id,
        from_statuses=[Status.DISPATCHED],
        to_status=Status.DELIVERED,
        user=user,
        delivered_at=timezone.now(),
    ):
        raise _status_error(dispatch_id, "marked delivered")
    return Dispatch.objects.get(pk=dispatch_id)


def dispatch_reject(*, dispatch_id: int, reason: str, user=None) -> Dispatch:
    """Turn a request down before it is packed; the reason is e-mailed to the requester."""
    reason = reason.strip()
    if not reason:
        raise ValidationError(
            {"reason": "Say why the request is rejected: the facilitator is told."}
        )
    with transaction.atomic():
        if not _claim(
            dispatch_id,
            from_statuses=[Status.AWAITING_VERIFICATION, Status.SUBMITTED, Status.APPROVED],
            to_status=Status.REJECTED,
            user=user,
            rejection_reason=reason,
            rejected_at=timezone.now(),
        ):
            raise _status_error(dispatch_id, "rejected")

        enqueue("materials.tasks.send_rejection_email", dispatch_id)
    return Dispatch.objects.get(pk=dispatch_id)


# --- Backorders ------------------------------------------------------------------


def backorders_fill(*, item_id: int, user=None) -> list[Dispatch]:
    """Fill open backorders for an item from stock, oldest first, as far as it goes.

    Each fill makes a follow-up parcel (reason backorder, already packed) to
    the original address; a backorder partly filled stays open for the rest.
    Runs inside the receipt's transaction, with the item locked.
    """
    created: list[Dispatch] = []
    with transaction.atomic():
        item = Item.objects.select_for_update().get(pk=item_id)
        open_backorders = (
            Backorder.objects.select_for_update()
            .filter(item_id=item_id, filled_at__isnull=True, cancelled_at__isnull=True)
            .select_related("line__dispatch")
            .order_by("created_at", "pk")
        )
        available = item.stock_on_hand
        for backorder in open_backorders:
            if available <= 0:
                break
            take = min(available, backorder.outstanding)
            original = backorder.line.dispatch
            followup = Dispatch.objects.create(
                reason=Reason.BACKORDER,
                status=Status.PACKED,
                follows=original,
                person_id=original.person_id,
                meeting_id=original.meeting_id,
                meeting_label=original.meeting_label,
                contact_name=original.contact_name,
                contact_email=original.contact_email,
                address_line_1=original.address_line_1,
                address_line_2=original.address_line_2,
                town=original.town,
                postcode=original.postcode,
                note=f"Backorder for {original.short_ref}",
                approved_at=timezone.now(),
                packed_at=timezone.now(),
            )
            DispatchLine.objects.create(
                dispatch=followup,
                item=item,
                quantity=take,
                quantity_packed=take,
                unit_cost=item.unit_cost,
            )
            moved = _move_stock(
                item_id=item_id,
                delta=-take,
                kind=MovementKind.BACKORDER_FILL,
                note=f"Backorder for {original.short_ref}",
                user=user,
                dispatch=followup,
            )
            if moved is None:
                raise RuntimeError(f"stock of {item} changed while locked")
            available -= take
            backorder.quantity_filled += take
            if backorder.outstanding == 0:
                backorder.filled_at = timezone.now()
            backorder.save(update_fields=["quantity_filled", "filled_at"])
            created.append(followup)
    return created


def backorder_cancel(*, backorder_id: int, user=None) -> Backorder:
    updated = Backorder.objects.filter(
        pk=backorder_id, filled_at__isnull=True, cancelled_at__isnull=True
    ).update(cancelled_at=timezone.now())
    if updated != 1:
        raise ValidationError("This backorder is already filled or cancelled.")
    return Backorder.objects.get(pk=backorder_id)


# --- Facilitators signing in ------------------------------------------------------


def sign_in_link_request(*, email: str) -> bool:
    """Send a one-time sign-in link if ``email`` is a trained facilitator's; True if sent.

    The facilitator's account comes from ``partners.services.person_account_ensure``
    (role facilitator, no password). Says nothing about who is on record: the
    caller shows the same message either way.
    """
    email = email.strip().lower()
    person = Person.objects.filter(email__iexact=email, anonymised_at__isnull=True).first()
    if person is None or not training_selectors.is_trained_facilitator(person_id=person.pk):
        return False
    with transaction.atomic():
        try:
            user = partners_services.person_account_ensure(person=person, role=Role.FACILITATOR)
        except ValidationError:
            return False  # the account with this e-mail is another person's
        if user.role != Role.FACILITATOR or not user.is_active:
            return False  # staff and partner contacts sign in with their password

        enqueue("materials.tasks.send_sign_in_link", user.pk)
    return True


def sign_in_link_claim(*, token: str):
    """The facilitator a one-time sign-in link is for, or None; one caller only.

    django-sesame's one-time links are bound to ``last_login``: a link stops
    working once the user's last sign-in time changes. Checking the link and
    then signing in leaves a gap in which several requests carrying the same
    link all pass the check. So the link is claimed here with a conditional
    update of ``last_login`` from the value the link was checked against: of
    any number of requests at once, exactly one updates the row and gets the
    user; the rest find the row already changed and get None.
    """
    user = get_user(token, update_last_login=False) if token else None
    if user is None or user.role != Role.FACILITATOR:
        return None
    now = timezone.now()
    claimed = User.objects.filter(pk=user.pk, last_login=user.last_login).update(last_login=now)
    if claimed != 1:
        return None
    user.last_login = now
    return user


# --- Retention and personal data -----------------------------------------------------

# The parts of a dispatch that say where a person lives.
ADDRESS_FIELDS = postal.FIELDS


def _has_address() -> Q:
    return ~Q(address_line_1="") | ~Q(address_line_2="") | ~Q(town="") | ~Q(postcode="")


def address_retention_days() -> int:
    return settings.MATERIALS_ADDRESS_RETENTION_DAYS


def delivery_addresses_purge(*, today: date | None = None) -> int:
    """Blank the delivery address of parcels finished more than the retention period ago.

    Finished: dispatched or delivered (counted from the day it left, or from
    creation when no dispatch day is recorded) and rejected (from the
    rejection). Open parcels are never touched; lines, quantities, costs and
    the contact name stay, so counts and spend keep their shape. One bulk
    update; idempotent: a second run finds nothing left to blank. Returns the
    number of dispatches changed.
    """
    today = today or timezone.localdate()
    cutoff = today - timedelta(days=address_retention_days())
    cutoff_at = timezone.make_aware(datetime.combine(cutoff, time.min))
    finished_before = (
        Q(status__in=(Status.DISPATCHED, Status.DELIVERED))
        & (
            Q(dispatched_on__lt=cutoff)
            | Q(dispatched_on__isnull=True, dispatched_at__lt=cutoff_at)
            | Q(dispatched_on__isnull=True, dispatched_at__isnull=True, created_at__lt=cutoff_at)
        )
    ) | (
        Q(status=Status.REJECTED)
        & (Q(rejected_at__lt=cutoff_at) | Q(rejected_at__isnull=True, created_at__lt=cutoff_at))
    )
    changed = (
        Dispatch.objects.filter(finished_before)
        .filter(_has_address())
        .update(**dict.fromkeys(ADDRESS_FIELDS, ""))
    )
    logger.info("materials: removed %d delivery addresses finished before %s", changed, cutoff)
    return changed


def personal_data_export(person_id: int) -> dict:
    """Every parcel addressed to a person (their requests and automatic ones)."""
    dispatches = (
        Dispatch.objects.filter(person_id=person_id)
        .prefetch_related("lines__item")
        .order_by("created_at", "pk")
    )
    return {
        "dispatches": [
            {
                "reference": d.short_ref,
                "reason": d.get_reason_display(),
                "status": d.get_status_display(),
                "meeting": d.meeting_label,
                "contact_name": d.contact_name,
                "contact_email": d.contact_email,
                "address": d.address_lines,
                "note": d.note,
                "created_at": d.created_at.isoformat(),
                "dispatched_on": d.dispatched_on.isoformat() if d.dispatched_on else None,
                "items": [
                    {"item": line.item.name, "quantity": line.quantity} for line in d.lines.all()
                ],
            }
            for d in dispatches
        ]
    }


def personal_data_erase(person_id: int) -> dict[str, int]:
    """Blank who and where on every parcel to the person: those linked to them
    and requests made with their e-mail address by someone not signed in (the
    ask form links no person).

    The parcels, their lines and costs stay (stock ledger and spend figures
    keep adding up); name, e-mail, address and the requester's note go.
    Materials holds no phone number for anyone.
    """
    email = Person.objects.filter(pk=person_id).values_list("email", flat=True).first()
    theirs = Q(person_id=person_id)
    if email:
        theirs |= Q(person__isnull=True, contact_email__iexact=email)
    changed = Dispatch.objects.filter(theirs).update(
        contact_name="Erased",
        contact_email="",
        note="",
        **dict.fromkeys(ADDRESS_FIELDS, ""),
    )
    return {"parcels and requests": changed}
