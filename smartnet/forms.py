import re
from collections.abc import Iterable

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.forms.utils import pretty_name

# The largest id a database column holds (a signed 64-bit integer).
MAX_ID = 2**63 - 1


def parse_id(value: object) -> int | None:
    """An id read from a query string or a form, or None when it is not one.

    The one parser for ids typed into a request. Only ASCII digits count:
    ``"²".isdigit()`` is true but ``int("²")`` fails, and ``int("١")`` or
    ``int("１")`` succeed on digits no one types for an id; and only ids a
    column can hold (SQLite's driver raises OverflowError past 64 bits).
    """
    if not isinstance(value, str):
        return None
    text = value.strip(" \t\r\n")
    if not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


def parse_ids(values: Iterable[object]) -> list[int]:
    """The ids among ``values`` (each as :func:`parse_id`), in order, each once;
    anything that is not an id is left out."""
    found: dict[int, None] = {}
    for value in values:
        number = parse_id(value)
        if number is not None:
            found[number] = None
    return list(found)


def _bare(label: object) -> str:
    """A label without a closing "(£)" or "(optional)" and without a colon
    ("Poster (quantity)" keeps its words)."""
    text = str(label or "").strip().rstrip(":")
    return re.sub(r"\s*\((?:optional|[^a-zA-Z)]*)\)$", "", text).strip()


def _phrase(label: object) -> str:
    """A field's label as words inside a sentence: "Amount (£)" -> "the amount",
    "E-mail address" -> "the e-mail address" (a leading acronym keeps its case)."""
    text = _bare(label)
    if not text:
        return "this"
    first = text.split(" ", 1)[0]
    if not (len(first) > 1 and first.isupper()):
        text = text[0].lower() + text[1:]
    return f"the {text}"


def _name(label: object) -> str:
    """A field's label as the subject of a sentence: "Amount (£)" -> "The amount"."""
    phrase = _phrase(label)
    return phrase[0].upper() + phrase[1:]


def names_field(message: str, label: object) -> bool:
    """Does ``message`` name the field labelled ``label`` already?"""
    return _bare(label).lower() in message.lower()


def plain_messages(field: forms.Field, label: object) -> dict[str, str]:
    """Django's messages for ``field`` in plain words that name the field once,
    GOV.UK-style: "Enter the e-mail address", "Choose the area", "The start
    date must be a real date". Only Django's own defaults are replaced: a
    message a form sets itself is kept."""
    the, name = _phrase(label), _name(label)
    widget = field.widget
    choosing = isinstance(
        field, (forms.ChoiceField, forms.ModelChoiceField, forms.ModelMultipleChoiceField)
    ) or isinstance(widget, (forms.Select, forms.RadioSelect, forms.CheckboxSelectMultiple))
    if isinstance(field, forms.BooleanField):
        required = f"Tick {the} box to go on" if the == "this" else f'Tick "{label}" to go on'
    elif isinstance(field, (forms.ModelMultipleChoiceField, forms.MultipleChoiceField)):
        required = f"Choose at least one for {the}"
    elif choosing:
        required = f"Choose {the}"
    elif isinstance(field, forms.FileField):
        required = f"Choose a file for {the}"
    elif isinstance(field, forms.DateField) and "date" not in the:
        required = f'Enter a date for "{_bare(label)}"'
    else:
        required = f"Enter {the}"
    messages = {"required": required}
    if choosing:
        messages["invalid_choice"] = f"Choose {the} from the list"
        messages["invalid_pk_value"] = f"Choose {the} from the list"
        messages["invalid_list"] = f"Choose {the} from the list"
    if isinstance(field, forms.DateField):
        subject = name if "date" in the else f'"{_bare(label)}"'
        messages["invalid"] = f"{subject} must be a real date, such as 31/03/2026"
    elif isinstance(field, forms.TimeField):
        messages["invalid"] = f"{name} must be a real time, such as 19:30"
    elif isinstance(field, forms.EmailField):
        messages["invalid"] = f"Enter {the} in the right form, such as name@example.org"
    elif isinstance(field, forms.URLField):
        messages["invalid"] = f"Enter {the} as a web address, such as https://example.org"
    elif isinstance(field, (forms.DecimalField, forms.FloatField)):  # before IntegerField,
        messages["invalid"] = f"{name} must be a number"  # their parent
    elif isinstance(field, forms.IntegerField):
        messages["invalid"] = f"{name} must be a whole number"
    if isinstance(field, (forms.IntegerField, forms.DecimalField, forms.FloatField)):
        messages["min_value"] = f"{name} must be %(limit_value)s or more"
        messages["max_value"] = f"{name} must be %(limit_value)s or less"
    if isinstance(field, forms.CharField):
        messages["max_length"] = f"{name} must be %(limit_value)d characters or fewer"
        messages["min_length"] = f"{name} must be %(limit_value)d characters or more"
    return messages


