"""Staff screens of the Partnership Scheme (mounted at /staff/partners/)."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from partners import exports, selectors, services, views_setup
from partners.forms import (
    AgreementForm,
    ExportForm,
    PartnerFilterForm,
    PaymentForm,
    PeriodActionForm,
    TerminateForm,
)
from partners.models import (
    OPEN_INVOICE_STATUSES,
    Affiliation,
    AgreementKind,
    AgreementPeriod,
    Invoice,
    InvoiceKind,
    InvoiceStatus,
    Organisation,
    OrganisationKind,
    PendingContact,
    PeriodStatus,
    Site,
    SiteRequest,
    SiteRequestStatus,
    Standing,
)
from smartnet.access import may_use, role_required
from smartnet.confirm import Confirmation, is_confirmed, render_confirmation
from smartnet.forms import apply_service_errors, parse_ids
from smartnet.pdf import pdf_response
from smartnet.roles import STAFF_ROLES, Role
from smartnet.templatetags.numbers import money

MONEY_ROLES = (Role.STAFF_ADMIN, Role.FINANCE)
# The list's status filter: which standings of the latest term each choice shows.
STANDING_FILTERS = {
    "current": [Standing.CURRENT],
    "renewal_due": [Standing.RENEWAL_DUE],
    "grace": [Standing.GRACE],
    "lapsed": [Standing.LAPSED, Standing.ENDED],
}
PAGE_SIZE = 50
PAGE_SIZES = {"25", "50", "100", "200"}


def _latest_periods():
    """An organisation's site-licence terms that came into force, latest first."""
    return AgreementPeriod.objects.filter(
        agreement__organisation=OuterRef("pk"),
        agreement__kind=AgreementKind.SITE_LICENCE,
        activated_on__isnull=False,
    ).order_by("-end_date")


def _latest_period(field: str):
    return Subquery(_latest_periods().values(field)[:1])


def partner_queryset(today: datetime.date):
    """Partners (not commissioners) with what the list shows, in one query;
    ``standing`` is that of their term in force on ``today`` (None: no agreement)."""
    site_count = (
        Site.objects.filter(organisation=OuterRef("pk"), closed_on__isnull=True)
        .order_by()
        .values("organisation")
        .annotate(n=Count("pk"))
        .values("n")
    )
    owed = (
        Invoice.objects.filter(organisation=OuterRef("pk"), status__in=OPEN_INVOICE_STATUSES)
        .order_by()
        .values("organisation")
        .annotate(s=Sum("total") - Sum("amount_paid") - Sum("amount_credited"))
        .values("s")
    )
    return (
        Organisation.objects.exclude(kind=OrganisationKind.COMMISSIONER)
        .annotate(
            site_count=Coalesce(Subquery(site_count, output_field=IntegerField()), Value(0)),
            term_end=_latest_period("end_date"),
            # The term begun most recently; else one that starts later (pending).
            standing=Coalesce(
                Subquery(
                    _latest_periods()
                    .filter(start_date__lte=today)
                    .with_standing(today)
                    .values("standing_then")[:1]
                ),
                Subquery(_latest_periods().with_standing(today).values("standing_then")[:1]),
            ),
            reference=_latest_period("agreement__reference"),
            owed=Subquery(owed),
        )
        .order_by("name", "pk")
    )


@role_required(*STAFF_ROLES)
def partner_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    form = PartnerFilterForm(request.GET or None)
    partners = partner_queryset(today)
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            q = data["q"].strip()
            partners = partners.filter(
                Q(name__icontains=q) | Q(charity_number__iexact=q) | Q(company_number__iexact=q)
            )
        if data["status"]:
            status = data["status"]
            partners = (
                partners.filter(standing__isnull=True)
                if status == "none"
                else partners.filter(standing__in=STANDING_FILTERS[status])
            )
        if data["renewal_month"]:
            month = data["renewal_month"]
            partners = partners.filter(term_end__year=month.year, term_end__month=month.month)
        if data["region"]:
            partners = partners.filter(
                Exists(
                    Site.objects.filter(organisation=OuterRef("pk"), area__region=data["region"])
                )
            )
        if data["kind"]:
            partners = partners.filter(kind=data["kind"])
    per_page = request.GET.get("per_page", "")
    per_page = int(per_page) if per_page in PAGE_SIZES else PAGE_SIZE
    page = Paginator(partners, per_page).get_page(request.GET.get("page"))
    for org in page.object_list:
        org.standing_label = Standing(org.standing).label if org.standing else "No agreement"
    query = request.GET.copy()
    query.pop("page", None)
    template = (
        "partners/staff/partner_rows.html" if request.htmx else "partners/staff/partner_list.html"
    )
    return render(
        request,
        template,
        {
            "form": form,
            "page_obj": page,
            "query_string": query.urlencode(),
            "today": today,
            "can_set_up": may_use(request.user, views_setup.organisation_new),
        },
    )


