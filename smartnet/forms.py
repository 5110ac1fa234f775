from django import forms
from django.contrib.auth.forms import AuthenticationForm


class StyledFormMixin:
    """Give every widget Bootstrap's class; mix into every form of the site."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, (forms.CheckboxSelectMultiple, forms.RadioSelect)):
                continue
            elif isinstance(widget, forms.Select):
                css = "form-control custom-select"
            else:
                css = "form-control"
            widget.attrs.setdefault("class", css)


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
    """A model multiple choice whose ids are checked for range before any query.

    SQLite's driver raises OverflowError for an integer past 64 bits instead of
    finding nothing; refuse such an id as an invalid choice on every database.
    """

    _MAX_ID = 2**63 - 1

    def _check_values(self, value):
        for pk in value:
            try:
                number = int(str(pk))
            except ValueError:
                continue  # the parent reports it as not a valid value
            if not 0 < number <= self._MAX_ID:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": pk},
                )
        return super()._check_values(value)
