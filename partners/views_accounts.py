"""The invitation pages under /accounts/invitation/: choose a password from an
invitation link (which lands on the portal), and ask for an invitation again.

A link that has expired, was used or was tampered with gets a page that says
so and offers a new one; a link for an account that already has a password
sends its holder to sign in instead.
"""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from partners import forms, services
from partners.services.invitations import InvitationLinkError, invitation_from_token
from smartnet import navigation
from smartnet.access import public
from smartnet.forms import StyledFormMixin, apply_service_errors
from smartnet.password_reset import over_limit

BACKEND = "django.contrib.auth.backends.AllowAllUsersModelBackend"


class ChoosePasswordForm(StyledFormMixin, SetPasswordForm):
    pass


def _spoiled(request: HttpRequest, reason: str) -> HttpResponse:
    return render(
        request,
        "partners/accounts/invitation_spoiled.html",
        {"reason": reason},
        status=410 if reason == "expired" else 404,
    )


@public
@never_cache
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = invitation_from_token(token)
    except InvitationLinkError as exc:
        return _spoiled(request, exc.reason)
    user = invitation.user
    if not user.is_active:
        return _spoiled(request, "deactivated")
    if invitation.accepted_at or user.has_usable_password():
        # An account that has a password already: sign in instead.
        if request.user.is_authenticated and request.user.pk == user.pk:
            return redirect(navigation.home_url_for(user))
        messages.info(
            request, "You already have an account: sign in with your e-mail address and password."
        )
        return redirect(f"{reverse('login')}?next={navigation.home_url_for(user)}")
    form = ChoosePasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(
                invitation=invitation, password=form.cleaned_data["new_password1"]
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            login(request, user, backend=BACKEND)
            messages.success(request, "Your password is set. Welcome to smartnet.")
            return redirect(navigation.home_url_for(user))
    return render(
        request,
        "partners/accounts/invitation_accept.html",
        {"form": form, "invitation": invitation, "account": user},
    )


@public
def invitation_request(request: HttpRequest) -> HttpResponse:
    """Ask for an invitation (again): the same answer whatever the address."""
    form = forms.InvitationRequestForm(request.POST or None)
    if request.method == "POST":
        refused = over_limit(request, "invitation-request", request.POST.get("email", ""))
        if refused:
            return refused
        if form.is_valid():
            services.invitation_resend(email=form.cleaned_data["email"])
            return render(request, "partners/accounts/invitation_requested.html")
    return render(request, "partners/accounts/invitation_request.html", {"form": form})