@role_required(*STAFF_ROLES)
def partner_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = get_object_or_404(Organisation, pk=pk)
    today = timezone.localdate()
    agreements = list(
        organisation.agreements.prefetch_related("periods__coverage__site").order_by("-created_at")
    )
    for agreement in agreements:
        for period in agreement.periods.all():
            period.standing_today = Standing(period.standing(today))
    sites = (
        Site.objects.filter(area__commissioners=organisation).select_related("organisation", "area")
        if organisation.is_commissioner
        else organisation.sites.select_related("area").prefetch_related("flags")
    )
    return render(
        request,
        "partners/staff/partner_detail.html",
        {
            "organisation": organisation,
            "agreements": agreements,
            "sites": sites,
            "invoices": organisation.invoices.order_by("-created_at"),
            "contacts": Affiliation.objects.filter(organisation=organisation)
            .contacts()
            .select_related("person")
            .order_by("end_date", "role"),
            "site_requests": organisation.site_requests.filter(status=SiteRequestStatus.PENDING),
            "chasing_hold": organisation.chasing_holds.filter(
                released_on__isnull=True, invoice__isnull=True
            ).first(),
            "today": today,
            "can_act": may_use(request.user, period_action),
            "can_set_up": may_use(request.user, views_setup.organisation_edit),
        },
    )


def _renewal_amounts(renewal_ids: list[int]) -> dict[int, Decimal]:
    """Each renewal's invoiced amount (its term invoices, drafted or issued), in one query."""
    rows = (
        Invoice.objects.filter(period_id__in=renewal_ids, kind=InvoiceKind.INVOICE)
        .exclude(status=InvoiceStatus.VOID)
        .values("period_id")
        .annotate(amount=Sum("total"))
    )
    return {row["period_id"]: row["amount"] for row in rows}


