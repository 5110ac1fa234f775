"""The partner and commissioner portal (/portal/).

Every object is fetched through ``partners.access`` querysets, so another
organisation's id answers 404.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from partners import selectors, services, situation
from partners.access import (
    choose_organisation,
    organisations_for_user,
    portal_required,
    sites_for_user,
)
from partners.forms import ContactForm, SiteRequestForm
from partners.models import (
    Affiliation,
    AgreementPeriod,
    Invoice,
    InvoiceStatus,
    PendingContact,
    SiteRequest,
)
from partners.services import statements
from smartnet.forms import apply_service_errors, parse_id
from smartnet.pdf import pdf_response
from smartnet.roles import Role


def _organisation(request: HttpRequest):
    """The organisation the page is about: ?organisation=<id> among the
    user's own (404 otherwise), else the first."""
    wanted = request.GET.get("organisation") or request.POST.get("organisation")
    if wanted:
        pk = parse_id(wanted)
        if pk is None:
            raise Http404("No such organisation.")
        return get_object_or_404(organisations_for_user(request.user), pk=pk)
    return request.organisation


@require_POST
@portal_required
def switch_organisation(request: HttpRequest) -> HttpResponse:
    """A contact of several organisations chooses the one the portal shows."""
    pk = parse_id(request.POST.get("organisation"))
    if pk is None or not choose_organisation(request, pk):
        # The same answer for no choice, a made-up id and another's organisation.
        messages.error(request, "Choose one of the organisations listed for your account.")
        return redirect("portal:home")
    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = ""
    target = target.split("?")[0]
    if not target.startswith("/portal/"):
        target = "/portal/"
    return redirect(target)


@portal_required
def home(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    organisations = request.organisations
    is_commissioner = request.user.role == Role.COMMISSIONER_CONTACT
    standing = situation.situations(organisations=organisations, on=today)
    renewals = [s.next_renewal_on for s in standing if s.next_renewal_on]
    context = {
        "organisations": organisations,
        "situations": standing,
        "owed": situation.money_owed(organisations=organisations, on=today),
        "next_renewal_on": min(renewals) if renewals else None,
        "today": today,
        "is_commissioner": is_commissioner,
        "pending_requests": SiteRequest.objects.filter(
            organisation__in=organisations, status="pending"
        ),
        "po_orgs": {o.pk for o in organisations if services.requires_po(o)},
    }
    if is_commissioner:
        context["area_sites"] = (
            sites_for_user(request.user)
            .select_related("organisation", "area")
            .order_by("area__name", "name")
        )
    return render(request, "partners/portal/home.html", context)


@portal_required
def invoice_list(request: HttpRequest) -> HttpResponse:
    invoices = (
        Invoice.objects.filter(organisation__in=organisations_for_user(request.user))
        .exclude(status=InvoiceStatus.DRAFT)
        .select_related("organisation")
        .order_by("-issue_date", "-pk")
    )
    return render(
        request,
        "partners/portal/invoices.html",
        {"invoices": invoices, "organisations": request.organisations},
    )


@portal_required
def invoice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = get_object_or_404(
        Invoice.objects.filter(organisation__in=organisations_for_user(request.user)).exclude(
            status=InvoiceStatus.DRAFT
        ),
        pk=pk,
    )
    return pdf_response(
        services.invoice_pdf(invoice=invoice), f"{invoice.number}.pdf", attachment=True
    )


@portal_required
def statement_pdf(request: HttpRequest) -> HttpResponse:
    """The organisation's statement of account (?organisation=<id> among the user's own)."""
    organisation = _organisation(request)
    return pdf_response(
        statements.statement_pdf(organisation=organisation),
        f"statement-{organisation.slug}-{timezone.localdate()}.pdf",
        attachment=True,
    )


@portal_required(roles=(Role.PARTNER_CONTACT,))  # sites are added by the partner that runs them
def site_add(request: HttpRequest) -> HttpResponse:
    """Add a site: the first POST shows the fee; confirming creates a pending
    change for staff (nothing is charged until they approve)."""
    organisation = _organisation(request)
    form = SiteRequestForm(request.POST or None, initial={"joins_on": timezone.localdate()})
    quote = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        period = selectors.current_site_licence(organisation=organisation, on=data["joins_on"])
        if period is None:
            form.add_error(
                "joins_on",
                "Your organisation has no site licence in force on that date; "
                "please contact the central team.",
            )
        elif request.POST.get("confirm") == "1":
            try:
                services.site_request_create(
                    organisation=organisation,
                    person=getattr(request.user, "person", None),
                    name=data["name"],
                    address_line_1=data["address_line_1"],
                    address_line_2=data["address_line_2"],
                    town=data["town"],
                    postcode=data["postcode"],
                    area_code=data["area"].ons_code,
                    site_type=data["site_type"],
                    joins_on=data["joins_on"],
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    f"Thank you: {data['name']} is waiting for the central team to approve it.",
                )
                return redirect("portal:home")
        else:
            quote = {
                "fee": services.quote_site_fee(
                    period=period, area=data["area"], joins_on=data["joins_on"]
                ),
                "period": period,
            }
    return render(
        request,
        "partners/portal/site_add.html",
        {"form": form, "quote": quote, "organisation": organisation},
    )


@require_POST
@portal_required
def renewal_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    renewal = get_object_or_404(
        AgreementPeriod.objects.filter(
            agreement__organisation__in=organisations_for_user(request.user),
            previous__isnull=False,
        ),
        pk=pk,
    )
    try:
        services.renewal_confirm(
            renewal=renewal,
            person=getattr(request.user, "person", None),
            po_number=request.POST.get("po_number", "")[:60],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            f"Thank you: renewal of {renewal.agreement.reference} from "
            f"{renewal.start_date:%d %B %Y} confirmed. The central team will now accept it.",
        )
    return redirect("portal:home")


@portal_required
def contacts(request: HttpRequest) -> HttpResponse:
    organisation = _organisation(request)
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.contact_request_invite(
                organisation=organisation,
                requested_by=getattr(request.user, "person", None),
                **form.cleaned_data,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            if isinstance(result, PendingContact):
                # The same words whether or not the e-mail is in the directory:
                # the portal is no way to find out who is.
                messages.success(
                    request,
                    "Thank you: the central team will confirm the new contact. "
                    "It is listed below as you entered it until then.",
                )
            else:  # one of the organisation's own people, whom it already sees
                messages.success(request, "Contact updated.")
            return redirect(f"{request.path}?organisation={organisation.pk}")
    current = (
        Affiliation.objects.current()
        .contacts()
        .filter(organisation=organisation)
        .select_related("person")
        .order_by("role")
    )
    return render(
        request,
        "partners/portal/contacts.html",
        {
            "form": form,
            "organisation": organisation,
            "contacts": current,
            "pending": selectors.pending_contacts_for(organisation),
        },
    )
