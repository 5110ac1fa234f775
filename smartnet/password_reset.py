"""Password reset with Django's own views and URL names, sent through ``smartnet.mail``.

The answer is the same whether or not the address is known (Django's view
always goes on to "check your inbox"); the request form is rate limited per
client address and per address typed (``smartnet.ratelimit``); the link works
once (Django's token covers the password hash and the last sign-in, so
setting the password or signing in spends it) and expires after
``PASSWORD_RESET_TIMEOUT`` seconds. An expired, used or tampered link gets a
page that says so and offers a new one.

Facilitators sign in with an e-mailed link and have no password to reset;
an invited account that has not set its password yet may reset it (that is
how a lost invitation is replaced).
"""

from django import forms
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse, reverse_lazy

from smartnet import mail
from smartnet.forms import StyledFormMixin
from smartnet.models import User
from smartnet.ratelimit import client_ip, hit
from smartnet.roles import Role

TEMPLATE = "registration/email/password_reset"


def over_limit(request: HttpRequest, scope: str, email: str) -> HttpResponse | None:
    """The 429 page when this client address, or this e-mail address, asked
    too often this minute (both counted on each post); None within the limits."""
    limit = settings.ACCOUNTS_RATE_LIMIT_PER_MINUTE
    by_address = hit(scope, client_ip(request) or "unknown", limit=limit)
    by_email = hit(f"{scope}-email", (email or "").strip().lower() or "-", limit=limit)
    if by_address and by_email:
        return None
    response = render(request, "smartnet/rate_limited.html", status=429)
    response["Retry-After"] = "60"
    return response


class ResetRequestForm(StyledFormMixin, PasswordResetForm):
    email = forms.EmailField(
        label="E-mail address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )

    def get_users(self, email):
        """Active accounts with this address that sign in with a password (or
        have yet to set one); never a facilitator's link-only account."""
        return User.objects.filter(email__iexact=email.strip(), is_active=True).exclude(
            role=Role.FACILITATOR
        )

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        """Through the one sender, once per token (a double click sends one e-mail)."""
        user = context["user"]
        link = settings.SITE_URL + reverse(
            "password_reset_confirm", args=[context["uid"], context["token"]]
        )
        message = mail.render(
            TEMPLATE,
            {
                "user": user,
                "link": link,
                "minutes": settings.PASSWORD_RESET_TIMEOUT // 60,
                "new_link": settings.SITE_URL + reverse("password_reset"),
            },
            to=[to_email],
        )
        mail.send_once(message, kind="accounts.password_reset", key=f"{user.pk}:{context['token']}")


class NewPasswordForm(StyledFormMixin, SetPasswordForm):
    pass


class ResetView(auth_views.PasswordResetView):
    form_class = ResetRequestForm
    template_name = "registration/password_reset_form.html"
    success_url = reverse_lazy("password_reset_done")

    def post(self, request, *args, **kwargs):
        refused = over_limit(request, "password-reset", request.POST.get("email", ""))
        return refused or super().post(request, *args, **kwargs)


class ResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "registration/password_reset_done.html"


class ResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = NewPasswordForm
    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")


class ResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "registration/password_reset_complete.html"
