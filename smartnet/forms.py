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
