"""People booking training themselves: from the signed link in an invitation
or waiting-list e-mail (no sign-in), or from the portal (their own person).
Both show the same page; the service decides everything."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from partners.access import portal_required
from partners.models import Person
from smartnet.access import public
from smartnet.ratelimit import rate_limited
from training import services
from training.eligibility import may_take
from training.links import read_token
from training.models import TrainingEvent
from training.services.bookings import BOOKABLE

ACTIONS = {"book", "cancel"}


def _errors(exc: ValidationError) -> str:
    return " ".join(m for ms in exc.message_dict.values() for m in ms)


def _page(request, *, event, person, action_url: str, status: int = 200, error: str = ""):
    today = timezone.localdate()
    state = services.booking_state(event=event, person=person)
    closed = services.closed_reason(event, today)
    decision = may_take(course=event.course, person=person, on=event.held_on)
    return render(
        request,
        "training/book.html",
        {
            "event": event,
            "person": person,
            "action_url": action_url,
            "closed": closed,
            "refused": "" if decision.allowed else decision.reason,
            "error": error,
            **state,
        },
        status=status,
    )


def _act(request, *, event, person, action_url: str, by=None) -> HttpResponse:
    action = request.POST.get("action", "")
    if action not in ACTIONS:
        return _page(
            request,
            event=event,
            person=person,
            action_url=action_url,
            status=400,
            error="Choose to book or to cancel.",
        )
    try:
        if action == "book":
            result = services.booking_request(event=event, person=person, by=by)
            messages.success(request, result.message)
        else:
            services.booking_cancel(event=event, person=person)
            messages.success(request, "Cancelled. Thank you for letting us know.")
    except ValidationError as exc:
        return _page(
            request,
            event=event,
            person=person,
            action_url=action_url,
            status=400,
            error=_errors(exc),
        )
    return redirect(action_url)


@public
@rate_limited("training-booking", lambda: settings.PUBLIC_RATE_LIMIT_PER_MINUTE)
@never_cache
def book(request: HttpRequest, token: str) -> HttpResponse:
    """The invitation link's page: the event, this person's place or place in
    the queue, and a button to book or cancel. A link altered in any way
    changes nothing and says so."""
    ids = read_token(token)
    found = None
    if ids is not None:
        found = (
            TrainingEvent.objects.select_related("course").filter(pk=ids[0]).first(),
            Person.objects.filter(pk=ids[1], anonymised_at__isnull=True).first(),
        )
    if found is None or None in found:
        return render(request, "training/book_invalid.html", status=400)
    event, person = found
    url = request.path
    if request.method == "POST":
        return _act(request, event=event, person=person, action_url=url)
    return _page(request, event=event, person=person, action_url=url)


def _portal_person(request) -> Person | None:
    return Person.objects.filter(user=request.user, anonymised_at__isnull=True).first()


@portal_required
def portal_events(request: HttpRequest) -> HttpResponse:
    """Training events ahead that the signed-in contact may book."""
    today = timezone.localdate()
    person = _portal_person(request)
    events = list(
        TrainingEvent.objects.filter(held_on__gt=today, course__delivery__in=BOOKABLE)
        .select_related("course")
        .order_by("held_on", "pk")
    )
    rows = []
    for event in events:
        state = services.booking_state(event=event, person=person) if person else {}
        rows.append({"event": event, **state})
    return render(request, "training/portal_events.html", {"rows": rows, "person": person})


@portal_required
def portal_event(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(
        TrainingEvent.objects.select_related("course").filter(course__delivery__in=BOOKABLE),
        pk=pk,
    )
    person = _portal_person(request)
    if person is None:
        messages.error(request, "Your account is not linked to a person in the directory.")
        return redirect("training_portal:events")
    url = request.path
    if request.method == "POST":
        return _act(request, event=event, person=person, action_url=url)
    return _page(request, event=event, person=person, action_url=url)
