"""Staff set-up screens: organisations (commissioners and their areas too),
sites, people and their affiliations, merging two records. Staff admin only;
every write goes through a service (validation naming the field, all or
nothing, in the audit trail). The Django admin stays for superusers."""

from typing import cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from partners import services
from partners.forms import (
    AffiliationForm,
    EndAffiliationForm,
    MergeForm,
    NewPersonForm,
    OrganisationForm,
    PeopleFilterForm,
    PersonForm,
    SiteForm,
)
from partners.models import Affiliation, AffiliationRole, Organisation, Person, PersonSource, Site
from smartnet.access import role_required
from smartnet.forms import apply_service_errors, parse_id
from smartnet.models import User
from smartnet.roles import Role

SETUP_ROLES = (Role.STAFF_ADMIN,)
PAGE_SIZE = 50


def _form_page(request, form, title, submit, back_url, back_label, notice="", **extra):
    return render(
        request,
        extra.pop("template", "includes/form_page.html"),
        {
            "form": form,
            "title": title,
            "submit": submit,
            "notice": notice,
            "back": {"url": back_url, "label": back_label},
            **extra,
        },
    )


def _by(request: HttpRequest) -> User:
    return cast(User, request.user)


# --- Organisations ------------------------------------------------------------------


@role_required(*SETUP_ROLES)
def organisation_new(request: HttpRequest) -> HttpResponse:
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            org = services.organisation_save(by=_by(request), **form.service_values())
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"{org} is added.")
            return redirect("partners_staff:partner_detail", pk=org.pk)
    return _form_page(
        request, form, "New organisation", "Add the organisation", "/staff/partners/", "Partners"
    )


@role_required(*SETUP_ROLES)
def organisation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_object_or_404(Organisation, pk=pk)
    billing = (
        Affiliation.objects.current()
        .filter(organisation=org, role=AffiliationRole.BILLING_CONTACT)
        .select_related("person")
        .first()
    )
    initial = {
        "name": org.name,
        "kind": org.kind,
        "charity_number": org.charity_number,
        "company_number": org.company_number,
        "website": org.website,
        "billing_address": org.billing_address,
        "requires_po_number": org.requires_po_number,
        "areas": list(org.areas.values_list("pk", flat=True)),
    }
    form = OrganisationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_save(organisation=org, by=_by(request), **form.service_values())
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"{org} is saved.")
            return redirect("partners_staff:partner_detail", pk=org.pk)
    notice = (
        f"Billing contact now: {billing.person.full_name} ({billing.person.email})."
        if billing
        else "No billing contact yet."
    )
    return _form_page(
        request, form, f"Edit {org}", "Save", f"/staff/partners/{org.pk}/", org.name, notice=notice
    )


# --- Sites --------------------------------------------------------------------------


def _site_saved_message(request, site: Site) -> None:
    if site.latitude is None:
        messages.warning(
            request,
            f"{site.name} is saved in {site.area}, without a map position: the postcode "
            f"{site.postcode} is not in the postcode table.",
        )
    else:
        messages.success(request, f"{site.name} is saved in {site.area}.")


