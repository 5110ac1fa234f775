"""Two-factor sign-in for staff roles (TOTP, via django-otp).

With ``STAFF_2FA_REQUIRED`` on (the production default), a staff user who has
signed in with a password is sent here before any staff page: first to set
up an authenticator app (once), then to enter its six-digit code.
"""

from base64 import b32encode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from smartnet.forms import StyledFormMixin


def needs_second_factor(request: HttpRequest) -> bool:
    user = request.user
    return (
        settings.STAFF_2FA_REQUIRED
        and user.is_authenticated
        and user.is_staff_role
        and not user.is_verified()
    )


def redirect_to_second_factor(request: HttpRequest) -> HttpResponse:
    name = "two_factor_verify" if user_has_device(request.user) else "two_factor_setup"
    return redirect(f"{reverse(name)}?next={request.get_full_path()}")


class TokenForm(StyledFormMixin, forms.Form):
    token = forms.CharField(
        label="Six-digit code from your authenticator app",
        min_length=6,
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or reverse("home")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("home")


def setup(request: HttpRequest) -> HttpResponse:
    """Register an authenticator app: show the key, confirm with a first code."""
    if not request.user.is_authenticated or not request.user.is_staff_role:
        return redirect("login")
    if user_has_device(request.user):
        return redirect("two_factor_verify")
    device, _ = TOTPDevice.objects.get_or_create(
        user=request.user, confirmed=False, defaults={"name": "Authenticator app"}
    )
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            messages.success(request, "Two-factor sign-in is set up.")
            return redirect(_next_url(request))
        form.add_error(
            "token", "That code is not right; check the time on your phone and try again."
        )
    key = b32encode(device.bin_key).decode()
    return render(
        request,
        "smartnet/two_factor_setup.html",
        {"form": form, "key": key, "config_url": device.config_url, "next": _next_url(request)},
    )


def verify(request: HttpRequest) -> HttpResponse:
    """Enter the current code; marks this session as verified."""
    if not request.user.is_authenticated or not request.user.is_staff_role:
        return redirect("login")
    if not user_has_device(request.user):
        return redirect("two_factor_setup")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        for device in TOTPDevice.objects.devices_for_user(request.user, confirmed=True):
            if device.verify_token(form.cleaned_data["token"]):
                otp_login(request, device)
                return redirect(_next_url(request))
        form.add_error("token", "That code is not right. Please try again.")
    return render(
        request, "smartnet/two_factor_verify.html", {"form": form, "next": _next_url(request)}
    )
