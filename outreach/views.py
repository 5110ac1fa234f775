"""Staff write a communication, see who will get it and why others will not,
preview it as a real recipient, send it and watch the progress; the public
unsubscribe link. Thin: forms, services, selectors."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from outreach import services
from outreach.apps import OUTREACH_ROLES
from outreach.forms import CommunicationForm
from outreach.models import Communication
from outreach.segments import audience
from smartnet.access import public, role_required
from smartnet.forms import apply_service_errors, parse_id
from smartnet.ratelimit import rate_limited


@role_required(*OUTREACH_ROLES)
def communications(request: HttpRequest) -> HttpResponse:
    rows = [
        {"communication": c, "progress": services.progress(c)}
        for c in Communication.objects.all()[:100]
    ]
    return render(request, "outreach/list.html", {"rows": rows})


@role_required(*OUTREACH_ROLES)
def communication_new(request: HttpRequest) -> HttpResponse:
    form = CommunicationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            communication = services.communication_create(**form.cleaned_data, by=request.user)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "Draft saved. Check who will receive it, then send it.")
            return redirect("outreach_staff:detail", pk=communication.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "outreach/new.html", {"form": form}, status=status)


def _detail(request: HttpRequest, communication: Communication, *, status: int = 200):
    found = audience(communication)
    chosen = parse_id(request.GET.get("preview", ""))
    recipients = found.people
    preview_person = (recipients.filter(pk=chosen).first() if chosen else None) or (
        recipients.first()
    )
    return render(
        request,
        "outreach/detail.html",
        {
            "communication": communication,
            "audience": found,
            "receiving": recipients.count(),
            "preview_person": preview_person,
            "preview": services.personalise(communication, preview_person)
            if preview_person
            else None,
            "sample": recipients[:20],
            "progress": services.progress(communication),
        },
        status=status,
    )


@role_required(*OUTREACH_ROLES)
def communication_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, get_object_or_404(Communication, pk=pk))


@role_required(*OUTREACH_ROLES)
@require_POST
def communication_send(request: HttpRequest, pk: int) -> HttpResponse:
    communication = get_object_or_404(Communication, pk=pk)
    try:
        total = services.communication_send(communication=communication, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(m for ms in exc.message_dict.values() for m in ms))
    else:
        messages.success(request, f"Sending to {total:,} recipients in the background.")
    return redirect("outreach_staff:detail", pk=communication.pk)


@role_required(*OUTREACH_ROLES)
def communication_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress fragment the detail page polls while sending."""
    communication = get_object_or_404(Communication, pk=pk)
    return render(
        request,
        "outreach/_progress.html",
        {"communication": communication, "progress": services.progress(communication)},
    )


@public
@rate_limited("outreach-unsubscribe", lambda: settings.PUBLIC_RATE_LIMIT_PER_MINUTE)
@never_cache
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """Shows what unsubscribing means, and records it on the POST. An altered
    link does nothing and says so."""
    ids = services.read_unsubscribe_token(token)
    if ids is None:
        return render(request, "outreach/unsubscribe_invalid.html", status=400)
    person_id, communication_id = ids
    done = False
    if request.method == "POST":
        services.unsubscribe(person_id=person_id, communication_id=communication_id)
        done = True
    already = not done and services.is_unsubscribed(person_id)
    return render(request, "outreach/unsubscribe.html", {"done": done, "already": already})
