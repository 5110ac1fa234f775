"""Forms of the partners screens: they parse input; services validate and write."""

import datetime

from django import forms
from django.core.exceptions import ValidationError

from partners.models import AffiliationRole, Area, Organisation, OrganisationKind, SiteType
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
        help_text="The first day the site is covered",
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
    invite = forms.BooleanField(
        label="Invite them to sign in to the portal",
        required=False,
        help_text="For the main contact: they get an e-mail to choose a password once the "
        "central team confirms them.",
    )


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


class TerminateForm(StyledFormMixin, forms.Form):
    on = forms.DateField(
        label="Terminate from",
        help_text="The first day the agreement no longer covers",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    reason = forms.CharField(
        label="Reason",
        max_length=200,
        help_text="Kept with the agreement's record",
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class EraseForm(StyledFormMixin, forms.Form):
    confirm = forms.CharField(
        label='Type "erase" to confirm',
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def clean_confirm(self) -> str:
        if self.cleaned_data["confirm"].strip().lower() != "erase":
            raise forms.ValidationError('Type "erase" in the box to erase this person.')
        return "erase"


class InvitationRequestForm(StyledFormMixin, forms.Form):
    email = forms.EmailField(
        label="E-mail address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )


# --- Staff set-up -------------------------------------------------------------------


class OrganisationForm(StyledFormMixin, forms.Form):
    name = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=OrganisationKind.choices)
    charity_number = forms.CharField(
        label="Charity number",
        max_length=20,
        required=False,
        help_text="Such as 1123456 or SC012345",
    )
    company_number = forms.CharField(
        label="Company number",
        max_length=20,
        required=False,
        help_text="8 characters, such as 01234567",
    )
    website = forms.URLField(required=False, assume_scheme="https")
    billing_address = forms.CharField(
        label="Billing address", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    requires_po_number = forms.BooleanField(
        label="Needs a purchase-order number on invoices", required=False
    )
    areas = IdMultipleChoiceField(
        queryset=Area.objects.order_by("name"),
        required=False,
        help_text="Commissioners only: the local authority areas it covers.",
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    billing_first_name = forms.CharField(
        label="Billing contact: first name", max_length=100, required=False
    )
    billing_last_name = forms.CharField(
        label="Billing contact: last name", max_length=100, required=False
    )
    billing_email = forms.EmailField(
        label="Billing contact: e-mail",
        required=False,
        help_text="Leave empty to keep the billing contact as it is.",
    )

    def service_values(self) -> dict:
        data = dict(self.cleaned_data)
        contact = {
            "first_name": data.pop("billing_first_name"),
            "last_name": data.pop("billing_last_name"),
            "email": data.pop("billing_email"),
        }
        data["billing_contact"] = contact if contact["email"] else None
        return data


class SiteForm(StyledFormMixin, forms.Form):
    name = forms.CharField(max_length=200)
    address_line_1 = forms.CharField(label="Address line 1", max_length=200)
    address_line_2 = forms.CharField(label="Address line 2", max_length=200, required=False)
    town = forms.CharField(max_length=100)
    postcode = forms.CharField(
        max_length=10, help_text="The area and the map position are found from it."
    )
    site_type = forms.ChoiceField(label="Type of site", choices=SiteType.choices)
    area = AreaChoiceField(
        label="Local authority area",
        queryset=Area.objects.order_by("name"),
        required=False,
        help_text="Only when the postcode table does not know the postcode.",
    )
    opened_on = forms.DateField(
        label="Opened on", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    closed_on = forms.DateField(
        label="Closed on", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class PersonForm(StyledFormMixin, forms.Form):
    first_name = forms.CharField(label="First name", max_length=100)
    last_name = forms.CharField(label="Last name", max_length=100)
    email = forms.EmailField(label="E-mail address", required=False)
    phone = forms.CharField(max_length=30, required=False)


class NewPersonForm(PersonForm):
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.order_by("name"),
        required=False,
        help_text="Optional: tie them to an organisation at once.",
    )
    role = forms.ChoiceField(choices=[("", "-"), *AffiliationRole.choices], required=False)
    confirmed_new = forms.BooleanField(
        label="This is a different person from the ones listed", required=False
    )


class AffiliationForm(StyledFormMixin, forms.Form):
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.order_by("name"))
    role = forms.ChoiceField(choices=AffiliationRole.choices)
    start_date = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    is_primary = forms.BooleanField(label="Their primary affiliation", required=False)


class EndAffiliationForm(StyledFormMixin, forms.Form):
    end_date = forms.DateField(
        label="Last day",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Portal access this tie gives ends after this day.",
    )


class MergeForm(StyledFormMixin, forms.Form):
    other = forms.CharField(
        label="The other record",
        max_length=254,
        help_text="Its e-mail address or its number (the number in its page's address).",
    )


class PeopleFilterForm(StyledFormMixin, forms.Form):
    q = forms.CharField(label="Name or e-mail", required=False)
    new_from_moodle = forms.BooleanField(label="New from Moodle, not reviewed", required=False)
