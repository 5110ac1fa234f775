"""The facilitator request form: sign in with an e-mailed link, then ask for materials.

Facilitators have no password. They ask for a one-time link (sent to the
address on their training record), follow it, and are signed in with the
``facilitator`` role. Someone not on record may still ask, through a longer
form; that request waits for staff to verify them. Accepted anonymous posts
are rate-limited per e-mail address and client address.
"""

import hashlib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from materials import services
from materials.forms import RequestForm, SignInLinkForm, UnverifiedRequestForm, requestable_items
from materials.models import Dispatch
from meetings.selectors import meetings_for_facilitator
from smartnet import navigation
from smartnet.access import public
from smartnet.ratelimit import client_ip, hit
from smartnet.roles import Role
from training.postal import PostalAddress

RATE_WINDOW_SECONDS = 3600


def _within_rate_limit(request: HttpRequest, *, form: str, email: str) -> bool:
    """Count one accepted anonymous post of ``form`` for ``email`` from this
    client address; False once over the hourly limit.

    Called only for a valid submission, so typing mistakes cost nothing, and
    keyed by e-mail and address, so two facilitators behind one treatment
    centre's connection each have their own allowance while one address
    asking again and again is still stopped. The e-mail is hashed: the cache
    holds no address.
    """
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    return hit(
        f"materials-{form}",
        f"{client_ip(request)}:{digest}",
        limit=settings.MATERIALS_ANON_RATE_LIMIT,
        window=RATE_WINDOW_SECONDS,
    )


def _rate_limited(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    messages.error(
        request,
        "Too many requests from your connection in the last hour. Please try again later.",
    )
    response = render(request, template, context, status=429)
    response["Retry-After"] = str(RATE_WINDOW_SECONDS)
    return response


def _is_facilitator(request: HttpRequest) -> bool:
    user = request.user
    return (
        user.is_authenticated
        and user.is_active
        and user.role == Role.FACILITATOR
        and hasattr(user, "person")
    )


@public
def request_form(request: HttpRequest) -> HttpResponse:
    """Signed-in facilitators get the request form; anyone else the sign-in link form."""
    if _is_facilitator(request):
        return _facilitator_request(request)
    form = SignInLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        if not _within_rate_limit(request, form="link", email=email):
            return _rate_limited(request, "materials/sign_in_link.html", {"form": form})
        services.sign_in_link_request(email=email)
        messages.success(
            request,
            "If that address is on our training records, a sign-in link is on its way. "
            "It works once and expires soon. Not on our records? Use the form below "
            "this one instead.",
        )
        return redirect("materials:request")
    return render(request, "materials/sign_in_link.html", {"form": form})


def _facilitator_request(request: HttpRequest) -> HttpResponse:

    person = request.user.person
    meetings = list(meetings_for_facilitator(person_id=person.pk))
    items = requestable_items()
    allowance = (
        services.fair_use_already_asked(meeting_id=meetings[0].pk) if len(meetings) == 1 else None
    )
    initial = _address_initial(person)
    form = RequestForm(
        request.POST or None,
        person=person,
        meetings=meetings,
        items=items,
        allowance_for=allowance,
        initial=initial,
    )
    if request.method == "POST":
        existing = _already_submitted(request)
        if existing:
            messages.info(request, f"We already have this request ({existing.short_ref}).")
            return redirect("materials:request")
        if form.is_valid():
            meeting = form.meetings[form.cleaned_data["meeting"]]
            try:
                dispatch, created = services.request_submit(
                    idempotency_key=form.cleaned_data["token"],
                    quantities=form.cleaned_data["quantities"],
                    contact_name=form.cleaned_data["contact_name"],
                    address=form.address(),
                    contact_email=person.email or request.user.email,
                    person=person,
                    meeting_id=meeting.pk,
                    meeting_label=str(meeting),
                    note=form.cleaned_data["note"],
                )
            except ValidationError as exc:  # lost a race with another request
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                if created:
                    messages.success(
                        request,
                        f"Thank you: request {dispatch.short_ref} is with our team. "
                        "We have e-mailed you a confirmation.",
                    )
                else:
                    messages.info(request, f"We already have this request ({dispatch.short_ref}).")
                return redirect("materials:request")
    recent = Dispatch.objects.filter(person=person).prefetch_related("lines__item")[:10]
    return render(
        request,
        "materials/request_form.html",
        {"form": form, "meetings": meetings, "recent": recent, "person": person},
    )


def _already_submitted(request: HttpRequest) -> Dispatch | None:
    """The request an earlier post of this same form made (a double submit), if any."""
    token = request.POST.get("token", "")
    try:
        return Dispatch.objects.filter(idempotency_key=token).first() if token else None
    except ValidationError:  # not a UUID: the form will say so
        return None


def _address_initial(person) -> dict:
    last = (
        Dispatch.objects.filter(person=person)
        .exclude(address_line_1="")
        .order_by("-created_at")
        .first()
    )
    if last:
        return {"contact_name": last.contact_name, **PostalAddress.of(last).as_fields()}
    address = services.delivery_address_for(person.pk)
    return {"contact_name": person.full_name, **(address.as_fields() if address else {})}


@public
def sign_in(request: HttpRequest) -> HttpResponse:
    """Follow the e-mailed link: a button signs in (so a mail scanner's GET does not spend it)."""
    token = request.POST.get("sesame") or request.GET.get("sesame") or ""
    if request.method == "POST":
        # The service spends the link (once, whoever races for it) before login.
        user = services.sign_in_link_claim(token=token)
        if user is None:
            messages.error(
                request,
                "This sign-in link has expired or has already been used. Ask for a new one below.",
            )
            return redirect("materials:request")
        login(request, user, backend="sesame.backends.ModelBackend")
        messages.success(request, "You are signed in. Here is what needs doing.")
        return redirect(navigation.home_url_for(user))
    return render(request, "materials/sign_in.html", {"token": token})


@public
def ask_unverified(request: HttpRequest) -> HttpResponse:
    """For someone not on our records: the request waits for staff to verify them."""
    items = requestable_items()
    form = UnverifiedRequestForm(request.POST or None, items=items)
    if request.method == "POST":
        existing = _already_submitted(request)
        if existing:
            messages.info(request, f"We already have this request ({existing.short_ref}).")
            return redirect("materials:ask")
        if form.is_valid():
            data = form.cleaned_data
            if not _within_rate_limit(request, form="ask", email=data["email"]):
                return _rate_limited(request, "materials/ask.html", {"form": form})
            dispatch, _ = services.request_submit(
                idempotency_key=data["token"],
                quantities=data["quantities"],
                contact_name=data["contact_name"],
                address=form.address(),
                contact_email=data["email"],
                meeting_label=data["meeting_description"],
                note=data["note"],
            )
            messages.success(
                request,
                f"Thank you: request {dispatch.short_ref} is with our team. As we could not "
                "match you to our training records, staff will check your details first.",
            )
            return redirect("materials:ask")
    return render(request, "materials/ask.html", {"form": form})