def _django_defaults(field: forms.Field) -> dict[str, str]:
    """The messages ``field`` would have had from Django itself."""
    defaults: dict[str, str] = {}
    for cls in reversed(type(field).__mro__):
        defaults.update(getattr(cls, "default_error_messages", {}))
    return {key: str(value) for key, value in defaults.items()}


class StyledFormMixin:
    """Mix into every form of the site: Bootstrap's class on every widget,
    messages in plain words naming the field (:func:`plain_messages`), and
    ``<input type="date">`` given its value in the one format it reads."""

    fields: dict[str, forms.Field]  # the form's, once Form.__init__ has run

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            _style(name, field)

    # Fields a form adds after __init__ (per-item quantities, address fields)
    # are styled when first rendered or validated.
    def __getitem__(self, name):
        if name in self.fields:
            _style(name, self.fields[name])
        return super().__getitem__(name)  # type: ignore[misc]

    def full_clean(self):
        for name, field in self.fields.items():
            _style(name, field)
        return super().full_clean()  # type: ignore[misc]


def _style(name: str, field: forms.Field) -> None:
    """Bootstrap's class, the ISO format of a date picker and plain messages,
    once per field."""
    if getattr(field, "_smartnet_styled", False):
        return
    field._smartnet_styled = True  # type: ignore[attr-defined]
    widget = field.widget
    if isinstance(widget, forms.CheckboxInput):
        css = "form-check-input"
    elif isinstance(widget, (forms.CheckboxSelectMultiple, forms.RadioSelect)):
        css = ""
    elif isinstance(widget, forms.Select):
        css = "form-select"
    else:
        css = "form-control"
    if css:
        widget.attrs.setdefault("class", css)
    if isinstance(widget, forms.DateInput) and widget.input_type == "date":
        # A browser date picker reads only ISO dates: in the site's locale
        # format (31/03/2026) it shows blank, so today's initial value looked
        # empty and the first submit failed.
        widget.format = "%Y-%m-%d"
    label = field.label if field.label is not None else pretty_name(name)
    defaults = _django_defaults(field)
    for key, message in plain_messages(field, label).items():
        current = field.error_messages.get(key)
        if current is None or str(current) == defaults.get(key):
            field.error_messages[key] = message


def apply_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form that sent its input: each
    message beside the field it names when the form has that field, the rest
    at the top of the form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for name, messages in exc.message_dict.items():
        form.add_error(name if name in form.fields else None, messages)


class EmailAuthenticationForm(StyledFormMixin, AuthenticationForm):
    """Sign in by e-mail; an inactive account is told so, once its password is right."""

    username = forms.EmailField(
        label="E-mail address",
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "The e-mail address or password is not right. Please try again.",
        "inactive": "This account has been deactivated. Please contact the central team.",
    }

    def clean_username(self) -> str:
        return self.cleaned_data["username"].lower()


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A model multiple choice whose ids are checked (:func:`parse_id`) before any query.

    SQLite's driver raises OverflowError for an integer past 64 bits instead of
    finding nothing; refuse such an id, or one in digits other than ASCII, as an
    invalid choice on every database.
    """

    def _check_values(self, value):
        for pk in value:
            try:
                int(str(pk))
            except ValueError:
                continue  # the parent reports it as not a valid value
            if parse_id(str(pk)) is None:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": pk},
                )
        return super()._check_values(value)  # type: ignore[misc]  # not in django-stubs
