from django import forms

from feedback.models import ReportKind, ReportStatus
from feedback.services import MAX_DETAILS
from smartnet.forms import StyledFormMixin


class ReportForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label="What is wrong?", choices=ReportKind.choices, widget=forms.RadioSelect
    )
    details = forms.CharField(
        label="Tell us more (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=f"Up to {MAX_DETAILS:,} characters, no links. Please do not name anyone.",
    )
    reply_email = forms.EmailField(
        label="Your e-mail address, only if you want a reply (optional)", required=False
    )


class ReportUpdateForm(StyledFormMixin, forms.Form):
    status = forms.ChoiceField(choices=ReportStatus.choices)
    note = forms.CharField(
        label="Note for the team (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
