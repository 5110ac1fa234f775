from collections.abc import Iterable

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

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


class StyledFormMixin:
    """Give every widget Bootstrap's class; mix into every form of the site."""

    fields: dict[str, forms.Field]  # the form's, once Form.__init__ has run

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, (forms.CheckboxSelectMultiple, forms.RadioSelect)):
                continue
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs.setdefault("class", css)


def apply_service_errors(form: forms.Form, exc: ValidationError) -> None:
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
