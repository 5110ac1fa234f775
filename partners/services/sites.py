"""Sites: creating them, joining and leaving a site licence mid-term (with
the invoice that follows), partners' site requests, and the rule that no site
is covered by two site licences on one day."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from partners import selectors
from partners.models import (
    IN_FORCE_STATUSES,
    PENDING_STATUSES,
    AgreementKind,
    AgreementPeriod,
    Area,
    InvoiceKind,
    InvoicePurpose,
    InvoiceStatus,
    Organisation,
    PeriodStatus,
    Person,
    Site,
    SiteCoverage,
    SiteRequest,
    SiteRequestStatus,
)
from partners.services.fees import coverage_lines, period_lines, quote_site_fee
from partners.services.invoices import invoice_draft, invoice_issue, invoice_set_lines
from partners.validators import normalise_uk_postcode


def site_create(
    *,
    organisation: Organisation,
    name: str,
    address_line_1: str,
    town: str,
    postcode: str,
    area_code: str,
    site_type: str,
    address_line_2: str = "",
    opened_on: datetime.date | None = None,
) -> Site:
    """A new site; its postcode must be a UK postcode and its area a known one."""
    errors = {}
    try:
        postcode = normalise_uk_postcode(postcode)
    except ValidationError as exc:
        errors["postcode"] = exc.messages
    area = Area.objects.filter(ons_code=(area_code or "").strip().upper()).first()
    if area is None:
        errors["area"] = [
            f"{area_code or 'No area'} is not a known local authority area: "
            "choose one from the list (ONS code)."
        ]
    if not (name or "").strip():
        errors["name"] = ["Enter the site's name."]
    if errors:
        raise ValidationError(errors)
    site = Site(
        organisation=organisation,
        name=name.strip(),
        address_line_1=address_line_1,
        address_line_2=address_line_2,
        town=town,
        postcode=postcode,
        area=area,
        site_type=site_type,
        opened_on=opened_on,
    )
    site.full_clean()
    site.save()
    return site


def check_site_overlap(
    sites: Iterable[Site],
    start: datetime.date,
    end: datetime.date,
    *,
    exclude_period: AgreementPeriod | None = None,
) -> None:
    """No site may be covered by two site-licence periods on the same day."""
    sites = list(sites)
    clashes = (
        SiteCoverage.objects.filter(
            site__in=sites,
            period__agreement__kind=AgreementKind.SITE_LICENCE,
            period__start_date__lte=end,
            period__end_date__gte=start,
        )
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=start))
        .exclude(period__status__in=[PeriodStatus.TERMINATED, PeriodStatus.LAPSED])
        .select_related("site", "period__agreement")
    )
    if exclude_period is not None:
        clashes = clashes.exclude(period=exclude_period)
    clash = clashes.first()
    if clash:
        raise ValidationError(
            {
                "sites": f"{clash.site.name} is already covered by agreement "
                f"{clash.period.agreement.reference} from {clash.period.start_date:%d/%m/%Y} "
                f"to {clash.period.end_date:%d/%m/%Y}: agreements for a site may not overlap."
            }
        )


@transaction.atomic
def site_add(
    *,
    period: AgreementPeriod,
    site: Site,
    joins_on: datetime.date,
    today: datetime.date | None = None,
) -> SiteCoverage:
    """A site joins a site-licence period mid-term; an invoice for its fee is
    issued (none if a block agreement pays the whole remaining term)."""
    today = today or timezone.localdate()
    if period.agreement.kind != AgreementKind.SITE_LICENCE:
        raise ValidationError({"period": "Sites join site-licence agreements only."})
    if site.organisation_id != period.agreement.organisation_id:
        raise ValidationError(
            {"site": f"{site.name} is not a site of {period.agreement.organisation}."}
        )
    if not (period.start_date <= joins_on <= period.end_date):
        raise ValidationError(
            {
                "joins_on": f"The joining date must fall within the term "
                f"{period.start_date:%d/%m/%Y}-{period.end_date:%d/%m/%Y}."
            }
        )
    if period.status not in (*IN_FORCE_STATUSES, *PENDING_STATUSES):
        raise ValidationError({"period": "This agreement has ended; sites cannot join it."})
    check_site_overlap([site], joins_on, period.end_date, exclude_period=None)
    coverage = SiteCoverage.objects.create(period=period, site=site, joined_on=joins_on)
    coverage.site = site
    if period.status in PENDING_STATUSES:
        # Not yet in force: the term's draft invoice is redrawn with the new site.
        term = period.invoices.filter(
            kind=InvoiceKind.INVOICE, purpose=InvoicePurpose.TERM, status=InvoiceStatus.DRAFT
        ).first()
        if term:
            invoice_set_lines(invoice=term, lines=period_lines(period))
        return coverage
    _invoice_addition(period, coverage, today)
    # A renewal already drafted for the next term takes the site too.
    renewal = AgreementPeriod.objects.filter(previous=period, status__in=PENDING_STATUSES).first()
    if renewal is not None:
        next_coverage, _ = SiteCoverage.objects.get_or_create(
            period=renewal, site=site, defaults={"joined_on": renewal.start_date}
        )
        next_coverage.site = site
        term = renewal.invoices.filter(
            kind=InvoiceKind.INVOICE, purpose=InvoicePurpose.TERM, status=InvoiceStatus.DRAFT
        ).first()
        if term:
            invoice_set_lines(invoice=term, lines=period_lines(renewal))
        else:
            _invoice_addition(renewal, next_coverage, today)
    return coverage


def _invoice_addition(period: AgreementPeriod, coverage: SiteCoverage, today: datetime.date):
    """Issue an invoice for one site joining ``period`` (none if nothing is owed)."""
    lines = coverage_lines(period, [coverage])
    if sum(line["net_amount"] for line in lines) > 0:
        invoice = invoice_draft(
            organisation=period.agreement.organisation,
            period=period,
            purpose=InvoicePurpose.SITE_ADDITION,
            lines=lines,
        )
        invoice_issue(invoice=invoice, today=today)


@transaction.atomic
def site_leave(*, coverage: SiteCoverage, left_on: datetime.date) -> SiteCoverage:
    """A site leaves the scheme; ``left_on`` is its last covered day."""
    if left_on < coverage.joined_on:
        raise ValidationError({"left_on": "A site cannot leave before it joined."})
    if left_on > coverage.period.end_date:
        raise ValidationError({"left_on": "The leaving date is after the end of the term."})
    SiteCoverage.objects.filter(pk=coverage.pk).update(left_on=left_on)
    coverage.refresh_from_db()
    return coverage


@transaction.atomic
def site_request_create(
    *,
    organisation: Organisation,
    person: Person | None,
    name: str,
    address_line_1: str,
    town: str,
    postcode: str,
    area_code: str,
    site_type: str,
    joins_on: datetime.date,
    address_line_2: str = "",
    today: datetime.date | None = None,
) -> SiteRequest:
    """A partner asks (in the portal) to add a site: a pending change for staff,
    with the fee quoted now."""
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    try:
        postcode = normalise_uk_postcode(postcode)
    except ValidationError as exc:
        errors["postcode"] = exc.messages
    area = Area.objects.filter(ons_code=(area_code or "").strip().upper()).first()
    if area is None:
        errors["area"] = [f"{area_code or 'No area'} is not a known local authority area."]
    period = selectors.current_site_licence(organisation=organisation, on=joins_on)
    if period is None:
        errors["joins_on"] = [
            "Your organisation has no site licence in force on that date; contact the central team."
        ]
    if errors or period is None or area is None:
        raise ValidationError(errors)
    return SiteRequest.objects.create(
        organisation=organisation,
        period=period,
        name=name,
        address_line_1=address_line_1,
        address_line_2=address_line_2,
        town=town,
        postcode=postcode,
        area=area,
        site_type=site_type,
        joins_on=joins_on,
        quoted_fee=quote_site_fee(period=period, area=area, joins_on=joins_on),
        requested_by=person,
    )


@transaction.atomic
def site_request_approve(*, request: SiteRequest, today: datetime.date | None = None) -> Site:
    """Staff approve a pending site: the site is created, joins the period and is invoiced."""
    today = today or timezone.localdate()
    if not SiteRequest.objects.filter(pk=request.pk, status=SiteRequestStatus.PENDING).update(
        status=SiteRequestStatus.APPROVED, decided_on=today
    ):
        raise ValidationError({"status": "This request has already been decided."})
    site = site_create(
        organisation=request.organisation,
        name=request.name,
        address_line_1=request.address_line_1,
        address_line_2=request.address_line_2,
        town=request.town,
        postcode=request.postcode,
        area_code=request.area.ons_code,
        site_type=request.site_type,
    )
    site_add(period=request.period, site=site, joins_on=request.joins_on, today=today)
    SiteRequest.objects.filter(pk=request.pk).update(site=site)
    return site
