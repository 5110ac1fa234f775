"""One confirmation step for final or destructive actions (GOV.UK-style).

A view that does something final (delete, issue, terminate, erase, approve in
bulk) asks first: a GET, or a POST without the confirming field, answers the
confirmation page, which says what will happen and what it affects; only a
POST carrying ``confirmed=yes`` (the page's button) does it::

    from smartnet.confirm import Confirmation, is_confirmed, render_confirmation

    @role_required(*STAFF_ROLES)
    def thing_delete(request, pk):
        thing = get_object_or_404(Thing, pk=pk)
        if not is_confirmed(request):
            return render_confirmation(request, Confirmation(
                title=f"Delete {thing}?",
                summary="The thing is deleted for good.",
                effects=[f"{thing.children.count()} notes go with it"],
                submit="Delete the thing",
                cancel_url=thing.get_absolute_url(),
            ))
        services.thing_delete(thing=thing, by=request.user)
        ...

The page is ``templates/includes/confirm_page.html`` around
``templates/includes/confirm.html`` (include the latter to confirm inside
another page). A form of extra questions (a reason, a date) goes in ``form``:
it is shown on the page, and a view validates it only once confirmed
(``form.is_valid()``; on errors, render the confirmation again with the form).
Values the step must carry (ids ticked on the page before) go in ``carry``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

CONFIRM_FIELD = "confirmed"
CONFIRM_VALUE = "yes"


@dataclass
class Confirmation:
    """What the confirmation page says and sends.

    ``title`` is the question ("Terminate agreement SRA-0012?"), ``summary``
    what will happen, ``effects`` what it affects (one line each), ``warning``
    whether it can be undone; ``submit`` the button's words, ``cancel_url``
    where "Cancel" goes. ``action`` is the URL the button posts to (the same
    page when empty); ``carry`` names and values sent back hidden (a value may
    be a list: one hidden input each). ``danger`` makes the button red.
    """

    title: str
    summary: str
    submit: str
    cancel_url: str
    effects: Sequence[str] = ()
    warning: str = "This cannot be undone."
    cancel_label: str = "Cancel, go back"
    action: str = ""
    carry: dict[str, str | Iterable[str]] = field(default_factory=dict)
    form: forms.Form | None = None
    danger: bool = True
    back_label: str = ""

    def hidden(self) -> list[tuple[str, str]]:
        pairs: list[tuple[str, str]] = []
        for name, value in self.carry.items():
            if isinstance(value, str | int):
                pairs.append((name, str(value)))
            else:
                pairs.extend((name, str(v)) for v in value)
        return pairs


def is_confirmed(request: HttpRequest) -> bool:
    """Did this request come from a confirmation page's button?"""
    return request.method == "POST" and request.POST.get(CONFIRM_FIELD) == CONFIRM_VALUE


def render_confirmation(
    request: HttpRequest, confirmation: Confirmation, *, status: int = 200
) -> HttpResponse:
    """The confirmation page for ``confirmation`` (nothing has happened yet)."""
    return render(
        request,
        "includes/confirm_page.html",
        {"confirmation": confirmation, "confirm_field": CONFIRM_FIELD},
        status=status,
    )
