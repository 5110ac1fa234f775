"""Forms for the facilitator request form and the staff screens.

Each quantity is its own field (``qty_<item id>``) so an error names the item;
a posted item id that is not in the catalogue is reported, not ignored.
"""

import re
import uuid

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from materials import services
from materials.models import Item, Reason, Status
from meetings.selectors import meeting_accepts_materials
from partners.validators import normalise_uk_postcode
from smartnet.forms import StyledFormMixin
from training.postal import PostalAddress

_QTY_KEY = re.compile(r"^qty_(\d+)$")


class SignInLinkForm(StyledFormMixin, forms.Form):
    email = forms.EmailField(
        label="E-mail address on your training record",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()


class ItemQuantitiesMixin:
    """Adds one optional quantity field per requestable item, and checks them."""

    def add_item_fields(self, items, *, allowance: dict[int, int] | None = None) -> None:
        self.items = {item.pk: item for item in items}
        days = settings.MATERIALS_FAIR_USE_DAYS
        for item in items:
            limit = services.fair_use_limit(item)
            left = limit if allowance is None else max(0, limit - allowance.get(item.pk, 0))
            hint = (
                f"Up to {left} more for this meeting in any {days} days."
                if allowance is not None
                else f"Up to {limit}."
            )
            self.fields[f"qty_{item.pk}"] = forms.IntegerField(
                label=f"{item.name} (quantity)",
                required=False,
                help_text=hint + " Leave empty for none.",
                widget=forms.NumberInput(attrs={"min": 1, "max": left, "inputmode": "numeric"}),
            )

    def clean_quantities(self, meeting_id: int | None) -> dict[int, int]:
        quantities: dict[int, int] = {}
        for item_id in self.items:
            name = f"qty_{item_id}"
            value = self.cleaned_data.get(name)
            if value is None:
                continue
            if value < 1:
                self.add_error(name, "Enter 1 or more, or leave it empty for none.")
                continue
            quantities[item_id] = value
        for key in self.data:
            match = _QTY_KEY.match(key)
            if match and int(match.group(1)) not in self.items and self.data.get(key):
                self.add_error(
                    None, f"Item {match.group(1)} does not exist or cannot be requested."
                )
        if self.errors:
            return quantities
        try:
            services.check_quantities(quantities=quantities, meeting_id=meeting_id)
        except ValidationError as exc:
            for message in exc.messages:
                self.add_error(None, message)
        return quantities


class AddressMixin:
    def clean_postcode(self) -> str:
        return normalise_uk_postcode(self.cleaned_data["postcode"])

    def address(self) -> PostalAddress:
        data = self.cleaned_data
        return PostalAddress(
            address_line_1=data["address_line_1"],
            address_line_2=data.get("address_line_2", ""),
            town=data["town"],
            postcode=data["postcode"],
        )


def _address_fields() -> dict[str, forms.Field]:
    return {
        "contact_name": forms.CharField(label="Name to deliver to", max_length=200),
        "address_line_1": forms.CharField(label="Address line 1", max_length=200),
        "address_line_2": forms.CharField(label="Address line 2", max_length=200, required=False),
        "town": forms.CharField(label="Town or city", max_length=100),
        "postcode": forms.CharField(label="Postcode", max_length=10),
    }


class RequestForm(ItemQuantitiesMixin, AddressMixin, StyledFormMixin, forms.Form):
    """A trained facilitator's request for one of their open meetings."""

    token = forms.UUIDField(widget=forms.HiddenInput)
    meeting = forms.TypedChoiceField(
        label="Your meeting",
        coerce=int,
        error_messages={
            "invalid_choice": "Choose one of your open meetings: that meeting is closed "
            "or you do not facilitate it."
        },
    )
    note = forms.CharField(
        label="Anything we should know", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, person, meetings, items, allowance_for=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person
        self.meetings = {m.pk: m for m in meetings}
        self.fields["meeting"].choices = [("", "Choose a meeting")] + [
            (m.pk, str(m)) for m in self.meetings.values()
        ]
        if len(self.meetings) == 1:
            self.fields["meeting"].initial = next(iter(self.meetings))
        for name, field in _address_fields().items():
            self.fields[name] = field
        self.order_fields(["meeting"])
        self.add_item_fields(items, allowance=allowance_for)
        self.order_fields(["meeting", *[f"qty_{i.pk}" for i in items]])
        self.fields["token"].initial = uuid.uuid4()

    def clean(self):
        cleaned = super().clean()
        meeting_id = cleaned.get("meeting")
        if meeting_id and not meeting_accepts_materials(
            meeting_id=meeting_id, person_id=self.person.pk
        ):
            self.add_error(
                "meeting",
                "This meeting is not running (it must be active) or you do not "
                "facilitate it, so materials cannot be sent for it.",
            )
        cleaned["quantities"] = self.clean_quantities(meeting_id if meeting_id else None)
        return cleaned


class UnverifiedRequestForm(ItemQuantitiesMixin, AddressMixin, StyledFormMixin, forms.Form):
    """Someone not on our training records asks; staff verify them before anything is sent."""

    token = forms.UUIDField(widget=forms.HiddenInput)
    email = forms.EmailField(label="Your e-mail address")
    meeting_description = forms.CharField(
        label="Your meeting (name, where and when it runs)", max_length=200
    )
    note = forms.CharField(
        label="Where did you train, and anything else we should know",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in _address_fields().items():
            self.fields[name] = field
        self.add_item_fields(items)
        self.order_fields(
            ["email", "meeting_description", *[f"qty_{i.pk}" for i in items], "contact_name"]
        )
        self.fields["token"].initial = uuid.uuid4()

    def clean(self):
        cleaned = super().clean()
        cleaned["quantities"] = self.clean_quantities(None)
        return cleaned


def requestable_items():
    return list(Item.objects.filter(is_active=True, requestable=True).order_by("name"))


# --- Staff ------------------------------------------------------------------------


class QueueFilterForm(StyledFormMixin, forms.Form):
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Open (not yet sent)"), ("all", "All")]
    )
    reason = forms.ChoiceField(label="Reason", required=False)
    q = forms.CharField(label="Search name, e-mail, postcode or tracking", required=False)

    def __init__(self, *args, **kwargs):

        super().__init__(*args, **kwargs)
        self.fields["status"].choices += list(Status.choices)
        self.fields["reason"].choices = [("", "Any reason"), *Reason.choices]


class TrackingForm(StyledFormMixin, forms.Form):
    tracking_reference = forms.CharField(label="Tracking reference", max_length=60)


class RejectForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(
        label="Reason (e-mailed to the facilitator)", widget=forms.Textarea(attrs={"rows": 2})
    )


class ReceiptForm(StyledFormMixin, forms.Form):
    item = forms.ModelChoiceField(label="Item", queryset=Item.objects.filter(is_active=True))
    quantity = forms.IntegerField(label="Quantity received", min_value=1)
    note = forms.CharField(label="Note (supplier, delivery note)", max_length=300, required=False)


class AdjustmentForm(StyledFormMixin, forms.Form):
    item = forms.ModelChoiceField(label="Item", queryset=Item.objects.filter(is_active=True))
    quantity = forms.IntegerField(
        label="Change (+ or -)", help_text="Negative for stock lost or damaged."
    )
    note = forms.CharField(label="Reason", max_length=300)

    def clean_quantity(self) -> int:
        value = self.cleaned_data["quantity"]
        if value == 0:
            raise ValidationError("An adjustment cannot be 0.")
        return value
