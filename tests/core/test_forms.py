"""Forms that guide: plain messages naming the field, the error summary, date
pickers showing their value, and the one confirmation step."""

import datetime

import pytest
from django import forms
from django.template.loader import render_to_string
from django.test import RequestFactory

from smartnet.confirm import Confirmation, is_confirmed, render_confirmation
from smartnet.forms import StyledFormMixin


class Example(StyledFormMixin, forms.Form):
    email = forms.EmailField(label="E-mail address")
    amount = forms.DecimalField(label="Amount (£)", max_value=100)
    count = forms.IntegerField(label="Poster (quantity)", min_value=1)
    area = forms.ChoiceField(label="Local authority area", choices=[("a", "A")])
    start_date = forms.DateField(label="Start date", widget=forms.DateInput(attrs={"type": "date"}))
    received_on = forms.DateField(
        label="Received on", widget=forms.DateInput(attrs={"type": "date"})
    )
    name = forms.CharField(label="Site name", max_length=5, help_text="As on the sign")
    agree = forms.BooleanField(label="I have checked this number")
    custom = forms.CharField(label="Postcode", error_messages={"required": "Give us a postcode"})


def _errors(data):
    form = Example(data=data)
    assert not form.is_valid()
    return {name: list(messages) for name, messages in form.errors.items()}


def test_required_messages_say_what_to_do_and_name_the_field_once():
    errors = _errors({})
    assert errors["email"] == ["Enter the e-mail address"]
    assert errors["amount"] == ["Enter the amount"]
    assert errors["area"] == ["Choose the local authority area"]
    assert errors["start_date"] == ["Enter the start date"]
    assert errors["received_on"] == ['Enter a date for "Received on"']
    assert errors["agree"] == ['Tick "I have checked this number" to go on']
    # A message a form sets itself is kept.
    assert errors["custom"] == ["Give us a postcode"]


def test_invalid_messages_name_the_field_and_show_the_form_wanted():
    errors = _errors(
        {
            "email": "not-an-address",
            "amount": "lots",
            "count": "0",
            "area": "zz",
            "start_date": "2026-02-30",
            "received_on": "yesterday",
            "name": "Far too long",
        }
    )
    assert errors["email"] == [
        "Enter the e-mail address in the right form, such as name@example.org"
    ]
    assert errors["amount"] == ["The amount must be a number"]
    assert errors["count"] == ["The poster (quantity) must be 1 or more"]
    assert errors["area"] == ["Choose the local authority area from the list"]
    assert errors["start_date"] == ["The start date must be a real date, such as 31/03/2026"]
    assert errors["received_on"] == ['"Received on" must be a real date, such as 31/03/2026']
    assert errors["name"] == ["The site name must be 5 characters or fewer"]
    assert _errors({"amount": "101"})["amount"] == ["The amount must be 100 or less"]


def test_a_date_picker_shows_its_initial_value_in_the_one_format_it_reads():
    form = Example(initial={"received_on": datetime.date(2026, 3, 4)})
    html = str(form["received_on"])
    assert 'type="date"' in html and 'value="2026-03-04"' in html


def test_fields_added_after_init_are_styled_and_worded_too():
    form = Example(data={})
    form.fields["late"] = forms.CharField(label="Town or city")
    assert "form-control" in str(form["late"])
    form.full_clean()
    assert form.errors["late"] == ["Enter the town or city"]


def test_the_error_summary_links_each_message_to_its_field_and_takes_the_focus():
    form = Example(data={"name": "Far too long", "count": "x"})
    form.add_error(None, "The whole form is wrong")
    html = render_to_string("includes/form.html", {"form": form})
    summary = html[html.index("data-error-summary") : html.index("</div>")]
    assert "There is a problem" in summary and "autofocus" in html.split("data-error-summary")[0]
    assert "<li>The whole form is wrong</li>" in summary
    assert '<a href="#id_email" data-field="id_email">Enter the e-mail address</a>' in summary
    # A message that does not name its field is named in the summary.
    assert "Poster (quantity): Enter a whole number" not in summary
    assert '<a href="#id_count" data-field="id_count">The poster (quantity) must be' in summary
    # Beside the field: label, then hint, then error, then the input, tied by aria-describedby.
    field = html[html.index('for="id_name"') :]
    assert field.index("As on the sign") < field.index("Error: </span>") < field.index("<input")
    assert 'aria-describedby="id_name_helptext id_name_error"' in field
    assert 'aria-invalid="true"' in field
    assert "Site name: " not in html


def test_a_valid_form_has_no_summary():
    form = Example()
    html = render_to_string("includes/form.html", {"form": form})
    assert "There is a problem" not in html and "data-error-summary" not in html


def _request(method, data=None):
    factory = RequestFactory()
    return factory.post("/x/", data or {}) if method == "post" else factory.get("/x/")


def test_only_the_confirming_post_is_confirmed():
    assert not is_confirmed(_request("get"))
    assert not is_confirmed(_request("post"))
    assert not is_confirmed(_request("post", {"confirmed": "no"}))
    assert is_confirmed(_request("post", {"confirmed": "yes"}))


@pytest.mark.django_db
def test_the_confirmation_page_says_what_happens_and_carries_the_choices(rf):
    request = rf.get("/x/")
    request.user = type("Anon", (), {"is_authenticated": False, "role": ""})()
    confirmation = Confirmation(
        title="Delete the thing?",
        summary="The thing goes for good.",
        effects=["Two notes go with it"],
        submit="Delete the thing",
        cancel_url="/back/",
        carry={"ids": ["3", "5"], "one": "7"},
    )
    html = render_to_string(
        "includes/confirm.html", {"confirmation": confirmation}, request=request
    )
    assert '<h1 id="confirm-title">Delete the thing?</h1>' in html
    assert "The thing goes for good." in html and "<li>Two notes go with it</li>" in html
    assert "This cannot be undone." in html
    for value in ("3", "5"):
        assert f'<input type="hidden" name="ids" value="{value}">' in html
    assert '<input type="hidden" name="one" value="7">' in html
    assert '<input type="hidden" name="confirmed" value="yes">' in html
    assert 'class="btn btn-danger">Delete the thing</button>' in html
    assert '<a href="/back/">' in html
    assert callable(render_confirmation)
