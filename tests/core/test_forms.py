"""The one helper that puts a service's ValidationError on a form."""

from django import forms
from django.core.exceptions import ValidationError

from smartnet.forms import apply_service_errors


class NameForm(forms.Form):
    name = forms.CharField()


def test_field_messages_go_beside_their_field_and_the_rest_on_top():
    form = NameForm({"name": "x"})
    form.is_valid()
    apply_service_errors(
        form, ValidationError({"name": "Name taken.", "start_date": "Starts too early."})
    )
    assert form.errors["name"] == ["Name taken."]
    assert form.non_field_errors() == ["Starts too early."]


def test_a_message_without_a_field_goes_on_top():
    form = NameForm({"name": "x"})
    form.is_valid()
    apply_service_errors(form, ValidationError(["Nothing was saved.", "Try again."]))
    assert form.non_field_errors() == ["Nothing was saved.", "Try again."]
    assert "name" not in form.errors