@role_required(*SETUP_ROLES)
def site_new(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_object_or_404(Organisation, pk=pk)
    form = SiteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            site = services.site_save(organisation=org, by=_by(request), **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            _site_saved_message(request, site)
            return redirect("partners_staff:partner_detail", pk=org.pk)
    return _form_page(
        request, form, f"New site of {org}", "Add the site", f"/staff/partners/{org.pk}/", org.name
    )


@role_required(*SETUP_ROLES)
def site_edit(request: HttpRequest, pk: int) -> HttpResponse:
    site = get_object_or_404(Site.objects.select_related("organisation", "area"), pk=pk)
    initial = {
        f: getattr(site, f)
        for f in (
            "name",
            "address_line_1",
            "address_line_2",
            "town",
            "postcode",
            "site_type",
            "opened_on",
            "closed_on",
        )
    }
    initial["area"] = site.area_id
    form = SiteForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            site = services.site_save(
                site=site, organisation=site.organisation, by=_by(request), **form.cleaned_data
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            _site_saved_message(request, site)
            return redirect("partners_staff:partner_detail", pk=site.organisation_id)
    return _form_page(
        request,
        form,
        f"Edit {site.name}",
        "Save",
        f"/staff/partners/{site.organisation_id}/",
        site.organisation.name,
    )


# --- People -------------------------------------------------------------------------


@role_required(*SETUP_ROLES)
def people(request: HttpRequest) -> HttpResponse:
    form = PeopleFilterForm(request.GET or None)
    rows = Person.objects.filter(anonymised_at__isnull=True).order_by(
        "last_name", "first_name", "pk"
    )
    if form.is_valid():
        if q := form.cleaned_data["q"].strip():
            for word in q.split()[:4]:
                rows = rows.filter(
                    Q(first_name__icontains=word)
                    | Q(last_name__icontains=word)
                    | Q(email__icontains=word)
                )
        if form.cleaned_data["new_from_moodle"]:
            rows = rows.filter(source=PersonSource.MOODLE, reviewed_at__isnull=True)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "partners/staff/people.html", {"form": form, "page_obj": page})


@role_required(*SETUP_ROLES)
def person_new(request: HttpRequest) -> HttpResponse:
    """A person found by e-mail, or by name (at the organisation), is offered
    before a new one is made."""
    form = NewPersonForm(request.POST or None)
    matches: list[Person] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        organisation, role = data.pop("organisation"), data.pop("role")
        matches = services.person_matches(
            email=data["email"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            organisation=organisation,
        )
        if role and organisation is None:
            form.add_error("organisation", "Choose the organisation for this role.")
        else:
            try:
                person = services.person_create_with_tie(
                    organisation=organisation, role=role, by=_by(request), **data
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, f"{person} is added.")
                return redirect("partners_staff:person_detail", pk=person.pk)
    return _form_page(
        request,
        form,
        "New person",
        "Add the person",
        "/staff/partners/people/",
        "People",
        template="partners/staff/person_new.html",
        matches=matches,
    )


@role_required(*SETUP_ROLES)
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(Person.objects.select_related("user"), pk=pk)
    return render(
        request,
        "partners/staff/person_detail.html",
        {
            "person": person,
            "affiliations": person.affiliations.select_related("organisation").order_by(
                "-start_date"
            ),
            "invitations": person.invitations.select_related("organisation", "user"),
        },
    )


@role_required(*SETUP_ROLES)
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(Person, pk=pk, anonymised_at__isnull=True)
    form = PersonForm(
        request.POST or None,
        initial={f: getattr(person, f) for f in ("first_name", "last_name", "email", "phone")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.person_save(person=person, by=_by(request), **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"{person} is saved.")
            return redirect("partners_staff:person_detail", pk=person.pk)
    return _form_page(
        request, form, f"Edit {person}", "Save", f"/staff/partners/people/{person.pk}/", str(person)
    )


@require_POST
@role_required(*SETUP_ROLES)
def person_reviewed(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(Person, pk=pk, anonymised_at__isnull=True)
    services.person_mark_reviewed(person=person, by=_by(request))
    messages.success(request, f"{person} is marked reviewed.")
    return redirect("partners_staff:person_detail", pk=person.pk)


@role_required(*SETUP_ROLES)
def affiliation_new(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(Person, pk=pk, anonymised_at__isnull=True)
    form = AffiliationForm(request.POST or None, initial={"start_date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.affiliation_add(person=person, by=_by(request), **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "Affiliation added.")
            return redirect("partners_staff:person_detail", pk=person.pk)
    return _form_page(
        request,
        form,
        f"New affiliation of {person}",
        "Add",
        f"/staff/partners/people/{person.pk}/",
        str(person),
    )


@role_required(*SETUP_ROLES)
def affiliation_end(request: HttpRequest, pk: int) -> HttpResponse:
    tie = get_object_or_404(Affiliation.objects.select_related("person", "organisation"), pk=pk)
    form = EndAffiliationForm(request.POST or None, initial={"end_date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.affiliation_end(affiliation=tie, by=_by(request), **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"{tie} ends on {tie.end_date:%d/%m/%Y}.")
            return redirect("partners_staff:person_detail", pk=tie.person_id)
    return _form_page(
        request,
        form,
        f"End: {tie}",
        "End the affiliation",
        f"/staff/partners/people/{tie.person_id}/",
        str(tie.person),
        notice="The tie is kept as history. Any portal access it gives ends after the last day.",
    )


def _find_other(value: str) -> Person | None:
    value = (value or "").strip()
    pk = parse_id(value)
    rows = Person.objects.filter(anonymised_at__isnull=True)
    if pk is not None:
        return rows.filter(pk=pk).first()
    return rows.filter(email=value.lower()).first() if value else None


@role_required(*SETUP_ROLES)
def person_merge(request: HttpRequest, pk: int) -> HttpResponse:
    """Choose the other record, see both, then confirm: the other is merged into this one."""
    keeper = get_object_or_404(Person, pk=pk, anonymised_at__isnull=True)
    form = MergeForm(request.POST or request.GET or None)
    other = None
    if form.is_valid():
        other = _find_other(form.cleaned_data["other"])
        if other is None:
            form.add_error("other", "Nobody in the directory has this e-mail address or number.")
        elif other.pk == keeper.pk:
            form.add_error("other", "Choose another record than this one.")
            other = None
    if request.method == "POST" and other is not None and request.POST.get("confirm") == "1":
        try:
            report = services.person_merge(keeper=keeper, other=other, by=_by(request))
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            moved = ", ".join(f"{n} {label}" for label, n in report.moved.items()) or "nothing"
            messages.success(request, f"Merged into {keeper}: moved {moved}.")
            return redirect("partners_staff:person_detail", pk=keeper.pk)
    return render(
        request,
        "partners/staff/person_merge.html",
        {"keeper": keeper, "other": other, "form": form},
    )
