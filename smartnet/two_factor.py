"""Two-factor sign-in for staff roles (TOTP and backup codes, via django-otp).

With ``STAFF_2FA_REQUIRED`` on (the production default), a staff user who has
signed in with a password is sent here before any staff page: first to set
up an authenticator app (once), then to enter its six-digit code or one of
the backup codes shown at set-up. A staff admin resets a lost phone from
``/staff/two-factor/``.

The set-up key is made for the session that opens the set-up page and kept in
that session only; the device is stored when the first code from that key is
right (smartnet.services.two_factor_enrol).
"""

from base64 import b32encode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice

from smartnet import services
from smartnet.forms import StyledFormMixin

# The session key holding the set-up key of this session's attempt.
SETUP_KEY = "two_factor_setup"


def needs_second_factor(request: HttpRequest) -> bool:
    user = request.user
    return (
        settings.STAFF_2FA_REQUIRED
        and user.is_authenticated
        and user.is_staff_role
        and not user.is_verified()  # type: ignore[attr-defined]  # set by OTPMiddleware
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


class VerifyForm(StyledFormMixin, forms.Form):
    token = forms.CharField(
        label="Code",
        help_text="The six-digit code from your authenticator app, or one of your backup codes.",
        min_length=6,
        max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}),
    )


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or reverse("home")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("home")


def _session_key(request: HttpRequest) -> str:
    """This session's set-up key, made on its first visit (bound to the user too,
    so a key never passes from one account to another in a shared browser)."""
    held = request.session.get(SETUP_KEY)
    if not held or held.get("user") != request.user.pk:
        held = {"user": request.user.pk, "key": services.two_factor_new_key()}
        request.session[SETUP_KEY] = held
    return held["key"]


# Never cached: the key and the backup codes must not stay in a browser's cache.
@never_cache
def setup(request: HttpRequest) -> HttpResponse:
    """Register an authenticator app: show this session's key, confirm with a first code."""
    if not request.user.is_authenticated or not request.user.is_staff_role:
        return redirect("login")
    if user_has_device(request.user):
        return redirect("two_factor_verify")
    key = _session_key(request)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            enrolment = services.two_factor_enrol(
                user=request.user, key=key, token=form.cleaned_data["token"]
            )
        except ValidationError as exc:
            if user_has_device(request.user):
                messages.error(request, " ".join(exc.messages))
                return redirect("two_factor_verify")
            form.add_error(None, exc)
        else:
            request.session.pop(SETUP_KEY, None)
            otp_login(request, enrolment.device)
            messages.success(request, "Two-factor sign-in is set up.")
            # Shown on this one response and never again: they are not kept
            # anywhere the user could open later.
            return render(
                request,
                "smartnet/two_factor_backup_codes.html",
                {"codes": enrolment.backup_codes, "next": _next_url(request)},
            )
    device_url = services.two_factor_config_url(user=request.user, key=key)
    return render(
        request,
        "smartnet/two_factor_setup.html",
        {
            "form": form,
            "key": b32encode(bytes.fromhex(key)).decode(),
            "config_url": device_url,
            "next": _next_url(request),
        },
    )


@never_cache
def verify(request: HttpRequest) -> HttpResponse:
    """Enter the current code or a backup code; marks this session as verified."""
    if not request.user.is_authenticated or not request.user.is_staff_role:
        return redirect("login")
    if not user_has_device(request.user):
        return redirect("two_factor_setup")
    form = VerifyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = services.two_factor_match(user=request.user, token=form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            if isinstance(device, StaticDevice):
                left = services.two_factor_backup_codes_left(user=request.user)
                messages.warning(
                    request,
                    f"You used a backup code; {left} left. Each works once: if your phone "
                    "is lost, ask a staff admin to reset your second factor.",
                )
            return redirect(_next_url(request))
        form.add_error("token", "That code is not right. Please try again.")
    return render(
        request, "smartnet/two_factor_verify.html", {"form": form, "next": _next_url(request)}
    )
