"""Forms of the meetings app: the public finder, and the staff and portal screens."""

from django import forms

from meetings.models import (
    Format,
    HeadCount,
    Leadership,
    Meeting,
    Programme,
    SessionNotHeld,
    Status,
    Weekday,
)
from meetings.picker import FacilitatorPicker
from meetings.services import (
    CHANGE_FIELDS,
    JOINING_FIELDS,
    MEETING_FIELDS,
    VENUE_FIELDS,
    head_count_confirm_above,
)
from smartnet.forms import IdMultipleChoiceField, StyledFormMixin


class FinderForm(StyledFormMixin, forms.Form):
    where = forms.CharField(
        label="Town or postcode",
        required=False,
        max_length=60,
        help_text="For example Leeds, LS1 or LS1 4AP. Leave empty to list every meeting.",
    )
    radius = forms.TypedChoiceField(
        label="Within",
        choices=[
            (5, "5 miles"),
            (10, "10 miles"),
            (25, "25 miles"),
            (50, "50 miles"),
            (100, "100 miles"),
        ],
        coerce=int,
        required=False,
        empty_value=25,
        initial=25,
    )
    day = forms.TypedChoiceField(
        label="Day",
        choices=[("", "Any day"), *Weekday.choices],
        coerce=int,
        required=False,
        empty_value=None,
    )
    time_of_day = forms.ChoiceField(
        label="Time of day",
        choices=[
            ("", "Any time"),
            ("morning", "Morning (before 12:00)"),
            ("afternoon", "Afternoon (12:00 to 17:00)"),
            ("evening", "Evening (from 17:00)"),
        ],
        required=False,
    )
    format = forms.ChoiceField(
        label="Format",
        choices=[
            ("", "Any format"),
            (Format.IN_PERSON, "In person (including hybrid)"),
            (Format.ONLINE, "Online (including hybrid)"),
            (Format.HYBRID, "Hybrid only"),
        ],
        required=False,
    )
    programme = forms.ChoiceField(
        label="Programme",
        choices=[("", "Any programme")]
        + [(v, label) for v, label in Programme.choices if v != Programme.PRISON],
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["where"].widget.attrs["aria-describedby"] = "id_where_helptext"
        self.fields["where"].widget.attrs["autocomplete"] = "postal-code"


class MeetingFilterForm(StyledFormMixin, forms.Form):
    q = forms.CharField(label="Name, town or partner", required=False, max_length=100)
    status = forms.ChoiceField(
        label="Status", choices=[("", "Any status"), *Status.choices], required=False
    )
    programme = forms.ChoiceField(
        label="Programme", choices=[("", "Any programme"), *Programme.choices], required=False
    )
    format = forms.ChoiceField(
        label="Format", choices=[("", "Any format"), *Format.choices], required=False
    )
    leadership = forms.ChoiceField(
        label="Led now", choices=[("", "Any leadership"), *Leadership.choices], required=False
    )


class FiguresForm(StyledFormMixin, forms.Form):
    on = forms.DateField(
        label="On date", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class MeetingForm(StyledFormMixin, forms.ModelForm):
    conference_url = forms.URLField(
        label="Joining link",
        required=False,
        assume_scheme="https",
        help_text="An https:// link on Zoom, Google Meet, Microsoft Teams, WebEx, Jitsi or "
        "GoTo: meeting apps list other hosts' meetings as not online.",
    )

    class Meta:
        model = Meeting
        # What staff may edit is what the service accepts, less the host
        # (set from the site or the partner, not typed in).
        fields = [name for name in MEETING_FIELDS if name != "host"]
        widgets = {
            "start_time": forms.TimeInput(attrs={"type": "time"}),
            "end_time": forms.TimeInput(attrs={"type": "time"}),
            "directions": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, sites=None, **kwargs):
        super().__init__(*args, **kwargs)
        if sites is not None:
            self.fields["site"].queryset = sites
        self.fields["site"].required = False
        self.fields[
            "site"
        ].help_text = "A partner site, or leave empty and describe a community venue."

    def _post_clean(self):
        # The service validates (and names the field); skip the model's own
        # full_clean so its constraint messages do not duplicate ours.
        pass


class StatusForm(StyledFormMixin, forms.Form):
    on = forms.DateField(label="From date", widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label="Reason", max_length=300, required=False)


class LeadershipForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label="Leadership", choices=Leadership.choices)
    start_date = forms.DateField(label="From date", widget=forms.DateInput(attrs={"type": "date"}))
    facilitators = IdMultipleChoiceField(
        label="Facilitators",
        queryset=None,
        required=False,
        widget=FacilitatorPicker,
        help_text="Search by name or e-mail address; each person shows their organisation "
        "and training. Tick everyone who leads the meeting.",
    )
    note = forms.CharField(label="Note", max_length=300, required=False)

    def __init__(self, *args, people, picker_url="", query="", show_email=False, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["facilitators"]
        field.queryset = people
        field.widget.people = people
        field.widget.endpoint = picker_url
        field.widget.query = query
        field.widget.show_email = show_email


class LeadershipCorrectForm(LeadershipForm):
    """Correct a period recorded wrongly: its dates, kind and facilitators."""

    end_date = forms.DateField(
        label="To date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Leave empty if this is the latest period and it still runs.",
    )
    reason = forms.CharField(
        label="Why are you correcting it?",
        max_length=90,
        help_text="Kept in the period's history, e.g. 'Recorded on the wrong day'.",
    )
    field_order = ["kind", "start_date", "end_date", "facilitators", "reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["note"]


class HeadCountForm(StyledFormMixin, forms.ModelForm):
    """One session's head count (the portal's and the facilitators' pages)."""

    confirmed = forms.BooleanField(label="I have checked this number", required=False)

    class Meta:
        model = HeadCount
        fields = ["held_on", "attendance", "new_attendees"]
        widgets = {"held_on": forms.DateInput(attrs={"type": "date"})}
        help_texts = {"attendance": "How many came, as a number. Never names."}

    def __init__(self, *args, meeting: Meeting, **kwargs):
        super().__init__(*args, **kwargs)
        limit = head_count_confirm_above(meeting)
        self.fields[
            "confirmed"
        ].label = f"I have checked this number: more than {limit} people came"
        if not self._over(limit):
            # The tick box is asked for only once a number over the usual size came in.
            self.fields["confirmed"].widget = forms.HiddenInput()

    def _over(self, limit: int) -> bool:
        if not self.is_bound:
            return False
        try:
            return int(self.data.get(self.add_prefix("attendance"), "")) > limit
        except (TypeError, ValueError):
            return False

    def _post_clean(self):
        pass


class NotHeldForm(StyledFormMixin, forms.ModelForm):
    """A week the meeting did not run."""

    class Meta:
        model = SessionNotHeld
        fields = ["held_on", "reason"]
        widgets = {"held_on": forms.DateInput(attrs={"type": "date"})}
        help_texts = {
            "held_on": "The date the session would have been. A holiday ahead can be marked too."
        }

    def _post_clean(self):
        pass


class ChangeProposalForm(StyledFormMixin, forms.Form):
    """A new day, time, venue or joining details, for staff to review. Starts
    from the meeting's values; only what differs is proposed. The venue boxes
    are offered for in-person and hybrid meetings, the joining boxes for online
    and hybrid ones."""

    weekday = forms.TypedChoiceField(label="Day", choices=Weekday.choices, coerce=int)
    start_time = forms.TimeField(
        label="Start time", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    end_time = forms.TimeField(
        label="End time", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    conference_url = forms.URLField(
        label="Joining link",
        required=False,
        assume_scheme="https",
        help_text=MeetingForm.base_fields["conference_url"].help_text,
    )
    note = forms.CharField(
        label="Anything the central team should know",
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For example from when the change applies. Seen by the central team only.",
    )

    def __init__(self, *args, meeting: Meeting, **kwargs):
        initial = {name: getattr(meeting, name) for name in CHANGE_FIELDS}
        if meeting.site_id:
            for name in VENUE_FIELDS:
                initial[name] = ""
        super().__init__(*args, initial=initial, **kwargs)
        for name in (*VENUE_FIELDS, *JOINING_FIELDS):
            if name in self.fields:
                continue
            field = Meeting._meta.get_field(name).formfield(required=False)
            if name == "directions":
                field.widget = forms.Textarea(attrs={"rows": 2})
            self.fields[name] = field
        if not meeting.is_in_person:
            for name in VENUE_FIELDS:
                del self.fields[name]
        elif meeting.site_id:
            self.fields["venue_name"].help_text = (
                f"The meeting is at {meeting.site.name}. To move it to a community venue, "
                "give the venue's name and address; leave these empty to stay."
            )
        if not meeting.is_online:
            for name in JOINING_FIELDS:
                del self.fields[name]
        self.order_fields([*CHANGE_FIELDS, "note"])

    def changes(self) -> dict:
        return {n: self.cleaned_data[n] for n in CHANGE_FIELDS if n in self.cleaned_data}