@role_required(*STAFF_ROLES)
def renewals_due(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    periods = list(selectors.renewals_due(on=today, days=90))
    # A period not yet renewed has no ``renewal`` (the reverse one-to-one raises).
    renewals = {p.pk: getattr(p, "renewal", None) for p in periods}
    amounts = _renewal_amounts([r.pk for r in renewals.values() if r])
    for period in periods:
        renewal = renewals[period.pk]
        period.renewal_amount = amounts.get(renewal.pk) if renewal else None
    return render(
        request,
        "partners/staff/renewals.html",
        {
            "periods": periods,
            "unconfirmed": selectors.unconfirmed_reminders(),
            "today": today,
            "can_act": may_use(request.user, renewals_approve),
            "draft_days": settings.PARTNERS_RENEWAL_DRAFT_DAYS,
        },
    )


@require_POST
@role_required(*MONEY_ROLES)
def renewals_approve(request: HttpRequest) -> HttpResponse:
    """Approve the ticked renewals: the confirmation page lists each with its
    amount and what approving does; only its confirming POST approves."""
    ids = parse_ids(request.POST.getlist("renewal"))
    if not ids:
        messages.error(request, "Renewals: tick at least one drafted renewal to approve.")
        return redirect("partners_staff:renewals")
    if not is_confirmed(request):
        renewals = list(
            AgreementPeriod.objects.filter(
                pk__in=ids,
                previous__isnull=False,
                status__in=[PeriodStatus.DRAFT, PeriodStatus.SENT],
            )
            .select_related("agreement__organisation")
            .order_by("agreement__organisation__name", "pk")
        )
        if not renewals:
            messages.error(
                request, "Renewals: none of the ticked renewals is waiting for approval."
            )
            return redirect("partners_staff:renewals")
        amounts = _renewal_amounts([r.pk for r in renewals])
        total = sum((amounts.get(r.pk) or Decimal(0) for r in renewals), Decimal(0))
        effects = []
        for r in renewals:
            amount = amounts.get(r.pk)
            then = (
                "becomes active (the partner confirmed)"
                if r.confirmed_on
                else "is sent to the partner with its invoice"
            )
            effects.append(
                f"{r.agreement.organisation.name}, {r.agreement.reference}: "
                f"{money(amount) if amount is not None else 'no invoice'}, "
                f"{r.start_date:%-d %b %Y} to {r.end_date:%-d %b %Y}; {then}"
            )
        count = len(renewals)
        plural = "s" if count != 1 else ""
        return render_confirmation(
            request,
            Confirmation(
                title=f"Approve {count} renewal{plural}?",
                summary=(
                    f"Approving issues {'their invoices' if count != 1 else 'its invoice'}, "
                    f"{money(total)} in all, numbered and dated today."
                ),
                effects=effects,
                warning="An issued invoice is never edited or deleted; only a credit note "
                "corrects it.",
                submit=f"Approve {count} renewal{plural}",
                cancel_url=reverse("partners_staff:renewals"),
                back_label="Back to renewals due",
                carry={"renewal": [str(r.pk) for r in renewals]},
                danger=False,
            ),
        )
    counts = services.renewals_bulk_approve(renewal_ids=ids)
    messages.success(
        request,
        f"Approved: {counts.get('activated', 0)} activated (partner confirmed or paid), "
        f"{counts.get('sent', 0)} invoiced (each invoice e-mailed to its billing contact), "
        f"{counts.get('needs_po', 0)} waiting for the partner's purchase-order number, "
        f"{counts.get('unchanged', 0)} unchanged.",
    )
    return redirect("partners_staff:renewals")


@role_required(*STAFF_ROLES)
def block_coverage(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    rows = []
    for nation, (covered, total) in sorted(selectors.block_population_by_nation(on=today).items()):
        share = (covered * 100 / total) if total else 0
        rows.append(
            {
                "nation": nation.replace("_", " ").title(),
                "covered": covered,
                "total": total,
                "share": share,
            }
        )
    blocks = (
        selectors.periods_in_force(on=today, kind=AgreementKind.BLOCK)
        .select_related("agreement__organisation")
        .prefetch_related("agreement__organisation__areas")
        .order_by("agreement__organisation__name")
    )
    return render(
        request,
        "partners/staff/coverage.html",
        {
            "rows": rows,
            "blocks": blocks,
            "today": today,
            "covered_sites": selectors.block_covered_site_count(on=today),
        },
    )


@role_required(*STAFF_ROLES)
def invoice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = get_object_or_404(Invoice, pk=pk)
    filename = f"{invoice.number or f'draft-{invoice.pk}'}.pdf"
    return pdf_response(services.invoice_pdf(invoice=invoice), filename)


@role_required(*MONEY_ROLES)
def invoice_payment(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = get_object_or_404(Invoice.objects.select_related("organisation"), pk=pk)
    form = PaymentForm(request.POST or None, initial={"received_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.payment_record(
                invoice=invoice,
                amount=form.cleaned_data["amount"],
                received_on=form.cleaned_data["received_on"],
                reference=form.cleaned_data["reference"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"Payment recorded against {invoice.number}.")
            return redirect("partners_staff:partner_detail", pk=invoice.organisation_id)
    return render(request, "partners/staff/payment.html", {"invoice": invoice, "form": form})


@role_required(*MONEY_ROLES)
def xero_export(request: HttpRequest) -> HttpResponse:
    """The sales-invoice export: one CSV, or a zip of CSVs of at most 500
    invoices each (Xero's import limit)."""
    form = ExportForm(request.GET or None)
    if not form.is_valid():
        return render(
            request,
            "partners/staff/export.html",
            {"form": form, "per_file": exports.XERO_MAX_INVOICES},
            status=200 if not request.GET else 400,
        )
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    files = exports.xero_sales_files(start=start, end=end)
    if len(files) == 1:
        name, text = files[0]
        response = HttpResponse(text, content_type="text/csv")
    else:
        name = f"xero-sales-{start}-{end}.zip"
        response = HttpResponse(exports.zip_files(files), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@role_required(*STAFF_ROLES)
def site_requests(request: HttpRequest) -> HttpResponse:
    pending = SiteRequest.objects.filter(status=SiteRequestStatus.PENDING).select_related(
        "organisation", "area", "requested_by", "period__agreement"
    )
    return render(
        request,
        "partners/staff/site_requests.html",
        {"requests": pending, "can_act": may_use(request.user, site_request_decide)},
    )


@require_POST
@role_required(*MONEY_ROLES)
def site_request_decide(request: HttpRequest, pk: int) -> HttpResponse:
    site_request = get_object_or_404(SiteRequest, pk=pk)
    try:
        if request.POST.get("decision") == "reject":
            if not SiteRequest.objects.filter(pk=pk, status=SiteRequestStatus.PENDING).update(
                status=SiteRequestStatus.REJECTED, decided_on=timezone.localdate()
            ):
                raise ValidationError({"status": "This request has already been decided."})
            messages.success(request, f"Request for {site_request.name} rejected.")
        else:
            services.site_request_approve(request=site_request)
            messages.success(request, f"{site_request.name} added and invoiced.")
    except ValidationError as exc:
        messages.error(
            request, "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
        )
    return redirect("partners_staff:site_requests")


# Pending contacts show who in the directory has an e-mail: the staff admin alone.
CONTACT_DECIDERS = (Role.STAFF_ADMIN,)


@role_required(*CONTACT_DECIDERS)
def pending_contacts(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "partners/staff/pending_contacts.html",
        {"rows": selectors.pending_contacts_with_matches()},
    )


@require_POST
@role_required(*CONTACT_DECIDERS)
def pending_contact_decide(request: HttpRequest, pk: int) -> HttpResponse:
    pending = get_object_or_404(PendingContact.objects.select_related("organisation"), pk=pk)
    try:
        services.pending_contact_decide(
            pending=pending, decision=request.POST.get("decision", ""), decided_by=request.user
        )
    except ValidationError as exc:
        messages.error(
            request, "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
        )
    else:
        messages.success(
            request,
            f"{pending.get_role_display()} of {pending.organisation.name}: "
            f"{pending.get_status_display().lower()}.",
        )
    return redirect("partners_staff:pending_contacts")


@role_required(*MONEY_ROLES)
def agreement_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Draft a new agreement (its first term and draft invoice) for an organisation."""
    organisation = get_object_or_404(Organisation, pk=pk)
    form = AgreementForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            agreement = services.agreement_create(
                organisation=organisation,
                kind=AgreementKind.BLOCK
                if organisation.is_commissioner
                else AgreementKind.SITE_LICENCE,
                start_date=data["start_date"],
                end_date=data["end_date"],
                sites=data.get("sites") or [],
                annual_amount=data.get("annual_amount"),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"Agreement {agreement.reference} drafted with its invoice.")
            return redirect("partners_staff:partner_detail", pk=organisation.pk)
    return render(
        request, "partners/staff/agreement_new.html", {"organisation": organisation, "form": form}
    )


PERIOD_ACTIONS = {"send", "activate", "terminate"}


@role_required(*MONEY_ROLES)
def period_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Send (issues the invoice), activate (signed; ``on`` is the signing date)
    or terminate one term. Terminating is final: it asks first
    (:func:`_period_terminate`)."""
    if action == "terminate":
        return _period_terminate(request, pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    period = get_object_or_404(AgreementPeriod.objects.select_related("agreement"), pk=pk)
    if action not in PERIOD_ACTIONS:
        raise Http404("No such action.")
    form = PeriodActionForm(request.POST)
    organisation_id = period.agreement.organisation_id
    try:
        if not form.is_valid():
            raise ValidationError({"on": form.errors["on"][0]})
        on = form.cleaned_data["on"]
        if action == "send":
            services.agreement_send(period=period)
        else:
            services.agreement_activate(period=period, signed_on=on)
    except ValidationError as exc:
        messages.error(
            request,
            "; ".join(f"{k.replace('_', ' ')}: {' '.join(v)}" for k, v in exc.message_dict.items()),
        )
    else:
        messages.success(request, f"{period.agreement.reference}: {action} done.")
    return redirect("partners_staff:partner_detail", pk=organisation_id)


def _period_terminate(request: HttpRequest, pk: int) -> HttpResponse:
    """End a term early, from a date, with a reason: the confirmation page says
    what ends with it; only its confirming POST terminates."""
    period = get_object_or_404(
        AgreementPeriod.objects.select_related("agreement__organisation"), pk=pk
    )
    agreement = period.agreement
    confirmed = is_confirmed(request)
    form = TerminateForm(request.POST if confirmed else None, initial={"on": timezone.localdate()})
    if confirmed and form.is_valid():
        try:
            services.agreement_terminate(
                period=period, on=form.cleaned_data["on"], reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "terminated_on" in exc.error_dict:
                exc.error_dict["on"] = exc.error_dict.pop("terminated_on")
            apply_service_errors(form, exc)
        else:
            messages.success(
                request,
                f"{agreement.reference} terminated from {form.cleaned_data['on']:%-d %B %Y}.",
            )
            return redirect("partners_staff:partner_detail", pk=agreement.organisation_id)
    sites = [c.site.name for c in period.coverage.select_related("site") if c.left_on is None]
    pending = AgreementPeriod.objects.filter(
        previous=period, status__in=[PeriodStatus.DRAFT, PeriodStatus.SENT]
    ).count()
    effects = [
        f"{agreement.organisation.name}: the term {period.start_date:%-d %B %Y} to "
        f"{period.end_date:%-d %B %Y} ends on the date you give.",
    ]
    if agreement.is_block:
        effects.append("The block agreement's cover for its areas ends with it.")
    elif sites:
        effects.append(f"Sites no longer covered from then: {', '.join(sites)}.")
    if pending:
        effects.append(
            "The renewal waiting to start is terminated too, and its draft invoice voided."
        )
    effects.append("Invoices already issued for this term stay as they are.")
    return render_confirmation(
        request,
        Confirmation(
            title=f"Terminate agreement {agreement.reference}?",
            summary=f"The agreement with {agreement.organisation.name} ends early.",
            effects=effects,
            warning="A terminated term cannot be reopened: a new agreement would be needed.",
            submit="Terminate the agreement",
            cancel_url=reverse("partners_staff:partner_detail", args=[agreement.organisation_id]),
            back_label=f"Back to {agreement.organisation.name}",
            form=form,
        ),
    )
