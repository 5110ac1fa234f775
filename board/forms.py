"""Forms of the staff board screens: they parse input; board.services validates and saves."""

from django import forms

from board import metrics
from board.models import Action, ActionStatus, BoardMeeting, Objective
from board.rag import Colour
from smartnet.forms import StyledFormMixin
from smartnet.models import User
from smartnet.roles import STAFF_ROLES


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def staff_users():
    return User.objects.filter(role__in=STAFF_ROLES, is_active=True).order_by("full_name", "email")


class ObjectiveForm(StyledFormMixin, forms.ModelForm):
    metric_key = forms.ChoiceField(
        label="Metric",
        required=False,
        choices=[("", "None: record a manual value"), *metrics.choices()],
        help_text="A figure the system computes from live data, or none to record a manual value.",
    )

    class Meta:
        model = Objective
        fields = [
            "title",
            "description",
            "metric_key",
            "manual_value",
            "manual_source",
            "higher_is_better",
            "baseline_value",
            "baseline_date",
            "target_value",
            "target_date",
            "tolerance_percent",
            "owner",
            "position",
        ]
        widgets = {
            "baseline_date": DateInput(),
            "target_date": DateInput(),
            "description": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"higher_is_better": "Higher is better (manual values only)"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = staff_users()

    def _post_clean(self):
        # Validation is the service's job (it names each field); skip the model's.
        pass


class ActionForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Action
        fields = ["title", "owner", "due_date", "status", "at_risk", "progress_note"]
        widgets = {"due_date": DateInput(), "progress_note": forms.Textarea(attrs={"rows": 3})}
        labels = {"at_risk": "At risk (shows amber)"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = staff_users()
        self.fields["status"].choices = ActionStatus.choices

    def _post_clean(self):
        pass


class OverrideForm(StyledFormMixin, forms.Form):
    colour = forms.ChoiceField(label="Traffic light", choices=Colour.choices)
    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required: the report shows the computed light, this one and your reason.",
    )


class BoardMeetingForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = BoardMeeting
        fields = ["date", "title"]
        widgets = {"date": DateInput()}

    def _post_clean(self):
        pass


class ReviewForm(StyledFormMixin, forms.Form):
    note = forms.CharField(
        label="Review note", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
