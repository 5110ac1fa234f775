"""Materials: the catalogue, stock, and dispatches of free materials.

Stock on hand is never typed in: every change is a ``StockMovement`` row
(receipt, adjustment, packing, backorder fill) written by
``materials.services`` in the same transaction as the change to
``Item.stock_on_hand``, so the number always equals the sum of its movements
and can never go below zero (a check constraint backs the services up).

A ``Dispatch`` is one parcel to one person: a facilitator's request, or an
automatic one (a Facilitators Manual when someone is trained, the starter
pack when their meeting starts). Materials never imports the training or
meetings models: it stores the meeting's id and listens to their signals.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from partners.models import Person
from partners.validators import validate_uk_postcode


class Item(models.Model):
    """Something we send out. ``stock_on_hand`` moves only with a StockMovement."""

    code = models.SlugField(max_length=40, unique=True, help_text="Short code, e.g. 'poster'.")
    name = models.CharField(max_length=120, unique=True)
    description = models.CharField(max_length=300, blank=True)
    unit_cost = models.DecimalField(max_digits=8, decimal_places=2)
    pack_size = models.PositiveIntegerField(
        default=1, help_text="Units in one bundle as it comes from the printer."
    )
    reorder_level = models.PositiveIntegerField(default=0)
    stock_on_hand = models.IntegerField(default=0, editable=False)
    requestable = models.BooleanField(
        default=True, help_text="Facilitators may ask for it on the request form."
    )
    is_active = models.BooleanField(default=True)
    # Set when stock falls to the reorder level and the alert goes out;
    # cleared when stock rises above it again: one alert per crossing.
    low_stock_alerted = models.BooleanField(default=False, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(stock_on_hand__gte=0), name="item_stock_never_negative"
            ),
            models.CheckConstraint(
                condition=Q(unit_cost__gte=0), name="item_unit_cost_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_low(self) -> bool:
        return self.stock_on_hand <= self.reorder_level


class MovementKind(models.TextChoices):
    RECEIPT = "receipt", "Receipt"
    ADJUSTMENT = "adjustment", "Adjustment"
    PACKED = "packed", "Packed for dispatch"
    BACKORDER_FILL = "backorder_fill", "Backorder filled"


class StockMovement(models.Model):
    """One change to an item's stock; the ledger ``stock_on_hand`` is kept in step with."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(max_length=20, choices=MovementKind.choices)
    quantity = models.IntegerField(help_text="Positive adds stock, negative takes it.")
    balance_after = models.IntegerField()
    note = models.CharField(max_length=300, blank=True)
    dispatch = models.ForeignKey(
        "Dispatch", on_delete=models.PROTECT, null=True, blank=True, related_name="movements"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(quantity=0), name="movement_not_zero"),
            models.CheckConstraint(
                condition=Q(balance_after__gte=0), name="movement_balance_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["item", "-created_at"], name="movement_item_time_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.quantity:+d} {self.item}"


class Pack(models.Model):
    """A fixed set of items and quantities, e.g. the meeting starter pack."""

    STARTER = "starter"
    FACILITATOR_WELCOME = "facilitator-welcome"

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    description = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PackItem(models.Model):
    pack = models.ForeignKey(Pack, on_delete=models.CASCADE, related_name="items")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["pack", "item"], name="packitem_once_per_pack"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="packitem_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.item}"


class Reason(models.TextChoices):
    FACILITATORS_MANUAL = "facilitators_manual", "Facilitators Manual (trained)"
    STARTER_PACK = "starter_pack", "Starter pack (meeting started)"
    REQUEST = "request", "Facilitator request"
    BACKORDER = "backorder", "Backorder filled"


class Status(models.TextChoices):
    # A starter pack for a meeting opened with no facilitator named: it goes to
    # the first facilitator named, and is never labelled "unknown".
    WAITING_FOR_FACILITATOR = "waiting_for_facilitator", "Waiting for a facilitator"
    AWAITING_VERIFICATION = "awaiting_verification", "Awaiting verification"
    SUBMITTED = "submitted", "Submitted"
    APPROVED = "approved", "Approved"
    PACKED = "packed", "Packed"
    DISPATCHED = "dispatched", "Dispatched"
    DELIVERED = "delivered", "Delivered"
    REJECTED = "rejected", "Rejected"


OPEN_STATUSES = (
    Status.WAITING_FOR_FACILITATOR,
    Status.AWAITING_VERIFICATION,
    Status.SUBMITTED,
    Status.APPROVED,
    Status.PACKED,
)


