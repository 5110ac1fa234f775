"""Forms of the partners screens: they parse input; services validate and write."""

import datetime

from django import forms
from django.core.exceptions import ValidationError

from partners.models import AffiliationRole, Area, OrganisationKind, SiteType
from partners.validators import normalise_uk_postcode
from smartnet.forms import IdMultipleChoiceField, StyledFormMixin

STANDING_CHOICES = [
    ("", "Any"),
    ("current", "Current"),
    ("renewal_due", "Renewal due"),
    ("grace", "In grace"),
    ("lapsed", "Lapsed or ended"),
    ("none", "No agreement"),
]


class PartnerFilterForm(StyledFormMixin, forms.Form):
    q = forms.CharField(label="Search", required=False, help_text="Name, charity or company number")
    status = forms.ChoiceField(choices=STANDING_CHOICES, required=False)
    renewal_month = forms.CharField(
        label="Renewal month",
        required=False,
        help_text="YYYY-MM, the month the current term ends",
        widget=forms.TextInput(attrs={"placeholder": "2026-04"}),
    )
    region = forms.ChoiceField(required=False)
    kind = forms.ChoiceField(
        choices=[("", "Any")]
        + [c for c in OrganisationKind.choices if c[0] != OrganisationKind.COMMISSIONER],
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        regions = (
            Area.objects.exclude(region="").order_by("region").values_list("region", flat=True)
        )
        self.fields["region"].choices = [("", "Any")] + [(r, r) for r in dict.fromkeys(regions)]

    def clean_renewal_month(self):
        value = self.cleaned_data["renewal_month"].strip()
        if not value:
            return None
        try:
            return datetime.date.fromisoformat(f"{value}-01")
        except ValueError:
            raise ValidationError("Enter a month as YYYY-MM, such as 2026-04.") from None


class AreaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.ons_code})"


class SiteRequestForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label="Site name", max_length=200)
    address_line_1 = forms.CharField(label="Address line 1", max_length=200)
    address_line_2 = forms.CharField(label="Address line 2", max_length=200, required=False)
    town = forms.CharField(max_length=100)
    postcode = forms.CharField(max_length=10, help_text="A UK postcode, such as M1 1AE")
    area = AreaChoiceField(
        label="Local authority area",
        queryset=Area.objects.order_by("name"),
        to_field_name="ons_code",
        error_messages={"invalid_choice": "Choose a local authority area from the list."},
    )
    site_type = forms.ChoiceField(label="Type of site", choices=SiteType.choices)
    joins_on = forms.DateField(
        label="Joins on",
        help_text="The first day the site is covered (YYYY-MM-DD)",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean_postcode(self):
        return normalise_uk_postcode(self.cleaned_data["postcode"])


class ContactForm(StyledFormMixin, forms.Form):
    role = forms.ChoiceField(
        choices=[
            (AffiliationRole.MAIN_CONTACT.value, AffiliationRole.MAIN_CONTACT.label),
            (AffiliationRole.BILLING_CONTACT.value, AffiliationRole.BILLING_CONTACT.label),
            (AffiliationRole.SIGNATORY.value, AffiliationRole.SIGNATORY.label),
        ]
    )
    first_name = forms.CharField(label="First name", max_length=100)
    last_name = forms.CharField(label="Last name", max_length=100)
    email = forms.EmailField(label="E-mail address")
    phone = forms.CharField(max_length=30, required=False)


class PaymentForm(StyledFormMixin, forms.Form):
    # A text field, so the service gives its own clear message for bad amounts.
    amount = forms.CharField(label="Amount (£)", max_length=20)
    received_on = forms.DateField(
        label="Received on", widget=forms.DateInput(attrs={"type": "date"})
    )
    reference = forms.CharField(max_length=100, required=False)


class ExportForm(StyledFormMixin, forms.Form):
    start = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", "The end of the period must not be before its start.")
        return data


class AgreementForm(StyledFormMixin, forms.Form):
    """A new agreement for one organisation: sites for a partner, an annual
    amount for a commissioner (the view removes the field that does not apply)."""

    start_date = forms.DateField(label="Start date", widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(
        label="End date",
        required=False,
        help_text="Leave blank for one year",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    sites = IdMultipleChoiceField(
        queryset=None, widget=forms.CheckboxSelectMultiple, required=False
    )
    annual_amount = forms.CharField(label="Annual amount (£)", required=False, max_length=20)

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        if organisation.is_commissioner:
            del self.fields["sites"]
        else:
            del self.fields["annual_amount"]
            self.fields["sites"].queryset = organisation.sites.filter(closed_on__isnull=True)


class PeriodActionForm(StyledFormMixin, forms.Form):
    on = forms.DateField(
        label="Date", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(label="Reason", required=False, max_length=200)


class ReasonForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


class CreditNoteForm(StyledFormMixin, forms.Form):
    amount = forms.CharField(
        label="Amount to credit (£)",
        max_length=20,
        required=False,
        help_text="Leave empty to credit everything not yet credited.",
    )
    reason = forms.CharField(max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


class IssueForm(StyledFormMixin, forms.Form):
    po_number = forms.CharField(label="Purchase-order number", max_length=60, required=False)
    po_waived_reason = forms.CharField(
        label="Reason to issue without a purchase-order number",
        max_length=300,
        required=False,
        help_text="Only when the organisation needs a PO number and has not given one.",
    )


class RefundForm(StyledFormMixin, forms.Form):
    amount = forms.CharField(label="Amount refunded (£)", max_length=20)
    paid_on = forms.DateField(label="Paid on", widget=forms.DateInput(attrs={"type": "date"}))
    reference = forms.CharField(max_length=100, required=False)


class StatementUploadForm(StyledFormMixin, forms.Form):
    file = forms.FileField(
        label="Bank statement (CSV)",
        help_text="The CSV export of the bank account (Barclays, HSBC, Lloyds, NatWest, "
        "Santander, Nationwide and others).",
    )


class StatementColumnsForm(StyledFormMixin, forms.Form):
    """The columns of an uploaded statement, guessed, for finance to confirm."""

    date = forms.TypedChoiceField(label="Date column", coerce=int)
    amount = forms.TypedChoiceField(label="Amount paid in column", coerce=int)
    reference = forms.TypedChoiceField(label="Reference or description column", coerce=int)

    def __init__(self, *args, header: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(i, name or f"Column {i + 1}") for i, name in enumerate(header)]
        for name in ("date", "amount", "reference"):
            self.fields[name].choices = choices
