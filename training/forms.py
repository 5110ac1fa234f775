from django import forms
from django.conf import settings

from partners.models import Area, Organisation
from smartnet.forms import StyledFormMixin
from training.models import AccessRule, Audience, Award, Course, Delivery, TrainingProfile


class PeopleSearchForm(StyledFormMixin, forms.Form):
    q = forms.CharField(label="Name or e-mail", required=False, max_length=200)


class ImportForm(StyledFormMixin, forms.Form):
    file = forms.FileField(
        label="Moodle export (CSV)",
        allow_empty_file=True,  # the service says so in its own words
        help_text=(
            "Either the report builder export (one row per person per course: e-mail address, "
            "ID number, username, course short name, time completed, grade) or a course "
            "completion report (one row per person, with a Course complete column). "
            "UTF-8 (with or without BOM), Excel CSV or Unicode text."
        ),
    )
    course = forms.ModelChoiceField(
        queryset=Course.objects.filter(is_active=True),
        required=False,
        label="Course",
        help_text="Only for a course completion report, which is for one course.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.TRAINING_IMPORT_MAX_BYTES
        if upload.size > limit:
            # Refused before reading it into memory.
            raise forms.ValidationError(
                f"The file is {upload.size / 1_048_576:.1f} MB; the limit is "
                f"{limit / 1_048_576:.1f} MB. Split the export."
            )
        return upload


class ProfileForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = TrainingProfile
        fields = [
            "is_peer",
            "consent_to_contact",
            "address_line_1",
            "address_line_2",
            "town",
            "postcode",
            "moodle_idnumber",
            "moodle_username",
        ]

    def __init__(self, *args, can_see_peers: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_see_peers:
            del self.fields["is_peer"]


class CompletionForm(StyledFormMixin, forms.Form):
    course = forms.ModelChoiceField(queryset=Course.objects.all())
    completed_on = forms.DateField(
        label="Completed on", widget=forms.DateInput(attrs={"type": "date"})
    )
    score = forms.DecimalField(required=False, max_digits=6, decimal_places=2, min_value=0)


class EnrolForm(StyledFormMixin, forms.Form):
    course = forms.ModelChoiceField(queryset=Course.objects.filter(is_active=True))


class CourseMapForm(StyledFormMixin, forms.Form):
    shortname = forms.CharField(label="Moodle course short name", max_length=100)
    course = forms.ModelChoiceField(queryset=Course.objects.all())


class EventForm(StyledFormMixin, forms.Form):
    course = forms.ModelChoiceField(queryset=Course.objects.filter(is_active=True))
    held_on = forms.DateField(label="Date", widget=forms.DateInput(attrs={"type": "date"}))
    venue = forms.CharField(max_length=200)
    capacity = forms.IntegerField(min_value=1, max_value=500)
    trainer_emails = forms.CharField(
        label="Trainers' e-mail addresses",
        required=False,
        help_text="One or more, separated by commas.",
    )


class BookForm(StyledFormMixin, forms.Form):
    email = forms.EmailField(label="E-mail address of the person to book")


class ChampionFilterForm(StyledFormMixin, forms.Form):
    # A name to search for, not a list: thousands of partners make a select
    # too long to use and too slow to draw. Links may still name one partner
    # by id (``?organisation=``), carried through the form as a hidden field.
    partner = forms.CharField(label="Partner name", required=False, max_length=100)
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.all(), required=False, widget=forms.HiddenInput
    )
    region = forms.ChoiceField(required=False)
    start = forms.DateField(
        label="Trained from", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label="Trained to", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        regions = (
            Area.objects.exclude(region="").order_by("region").values_list("region", flat=True)
        )
        self.fields["region"].choices = [("", "All regions")] + [
            (r, r) for r in dict.fromkeys(regions)
        ]

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", "The end date must be on or after the start date.")
        return data


class CourseForm(StyledFormMixin, forms.Form):
    code = forms.SlugField(max_length=30, help_text="A short code, such as smart-intro")
    title = forms.CharField(max_length=200)
    delivery = forms.ChoiceField(choices=Delivery.choices)
    audience = forms.ChoiceField(choices=Audience.choices)
    access_rule = forms.ChoiceField(label="Who may take it", choices=AccessRule.choices)
    awards = forms.ChoiceField(choices=Award.choices, required=False)
    validity_months = forms.IntegerField(
        label="Refresher after (months)",
        required=False,
        min_value=1,
        max_value=120,
        help_text="Empty: it never lapses.",
    )
    is_active = forms.BooleanField(label="Offered now", required=False, initial=True)
