from django import forms

from outreach.models import Segment
from partners.models import Area, OrganisationKind, Standing
from smartnet.forms import StyledFormMixin


def _regions() -> list[tuple[str, str]]:
    names = Area.objects.exclude(region="").values_list("region", flat=True).distinct()
    return [("", "Any region"), *((r, r) for r in sorted(set(names)))]


class CommunicationForm(StyledFormMixin, forms.Form):
    subject = forms.CharField(max_length=150)
    body = forms.CharField(
        label="Message",
        widget=forms.Textarea(attrs={"rows": 10}),
        max_length=20000,
        help_text="Plain text. {first_name} becomes each recipient's first name. "
        "An unsubscribe link is added to every e-mail.",
    )
    segment = forms.ChoiceField(label="Who it is for", choices=Segment.choices)
    region = forms.ChoiceField(required=False)
    kind = forms.ChoiceField(
        label="Kind of partner (partners' main contacts only)",
        required=False,
        choices=[("", "Any kind")]
        + [c for c in OrganisationKind.choices if c[0] != OrganisationKind.COMMISSIONER],
    )
    standing = forms.ChoiceField(
        label="Agreement standing (partners' main contacts only)",
        required=False,
        choices=[("", "Partners today")] + list(Standing.choices),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = _regions()
