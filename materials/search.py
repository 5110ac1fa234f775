"""The header search's dispatches (a ``smartnet.search`` provider). One query at most."""

import re

from django.urls import reverse

from materials.models import Dispatch
from smartnet.forms import parse_id
from smartnet.search import Hit

# A dispatch's short reference (``Dispatch.short_ref``): M and its number.
SHORT_REF = re.compile(r"^[Mm](\d{1,12})$")


def find_dispatches(user, query: str, limit: int) -> list[Hit]:
    """By short reference (``M000123``); a reference is always exact."""
    match = SHORT_REF.match(query.replace(" ", ""))
    pk = parse_id(match.group(1)) if match else None
    if pk is None:
        return []
    dispatch = Dispatch.objects.filter(pk=pk).first()
    if dispatch is None:
        return []
    return [
        Hit(
            label=dispatch.short_ref,
            url=reverse("materials_staff:dispatch", args=[dispatch.pk]),
            detail=f"{dispatch.get_status_display()} · created {dispatch.created_at:%d %b %Y}",
            exact=True,
        )
    ]