class Dispatch(models.Model):
    """One parcel to one person, from request (or trigger) to delivery.

    submitted -> approved -> packed -> dispatched (tracking reference) ->
    delivered, or rejected with a reason. A request from someone not on record
    starts awaiting verification. Each status change is a conditional update in
    ``materials.services`` so two staff cannot move the same parcel twice.
    The automatic ones are unique per (person, reason) and (meeting, reason).
    """

    reason = models.CharField(max_length=30, choices=Reason.choices)
    status = models.CharField(max_length=30, choices=Status.choices, default=Status.SUBMITTED)
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="dispatches"
    )
    # The meeting (meetings app) by id only: materials does not import its models.
    meeting_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    meeting_label = models.CharField(max_length=200, blank=True)
    follows = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="followups",
        help_text="For a backorder parcel: the dispatch it completes.",
    )
    # Who asked and where it goes (a snapshot, as it was when confirmed).
    contact_name = models.CharField(max_length=200)
    contact_email = models.EmailField(blank=True)
    address_line_1 = models.CharField(max_length=200, blank=True)
    address_line_2 = models.CharField(max_length=200, blank=True)
    town = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=8, blank=True, validators=[validate_uk_postcode])
    note = models.TextField(blank=True, help_text="From the requester, or why it was created.")
    # A form's one-off token: a double-submitted form makes one request.
    idempotency_key = models.UUIDField(null=True, blank=True, unique=True)
    # Public reference shown to the facilitator (never the database id).
    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    tracking_reference = models.CharField(max_length=60, blank=True)
    rejection_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    packed_at = models.DateTimeField(null=True, blank=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    # The business date it left: what spend per quarter counts by.
    dispatched_on = models.DateField(null=True, blank=True, db_index=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    rejected_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The staff member who last moved it on.",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "dispatches"
        constraints = [
            models.UniqueConstraint(
                fields=["person", "reason"],
                condition=Q(reason="facilitators_manual"),
                name="dispatch_manual_once_per_person",
            ),
            # A starter pack goes once to each person who starts or takes over
            # a meeting; and a meeting has at most one pack waiting for a name.
            models.UniqueConstraint(
                fields=["meeting_id", "person"],
                condition=Q(reason="starter_pack"),
                name="dispatch_starter_once_per_person_meeting",
            ),
            models.UniqueConstraint(
                fields=["meeting_id"],
                condition=Q(reason="starter_pack", person__isnull=True),
                name="dispatch_starter_one_waiting_per_meeting",
            ),
            models.CheckConstraint(
                condition=~Q(status="waiting_for_facilitator") | Q(person__isnull=True),
                name="dispatch_waiting_has_no_person",
            ),
            models.CheckConstraint(
                condition=~Q(status="dispatched") | ~Q(tracking_reference=""),
                name="dispatch_dispatched_has_tracking",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="dispatch_status_idx"),
            models.Index(
                fields=["meeting_id", "reason", "created_at"], name="dispatch_fair_use_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} to {self.contact_name} ({self.get_status_display()})"

    @property
    def address_lines(self) -> list[str]:
        parts = [self.address_line_1, self.address_line_2, self.town, self.postcode]
        return [p for p in parts if p]

    @property
    def contact_on_record(self) -> bool:
        """Whether the contact details come from a person on our records.

        A request made at the ask form (no person) carries a name, meeting and
        address that an unverified visitor typed, for any e-mail address: the
        e-mails about it repeat none of that text (it is for staff only), so the
        charity's sender cannot be made to mail a stranger's words to anyone.
        """
        return self.person_id is not None

    @property
    def has_address(self) -> bool:
        return bool(self.address_line_1 and self.town and self.postcode)

    @property
    def short_ref(self) -> str:
        return f"M{self.pk:06d}"


class DispatchLine(models.Model):
    """One item in a dispatch: asked for, and what packing could fill."""

    dispatch = models.ForeignKey(Dispatch, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="dispatch_lines")
    quantity = models.PositiveIntegerField()
    quantity_packed = models.PositiveIntegerField(default=0)
    # The item's cost when packed: spend is counted at the price of the day.
    unit_cost = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["item__name"]
        constraints = [
            models.UniqueConstraint(fields=["dispatch", "item"], name="line_once_per_item"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="line_quantity_positive"),
            models.CheckConstraint(
                condition=Q(quantity_packed__lte=models.F("quantity")),
                name="line_packed_within_asked",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.item}"

    @property
    def quantity_short(self) -> int:
        return self.quantity - self.quantity_packed


class Backorder(models.Model):
    """What packing could not fill; filled (oldest first) when stock arrives."""

    line = models.OneToOneField(DispatchLine, on_delete=models.CASCADE, related_name="backorder")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="backorders")
    quantity = models.PositiveIntegerField()
    quantity_filled = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    filled_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="backorder_quantity_positive"),
            models.CheckConstraint(
                condition=Q(quantity_filled__lte=models.F("quantity")),
                name="backorder_filled_within_quantity",
            ),
        ]
        indexes = [
            models.Index(
                fields=["item", "created_at"],
                name="backorder_open_idx",
                condition=Q(filled_at__isnull=True, cancelled_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.outstanding} x {self.item} outstanding"

    @property
    def outstanding(self) -> int:
        return self.quantity - self.quantity_filled

    @property
    def is_open(self) -> bool:
        return self.filled_at is None and self.cancelled_at is None
