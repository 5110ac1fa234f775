"""``{% load formtags %}``: the words of a form's error summary."""

from django import template

from smartnet.forms import names_field

register = template.Library()


@register.filter
def summary_message(error: object, field) -> str:
    """An error as the summary lists it: the message itself when it names its
    field already ("Enter the postcode"), else the field's label and the
    message ("Poster (quantity): Enter 1 or more"), so the summary names each
    field once while the message beside the field stays short."""
    text = str(error)
    label = str(field.label or "")
    if not label or names_field(text, label):
        return text
    return f"{label}: {text}"
