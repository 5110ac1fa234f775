"""Staff screens for sign-in: invitations (one person, or every current main
and billing contact without a login at once) and accounts (staff accounts
made with a role; any account deactivated or reactivated). Staff admin only."""

from typing import cast

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from partners import services
from partners.models import Invitation, Person
from smartnet import services as core_services
from smartnet.access import role_required
from smartnet.forms import StyledFormMixin, apply_service_errors
from smartnet.models import User
from smartnet.roles import STAFF_ROLES, Role

PAGE_SIZE = 50
STAFF_ROLE_CHOICES = [(r.value, r.label) for r in Role if r in STAFF_ROLES]


class StaffAccountForm(StyledFormMixin, forms.Form):
    full_name = forms.CharField(label="Full name", max_length=200)
    email = forms.EmailField(label="E-mail address", max_length=254)
    role = forms.ChoiceField(choices=STAFF_ROLE_CHOICES)


class AccountFilterForm(StyledFormMixin, forms.Form):
    q = forms.CharField(label="Name or e-mail", required=False)
    role = forms.ChoiceField(choices=[("", "Any"), *Role.choices], required=False)


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@role_required(Role.STAFF_ADMIN)
def invitations(request: HttpRequest) -> HttpResponse:
    rows = Invitation.objects.select_related("user", "person", "organisation", "invited_by")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "partners/staff/invitations.html", {"page_obj": page})


@require_POST
@role_required(Role.STAFF_ADMIN)
def invite_all(request: HttpRequest) -> HttpResponse:
    result = services.invite_all_contacts(invited_by=cast(User, request.user))
    messages.success(
        request,
        f"Invited {len(result.invited)} contact{'s' if len(result.invited) != 1 else ''} "
        "without a login; nobody invited before was invited again.",
    )
    for line in result.skipped[:20]:
        messages.warning(request, f"Not invited: {line}")
    return redirect("partners_staff:invitations")


@require_POST
@role_required(Role.STAFF_ADMIN)
def person_invite(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(Person, pk=pk, anonymised_at__isnull=True)
    try:
        services.invitation_create(person=person, invited_by=cast(User, request.user))
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, f"{person} is invited (an invitation is sent once).")
    return redirect("partners_staff:person_detail", pk=person.pk)


@role_required(Role.STAFF_ADMIN)
def accounts(request: HttpRequest) -> HttpResponse:
    form = AccountFilterForm(request.GET or None)
    rows = User.objects.order_by("email")
    if form.is_valid():
        if q := form.cleaned_data["q"].strip():
            rows = rows.filter(Q(email__icontains=q) | Q(full_name__icontains=q))
        if role := form.cleaned_data["role"]:
            rows = rows.filter(role=role)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "partners/staff/accounts.html", {"form": form, "page_obj": page})


@role_required(Role.STAFF_ADMIN)
def account_new(request: HttpRequest) -> HttpResponse:
    form = StaffAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.staff_account_create(
                created_by=cast(User, request.user), **form.cleaned_data
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request,
                f"{invitation.user.email} can sign in as {invitation.user.get_role_display()} "
                "once they choose a password from the invitation e-mailed to them.",
            )
            return redirect("partners_staff:account_detail", pk=invitation.user_id)
    return render(
        request,
        "includes/form_page.html",
        {
            "form": form,
            "title": "New staff account",
            "submit": "Create and invite",
            "notice": "They get an e-mail to choose a password; in production they set up "
            "an authenticator app the first time they sign in.",
            "back": {"url": "/staff/partners/accounts/", "label": "Back to accounts"},
        },
    )


class RoleForm(StyledFormMixin, forms.Form):
    role = forms.ChoiceField(choices=STAFF_ROLE_CHOICES)


@role_required(Role.STAFF_ADMIN)
def account_detail(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(User, pk=pk)
    form = RoleForm(request.POST or None, initial={"role": account.role})
    if request.method == "POST" and form.is_valid():
        try:
            core_services.account_set_role(
                user=account, role=form.cleaned_data["role"], by=cast(User, request.user)
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"{account.email} is now {account.get_role_display()}.")
            return redirect("partners_staff:account_detail", pk=account.pk)
    return render(
        request,
        "partners/staff/account_detail.html",
        {
            "account": account,
            "form": form if account.role in STAFF_ROLES else None,
            "person": Person.objects.filter(user=account).first(),
            "invitations": account.invitations.select_related("organisation", "invited_by"),
        },
    )


@require_POST
@role_required(Role.STAFF_ADMIN)
def account_active(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(User, pk=pk)
    active = request.POST.get("active") == "1"
    try:
        core_services.account_set_active(user=account, active=active, by=cast(User, request.user))
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(
            request, f"{account.email} is {'reactivated' if active else 'deactivated'}."
        )
    return redirect("partners_staff:account_detail", pk=account.pk)
