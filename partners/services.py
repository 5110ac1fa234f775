"""Writes of the Partnership Scheme. Every change to an agreement, a period, a
site's coverage, an invoice or a payment goes through a function here.

Each function validates first and raises ``ValidationError`` with a message
keyed by the field at fault, then makes all its changes inside one
``transaction.atomic()``: bad input saves nothing.

Fee arithmetic (see README, "Partners"):

- A term's fee for a site is ``site_fee x chargeable days / days in term``.
- ``PARTNERS_MID_TERM_CHARGING=pro_rata`` (default): a site is charged for the
  days it is covered (from ``joined_on``); ``full_year``: a site is charged the
  whole term whatever day it joins.
- Days on which the site's area is under a block agreement in force are not
  chargeable (the commissioner pays for them), in either mode.
- A site that leaves mid-term is not refunded automatically; staff raise a
  credit note if the partner is owed money.
"""

from __future__ import annotations

import csv
import datetime
import io
import logging
import re
import uuid
from collections import defaultdict
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from partners.models import (
    IN_FORCE_STATUSES,
    PENDING_STATUSES,
    Affiliation,
    AffiliationRole,
    Agreement,
    AgreementKind,
    AgreementPeriod,
    Area,
    FeeRate,
    Invoice,
    InvoiceCounter,
    InvoiceKind,
    InvoiceLine,
    InvoicePurpose,
    InvoiceStatus,
    Nation,
    Organisation,
    OrganisationKind,
    Payment,
    PendingContact,
    PendingContactStatus,
    PeriodStatus,
    Person,
    Product,
    Reminder,
    ReminderKind,
    Site,
    SiteCoverage,
    SiteFlag,
    SiteRequest,
    SiteRequestStatus,
)
from partners.validators import normalise_uk_postcode
from smartnet import csv_export, mail
from smartnet.models import JobRun, User
from smartnet.pdf import render_pdf
from smartnet.roles import Role

logger = logging.getLogger(__name__)

PENNY = Decimal("0.01")
REMINDER_DAYS = (60, 30, 7)


# --- Small helpers -----------------------------------------------------------------------


def one_year_from(start: datetime.date) -> datetime.date:
    """The last day of a one-year term that starts on ``start``."""
    try:
        return start.replace(year=start.year + 1) - datetime.timedelta(days=1)
    except ValueError:  # 29 February: the term ends on 28 February
        return start.replace(year=start.year + 1, day=28)


def _days(start: datetime.date, end: datetime.date) -> int:
    return (end - start).days + 1 if end >= start else 0


def parse_amount(value, *, field: str = "amount") -> Decimal:
    """A positive amount in pounds with at most two decimal places, or a
    ValidationError naming ``field``."""
    try:
        amount = Decimal(str(value).strip().replace(",", "").lstrip("£"))
    except (InvalidOperation, ValueError):
        raise ValidationError(
            {field: f"Enter the {field.replace('_', ' ')} in pounds, such as 250.00."}
        ) from None
    if not amount.is_finite():
        raise ValidationError({field: f"Enter the {field.replace('_', ' ')} in pounds."})
    if amount <= 0:
        raise ValidationError({field: f"The {field.replace('_', ' ')} must be more than zero."})
    if amount != amount.quantize(PENNY):
        raise ValidationError(
            {field: f"The {field.replace('_', ' ')} has more than two decimal places."}
        )
    return amount.quantize(PENNY)


def fee_rate_on(on: datetime.date) -> Decimal:
    """The site fee per year in force on ``on`` (from the fee schedule)."""
    rate = FeeRate.objects.filter(effective_from__lte=on).order_by("-effective_from").first()
    if rate is None:
        raise ValidationError({"start_date": f"No site fee is set for {on:%d %B %Y}."})
    return rate.site_fee


def _new_reference() -> str:
    return f"TMP-{uuid.uuid4().hex[:20]}"


def _set_reference(agreement: Agreement) -> None:
    prefix = "BA" if agreement.kind == AgreementKind.BLOCK else "SL"
    agreement.reference = f"{prefix}-{agreement.pk:06d}"
    agreement.save(update_fields=["reference"])


def _audit(period_pk: int) -> None:
    """Write the audit-trail row (django-simple-history) for a term just
    changed by a conditional update, which itself writes none."""
    AgreementPeriod.objects.get(pk=period_pk).save(update_fields=["status"])


# --- Block coverage and fees ---------------------------------------------------------------


def block_windows(
    *, area_ids: Iterable[int], start: datetime.date, end: datetime.date
) -> dict[int, list[tuple[datetime.date, datetime.date]]]:
    """Area id -> the date ranges within [start, end] in which a block agreement
    in force covers it (one query)."""
    area_ids = set(area_ids)
    windows: dict[int, list[tuple[datetime.date, datetime.date]]] = defaultdict(list)
    if not area_ids:
        return windows
    periods = (
        AgreementPeriod.objects.filter(
            agreement__kind=AgreementKind.BLOCK,
            activated_on__isnull=False,
            start_date__lte=end,
            end_date__gte=start,
            agreement__organisation__areas__in=area_ids,
        )
        .exclude(status__in=PENDING_STATUSES)
        .values_list("start_date", "end_date", "terminated_on", "agreement__organisation__areas")
    )
    for p_start, p_end, terminated_on, area_id in periods:
        if area_id not in area_ids:
            continue
        last = p_end
        if terminated_on:
            last = min(last, terminated_on - datetime.timedelta(days=1))
        s, e = max(p_start, start), min(last, end)
        if e >= s:
            windows[area_id].append((s, e))
    return windows


def _covered_days(span: tuple[datetime.date, datetime.date], windows) -> int:
    """Days of ``span`` inside the union of ``windows``."""
    start, end = span
    clipped = sorted((max(s, start), min(e, end)) for s, e in windows if e >= start and s <= end)
    total, cursor = 0, None
    for s, e in clipped:
        if cursor is not None and s <= cursor:
            s = cursor + datetime.timedelta(days=1)
        if e >= s:
            total += _days(s, e)
            cursor = e if cursor is None else max(cursor, e)
    return total


def coverage_fee(
    *,
    site_fee: Decimal,
    term_start: datetime.date,
    term_end: datetime.date,
    joined_on: datetime.date,
    left_on: datetime.date | None = None,
    windows: list[tuple[datetime.date, datetime.date]] = (),
    charging: str | None = None,
) -> tuple[Decimal, int, int]:
    """The fee for one site in one term: (amount, chargeable days, block days)."""
    charging = charging or settings.PARTNERS_MID_TERM_CHARGING
    term_days = _days(term_start, term_end)
    if charging == "full_year":
        span = (term_start, term_end)
    else:
        span = (max(joined_on, term_start), min(left_on or term_end, term_end))
    span_days = _days(*span)
    block_days = _covered_days(span, windows) if span_days else 0
    chargeable = span_days - block_days
    amount = (site_fee * chargeable / term_days).quantize(PENNY, rounding=ROUND_HALF_UP)
    return amount, chargeable, block_days


def _line(product: Product, description: str, amount: Decimal, quantity=Decimal(1)) -> dict:
    unit = amount
    net = (unit * quantity).quantize(PENNY, rounding=ROUND_HALF_UP)
    vat = (net * product.vat_rate / 100).quantize(PENNY, rounding=ROUND_HALF_UP)
    return {
        "product": product,
        "description": description[:300],
        "quantity": quantity,
        "unit_amount": unit,
        "net_amount": net,
        "vat_treatment": product.vat_treatment,
        "vat_rate": product.vat_rate,
        "vat_amount": vat,
    }


def _products() -> dict[str, Product]:
    return {p.code: p for p in Product.objects.all()}


def coverage_lines(period: AgreementPeriod, coverage: Iterable[SiteCoverage], *, charging=None):
    """Invoice lines (dicts) for the given coverage rows of a site-licence period."""
    coverage = list(coverage)
    product = _products()[Product.SITE_LICENCE]
    windows = block_windows(
        area_ids={c.site.area_id for c in coverage}, start=period.start_date, end=period.end_date
    )
    lines = []
    for row in coverage:
        amount, chargeable, block_days = coverage_fee(
            site_fee=period.site_fee,
            term_start=period.start_date,
            term_end=period.end_date,
            joined_on=row.joined_on,
            left_on=row.left_on,
            windows=windows.get(row.site.area_id, []),
            charging=charging,
        )
        text = (
            f"Site licence: {row.site.name}, "
            f"{max(row.joined_on, period.start_date):%d/%m/%Y}-{period.end_date:%d/%m/%Y}"
        )
        if block_days:
            text += f" ({block_days} days paid by a block agreement)"
        lines.append(_line(product, text, amount))
    return lines


def period_lines(period: AgreementPeriod) -> list[dict]:
    """The invoice lines of a whole term."""
    if period.agreement.kind == AgreementKind.BLOCK:
        product = _products()[Product.BLOCK_AGREEMENT]
        text = (
            f"Block agreement {period.agreement.reference}, "
            f"{period.start_date:%d/%m/%Y}-{period.end_date:%d/%m/%Y}"
        )
        return [_line(product, text, period.annual_amount)]
    return coverage_lines(period, period.coverage.select_related("site"))


def quote_site_fee(*, period: AgreementPeriod, area: Area, joins_on: datetime.date) -> Decimal:
    """What a site in ``area`` joining ``period`` on ``joins_on`` would be charged."""
    windows = block_windows(area_ids={area.pk}, start=period.start_date, end=period.end_date)
    amount, _, _ = coverage_fee(
        site_fee=period.site_fee,
        term_start=period.start_date,
        term_end=period.end_date,
        joined_on=joins_on,
        windows=windows.get(area.pk, []),
    )
    return amount


# --- Sites ---------------------------------------------------------------------------------


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


def _check_site_overlap(
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


# --- Agreements ----------------------------------------------------------------------------


@transaction.atomic
def agreement_create(
    *,
    organisation: Organisation,
    kind: str,
    start_date: datetime.date,
    end_date: datetime.date | None = None,
    sites: Iterable[Site] = (),
    annual_amount=None,
    today: datetime.date | None = None,
) -> Agreement:
    """A draft agreement with its first period, its coverage and a draft invoice."""
    today = today or timezone.localdate()
    end_date = end_date or one_year_from(start_date)
    sites = list(sites)
    errors: dict[str, str] = {}
    if end_date <= start_date:
        errors["end_date"] = "The agreement must end after it starts."
    if kind == AgreementKind.BLOCK:
        if organisation.kind != OrganisationKind.COMMISSIONER:
            errors["organisation"] = "Only a commissioner can hold a block agreement."
        try:
            annual_amount = parse_amount(annual_amount, field="annual_amount")
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
    elif kind == AgreementKind.SITE_LICENCE:
        if organisation.kind == OrganisationKind.COMMISSIONER:
            errors["organisation"] = "A commissioner takes a block agreement, not a site licence."
        if not sites:
            errors["sites"] = "Choose at least one site."
        foreign = [s.name for s in sites if s.organisation_id != organisation.pk]
        if foreign:
            errors["sites"] = f"{', '.join(foreign)} is not a site of {organisation}."
    else:
        errors["kind"] = "Choose a site licence or a block agreement."
    if errors:
        raise ValidationError(errors)
    if kind == AgreementKind.SITE_LICENCE:
        _check_site_overlap(sites, start_date, end_date)
    else:
        overlapping = AgreementPeriod.objects.filter(
            agreement__organisation=organisation,
            agreement__kind=AgreementKind.BLOCK,
            start_date__lte=end_date,
            end_date__gte=start_date,
        ).exclude(status__in=[PeriodStatus.TERMINATED, PeriodStatus.LAPSED])
        if overlapping.exists():
            raise ValidationError(
                {"start_date": f"{organisation} already has a block agreement for these dates."}
            )
    agreement = Agreement.objects.create(
        kind=kind, organisation=organisation, reference=_new_reference()
    )
    _set_reference(agreement)
    period = AgreementPeriod.objects.create(
        agreement=agreement,
        start_date=start_date,
        end_date=end_date,
        status=PeriodStatus.DRAFT,
        drafted_on=today,
        annual_amount=annual_amount if kind == AgreementKind.BLOCK else None,
        site_fee=None if kind == AgreementKind.BLOCK else fee_rate_on(start_date),
    )
    SiteCoverage.objects.bulk_create(
        SiteCoverage(period=period, site=s, joined_on=start_date) for s in sites
    )
    invoice_draft(
        organisation=organisation,
        period=period,
        purpose=InvoicePurpose.TERM,
        lines=period_lines(period),
    )
    return agreement


@transaction.atomic
def agreement_send(
    *, period: AgreementPeriod, today: datetime.date | None = None
) -> AgreementPeriod:
    """Send a draft period to the partner: its invoice is issued (numbered)."""
    today = today or timezone.localdate()
    if not AgreementPeriod.objects.filter(pk=period.pk, status=PeriodStatus.DRAFT).update(
        status=PeriodStatus.SENT, sent_on=today
    ):
        raise ValidationError({"status": "Only a draft agreement can be sent."})
    _audit(period.pk)
    period.refresh_from_db()
    for invoice in period.invoices.filter(status=InvoiceStatus.DRAFT, kind=InvoiceKind.INVOICE):
        invoice_issue(invoice=invoice, today=today)
    return period


@transaction.atomic
def agreement_activate(
    *,
    period: AgreementPeriod,
    signed_on: datetime.date | None = None,
    today: datetime.date | None = None,
) -> AgreementPeriod:
    """The signed agreement is back: the period is in force. The first period
    records the signing date on the agreement."""
    today = today or timezone.localdate()
    signed_on = signed_on or today
    if signed_on > today:
        raise ValidationError({"signed_on": "The signing date cannot be in the future."})
    if period.previous_id:
        return renewal_activate(renewal=period, today=today)
    if not AgreementPeriod.objects.filter(pk=period.pk, status__in=PENDING_STATUSES).update(
        status=PeriodStatus.ACTIVE, activated_on=today, sent_on=period.sent_on or today
    ):
        raise ValidationError({"status": "Only a draft or sent agreement can be activated."})
    _audit(period.pk)
    Agreement.objects.filter(pk=period.agreement_id, signed_on__isnull=True).update(
        signed_on=signed_on
    )
    for invoice in period.invoices.filter(status=InvoiceStatus.DRAFT, kind=InvoiceKind.INVOICE):
        invoice_issue(invoice=invoice, today=today)
    period.refresh_from_db()
    return period


@transaction.atomic
def agreement_terminate(
    *, period: AgreementPeriod, on: datetime.date, reason: str
) -> AgreementPeriod:
    """End a period early from ``on`` (the first day not covered)."""
    if not reason.strip():
        raise ValidationError({"reason": "Say why the agreement is terminated."})
    if on < period.start_date:
        raise ValidationError({"terminated_on": "Termination cannot be before the term starts."})
    statuses = [*IN_FORCE_STATUSES, *PENDING_STATUSES]
    if not AgreementPeriod.objects.filter(pk=period.pk, status__in=statuses).update(
        status=PeriodStatus.TERMINATED, terminated_on=on, termination_reason=reason.strip()
    ):
        raise ValidationError({"status": "This agreement has already ended."})
    _audit(period.pk)
    pending = AgreementPeriod.objects.filter(previous=period, status__in=PENDING_STATUSES)
    for renewal in pending:
        AgreementPeriod.objects.filter(pk=renewal.pk).update(
            status=PeriodStatus.TERMINATED,
            terminated_on=renewal.start_date,
            termination_reason=reason,
        )
        renewal.invoices.filter(status=InvoiceStatus.DRAFT).update(status=InvoiceStatus.VOID)
    period.refresh_from_db()
    return period


# --- Renewals ------------------------------------------------------------------------------


@transaction.atomic
def renewal_draft(*, period: AgreementPeriod, today: datetime.date) -> AgreementPeriod | None:
    """Draft the next term (sites then covered, fee in force at its start) and
    its invoice. Returns None if the renewal already exists (unique ``previous``)."""
    start = period.end_date + datetime.timedelta(days=1)
    end = one_year_from(start)
    agreement = period.agreement
    try:
        with transaction.atomic():
            renewal = AgreementPeriod.objects.create(
                agreement=agreement,
                previous=period,
                start_date=start,
                end_date=end,
                status=PeriodStatus.DRAFT,
                drafted_on=today,
                annual_amount=period.annual_amount,
                site_fee=None if agreement.is_block else fee_rate_on(start),
            )
    except IntegrityError:
        return None
    if not agreement.is_block:
        staying = (
            period.coverage.filter(Q(left_on__isnull=True) | Q(left_on__gt=period.end_date))
            .filter(Q(site__closed_on__isnull=True) | Q(site__closed_on__gt=period.end_date))
            .values_list("site_id", flat=True)
        )
        SiteCoverage.objects.bulk_create(
            SiteCoverage(period=renewal, site_id=site_id, joined_on=start) for site_id in staying
        )
    invoice_draft(
        organisation=agreement.organisation,
        period=renewal,
        purpose=InvoicePurpose.TERM,
        lines=period_lines(renewal),
    )
    if AgreementPeriod.objects.filter(pk=period.pk, status=PeriodStatus.ACTIVE).update(
        status=PeriodStatus.RENEWAL_DUE, renewal_due_on=today
    ):
        _audit(period.pk)
    return renewal


@transaction.atomic
def renewal_confirm(
    *, renewal: AgreementPeriod, person: Person | None, today: datetime.date | None = None
) -> AgreementPeriod:
    """The partner confirms the renewal in the portal; staff then accept it."""
    today = today or timezone.localdate()
    if renewal.previous_id is None or renewal.status not in PENDING_STATUSES:
        raise ValidationError({"renewal": "There is no renewal waiting for confirmation."})
    if AgreementPeriod.objects.filter(pk=renewal.pk, confirmed_on__isnull=True).update(
        confirmed_on=today, confirmed_by=person
    ):
        _audit(renewal.pk)
    renewal.refresh_from_db()
    return renewal


@transaction.atomic
def renewal_approve(*, renewal: AgreementPeriod, today: datetime.date | None = None) -> str:
    """Staff approval of a drafted renewal: its invoice is issued and the period
    sent; if the partner has confirmed (or paid) it becomes active. Returns
    what happened ("activated", "sent" or "unchanged")."""
    today = today or timezone.localdate()
    renewal = AgreementPeriod.objects.select_for_update().get(pk=renewal.pk)
    if renewal.previous_id is None or renewal.status not in PENDING_STATUSES:
        return "unchanged"
    if renewal.status == PeriodStatus.DRAFT:
        AgreementPeriod.objects.filter(pk=renewal.pk).update(
            status=PeriodStatus.SENT, sent_on=today
        )
        _audit(renewal.pk)
    for invoice in renewal.invoices.filter(status=InvoiceStatus.DRAFT, kind=InvoiceKind.INVOICE):
        invoice_issue(invoice=invoice, today=today)
    paid = renewal.invoices.filter(
        kind=InvoiceKind.INVOICE, purpose=InvoicePurpose.TERM, status=InvoiceStatus.PAID
    ).exists()
    if renewal.confirmed_on or paid:
        renewal_activate(renewal=renewal, today=today)
        return "activated"
    return "sent"


@transaction.atomic
def renewal_activate(*, renewal: AgreementPeriod, today: datetime.date) -> AgreementPeriod:
    """The renewal is in force: the period it follows becomes renewed. Claimed by
    a conditional update, so a second call does nothing."""
    if not AgreementPeriod.objects.filter(pk=renewal.pk, status__in=PENDING_STATUSES).update(
        status=PeriodStatus.ACTIVE, activated_on=today, sent_on=renewal.sent_on or today
    ):
        renewal.refresh_from_db()
        return renewal
    _audit(renewal.pk)
    if AgreementPeriod.objects.filter(
        pk=renewal.previous_id, status__in=[*IN_FORCE_STATUSES, PeriodStatus.LAPSED]
    ).update(status=PeriodStatus.RENEWED, renewed_on=today):
        _audit(renewal.previous_id)
    for invoice in renewal.invoices.filter(status=InvoiceStatus.DRAFT, kind=InvoiceKind.INVOICE):
        invoice_issue(invoice=invoice, today=today)
    renewal.refresh_from_db()
    return renewal


def renewals_bulk_approve(
    *, renewal_ids: Iterable[int], today: datetime.date | None = None
) -> dict:
    """Approve many renewals; each in its own transaction. Counts by outcome."""
    counts: dict[str, int] = defaultdict(int)
    for renewal in AgreementPeriod.objects.filter(pk__in=list(renewal_ids)):
        counts[renewal_approve(renewal=renewal, today=today)] += 1
    return dict(counts)


# --- Sites joining and leaving -------------------------------------------------------------


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
    _check_site_overlap([site], joins_on, period.end_date, exclude_period=None)
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


def current_site_licence(organisation: Organisation, on: datetime.date) -> AgreementPeriod | None:
    """The organisation's site-licence period in force (or pending) on ``on``."""
    return (
        AgreementPeriod.objects.filter(
            agreement__organisation=organisation,
            agreement__kind=AgreementKind.SITE_LICENCE,
            start_date__lte=on,
            end_date__gte=on,
            status__in=[*IN_FORCE_STATUSES, *PENDING_STATUSES],
        )
        .select_related("agreement")
        .order_by("-start_date")
        .first()
    )


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
    period = current_site_licence(organisation, joins_on)
    if period is None:
        errors["joins_on"] = [
            "Your organisation has no site licence in force on that date; contact the central team."
        ]
    if errors:
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


# --- People --------------------------------------------------------------------------------


@transaction.atomic
def affiliation_set_primary(
    *, affiliation: Affiliation, today: datetime.date | None = None
) -> Affiliation:
    """Make ``affiliation`` the person's primary one; the old primary becomes
    former (ended yesterday, or on its start day if it began today)."""
    today = today or timezone.localdate()
    if affiliation.end_date and affiliation.end_date < today:
        raise ValidationError({"affiliation": "A former affiliation cannot become primary."})
    old = (
        Affiliation.objects.select_for_update()
        .filter(person_id=affiliation.person_id, is_primary=True, end_date__isnull=True)
        .exclude(pk=affiliation.pk)
    )
    for previous in old:
        previous.end_date = max(previous.start_date, today - datetime.timedelta(days=1))
        previous.save(update_fields=["end_date"])
    Affiliation.objects.filter(pk=affiliation.pk).update(is_primary=True)
    affiliation.refresh_from_db()
    return affiliation


CONTACT_ROLE_CHOICES = (
    AffiliationRole.MAIN_CONTACT,
    AffiliationRole.BILLING_CONTACT,
    AffiliationRole.SIGNATORY,
)


def _contact_input(*, role: str, email: str) -> str:
    """The e-mail, normalised, once the role and e-mail are valid."""
    if role not in CONTACT_ROLE_CHOICES:
        raise ValidationError({"role": "Choose main contact, billing contact or signatory."})
    email = (email or "").strip().lower()
    if not email:
        raise ValidationError({"email": "Enter the contact's e-mail address."})
    return email


def _contact_assign(
    *, organisation: Organisation, role: str, person: Person, today: datetime.date
) -> Affiliation:
    """Tie ``person`` to the organisation in a contact role; whoever held it
    before becomes former from yesterday."""
    current = Affiliation.objects.current(today).filter(organisation=organisation, role=role)
    existing = current.filter(person=person).first()
    if existing:
        return existing
    for old in current.select_for_update():
        old.end_date = max(old.start_date, today - datetime.timedelta(days=1))
        old.save(update_fields=["end_date"])
    return Affiliation.objects.create(
        person=person, organisation=organisation, role=role, start_date=today
    )


@transaction.atomic
def contact_set(
    *,
    organisation: Organisation,
    role: str,
    first_name: str,
    last_name: str,
    email: str,
    phone: str = "",
    today: datetime.date | None = None,
) -> Affiliation:
    """Staff make someone the organisation's contact in ``role`` (main,
    billing, signatory); whoever held it before becomes former from yesterday.

    The person who has that e-mail is reused: staff see the whole directory.
    The portal never calls this; it goes through ``contact_request``.
    """
    today = today or timezone.localdate()
    email = _contact_input(role=role, email=email)
    person = Person.objects.filter(email=email).first()
    if person is None:
        person = Person(first_name=first_name, last_name=last_name, email=email, phone=phone)
        person.full_clean()
        person.save()
    return _contact_assign(organisation=organisation, role=role, person=person, today=today)


def _tied_now(organisation: Organisation, email: str, today: datetime.date) -> Person | None:
    """The person with this e-mail if they are tied to the organisation now
    (the partner already sees them by name), else None."""
    return (
        Person.objects.filter(
            email=email,
            anonymised_at__isnull=True,
            affiliations__in=Affiliation.objects.current(today).filter(organisation=organisation),
        )
        .distinct()
        .first()
    )


@transaction.atomic
def contact_request(
    *,
    organisation: Organisation,
    role: str,
    first_name: str,
    last_name: str,
    email: str,
    phone: str = "",
    requested_by: Person | None = None,
    today: datetime.date | None = None,
) -> Affiliation | PendingContact:
    """A partner or commissioner names a contact in the portal.

    Someone already tied to the organisation now becomes the contact at once.
    Anyone else, whether or not the e-mail is in the directory, becomes a
    pending contact for staff to confirm: the portal learns nothing about a
    person it cannot already see, and its answer is the same for a known and
    an unknown e-mail. A later request for the same role replaces a pending
    one.
    """
    today = today or timezone.localdate()
    email = _contact_input(role=role, email=email)
    own = _tied_now(organisation, email, today)
    if own is not None:
        return _contact_assign(organisation=organisation, role=role, person=own, today=today)
    pending = PendingContact(
        organisation=organisation,
        role=role,
        first_name=(first_name or "").strip(),
        last_name=(last_name or "").strip(),
        email=email,
        phone=(phone or "").strip(),
        requested_by=requested_by,
    )
    pending.full_clean(exclude=["organisation", "requested_by"])
    for earlier in PendingContact.objects.select_for_update().filter(
        organisation=organisation, role=role, status=PendingContactStatus.PENDING
    ):
        earlier.status = PendingContactStatus.SUPERSEDED
        earlier.decided_at = timezone.now()
        earlier.save(update_fields=["status", "decided_at"])
    pending.save()
    return pending


def _claim_pending(pending: PendingContact, status: str, decided_by: User | None) -> None:
    """Mark a pending contact decided, under a row lock so that a second
    decision (two staff at once) waits, then finds it decided and is refused.
    Saved (not updated) so the audit trail records who decided."""
    locked = PendingContact.objects.select_for_update().get(pk=pending.pk)
    if locked.status != PendingContactStatus.PENDING:
        raise ValidationError({"status": "This contact has already been decided."})
    locked.status = status
    locked.decided_by = decided_by
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "decided_by", "decided_at"])
    pending.refresh_from_db()


def _record_affiliation(pending: PendingContact, affiliation: Affiliation) -> None:
    pending.affiliation = affiliation
    pending.save(update_fields=["affiliation"])


@transaction.atomic
def pending_contact_link(
    *,
    pending: PendingContact,
    decided_by: User | None,
    today: datetime.date | None = None,
) -> Affiliation:
    """Staff confirm that the pending contact is the person in the directory
    who has that e-mail: that person becomes the contact."""
    today = today or timezone.localdate()
    person = Person.objects.filter(email=pending.email, anonymised_at__isnull=True).first()
    if person is None:
        raise ValidationError(
            {"person": "Nobody in the directory has this e-mail; add a new person instead."}
        )
    _claim_pending(pending, PendingContactStatus.LINKED, decided_by)
    affiliation = _contact_assign(
        organisation=pending.organisation, role=pending.role, person=person, today=today
    )
    _record_affiliation(pending, affiliation)
    return affiliation


@transaction.atomic
def pending_contact_create(
    *,
    pending: PendingContact,
    decided_by: User | None,
    today: datetime.date | None = None,
) -> Affiliation:
    """Staff add the pending contact as a new person with what the partner
    typed. One person per e-mail: if someone has it, link or reject instead."""
    today = today or timezone.localdate()
    if Person.objects.filter(email=pending.email).exists():
        raise ValidationError(
            {
                "email": "Someone in the directory already has this e-mail: link the "
                "contact to them, or reject it and ask the partner for another address."
            }
        )
    _claim_pending(pending, PendingContactStatus.CREATED, decided_by)
    person = Person(
        first_name=pending.first_name,
        last_name=pending.last_name,
        email=pending.email,
        phone=pending.phone,
    )
    person.full_clean()
    person.save()
    affiliation = _contact_assign(
        organisation=pending.organisation, role=pending.role, person=person, today=today
    )
    _record_affiliation(pending, affiliation)
    return affiliation


@transaction.atomic
def pending_contact_reject(*, pending: PendingContact, decided_by: User | None) -> PendingContact:
    """Staff refuse the pending contact; nobody is tied to the organisation."""
    _claim_pending(pending, PendingContactStatus.REJECTED, decided_by)
    return pending


def _pending_contacts_of(person_id: int):
    email = Person.objects.filter(pk=person_id).values_list("email", flat=True).first()
    query = Q(affiliation__person_id=person_id)
    if email:
        query |= Q(email__iexact=email)
    return PendingContact.objects.filter(query)


def pending_contacts_export(person_id: int) -> list[dict]:
    """Contacts partners named with this person's e-mail (subject access)."""
    return [
        {
            "organisation": p.organisation.name,
            "role": p.get_role_display(),
            "typed_name": f"{p.first_name} {p.last_name}".strip(),
            "requested_at": p.requested_at.isoformat(),
            "status": p.get_status_display(),
        }
        for p in _pending_contacts_of(person_id).select_related("organisation")
    ]


def pending_contacts_erase(person_id: int) -> None:
    """Blank what partners typed about this person, in the rows and their history."""
    blank = {"first_name": "Erased", "last_name": "", "email": "", "phone": ""}
    rows = list(_pending_contacts_of(person_id).values_list("pk", flat=True))
    PendingContact.objects.filter(pk__in=rows).update(**blank)
    PendingContact.history.filter(id__in=rows).update(**blank)


# --- Invoices ------------------------------------------------------------------------------


def _save_lines(invoice: Invoice, lines: list[dict]) -> Invoice:
    InvoiceLine.objects.bulk_create(InvoiceLine(invoice=invoice, **line) for line in lines)
    invoice.net_total = sum((line["net_amount"] for line in lines), Decimal(0))
    invoice.vat_total = sum((line["vat_amount"] for line in lines), Decimal(0))
    invoice.total = invoice.net_total + invoice.vat_total
    invoice.save(update_fields=["net_total", "vat_total", "total"])
    return invoice


@transaction.atomic
def invoice_draft(
    *,
    organisation: Organisation,
    lines: list[dict],
    period: AgreementPeriod | None = None,
    purpose: str = InvoicePurpose.OTHER,
) -> Invoice:
    """A draft invoice (no number yet) with its lines."""
    invoice = Invoice.objects.create(organisation=organisation, period=period, purpose=purpose)
    return _save_lines(invoice, lines)


def invoice_line(*, product_code: str, description: str, amount, quantity=1) -> dict:
    """A line from user input: a known product, a positive amount."""
    product = Product.objects.filter(code=product_code).first()
    if product is None:
        raise ValidationError({"product": f"{product_code} is not a known product."})
    if not (description or "").strip():
        raise ValidationError({"description": "Describe what the line is for."})
    return _line(product, description, parse_amount(amount, field="unit_amount"), Decimal(quantity))


@transaction.atomic
def invoice_set_lines(*, invoice: Invoice, lines: list[dict]) -> Invoice:
    """Replace a draft invoice's lines. An issued invoice is never edited."""
    locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if locked.status != InvoiceStatus.DRAFT:
        raise ValidationError(
            {
                "invoice": f"Invoice {locked.number} has been issued and cannot be edited; "
                "raise a credit note to correct it."
            }
        )
    locked.lines.all().delete()
    _save_lines(locked, lines)
    invoice.refresh_from_db()
    return invoice


def _next_number(series: str) -> str:
    counter = InvoiceCounter.objects.select_for_update().get(series=series)
    number = counter.next_number
    InvoiceCounter.objects.filter(pk=counter.pk).update(next_number=number + 1)
    return f"{series}-{number:06d}"


@transaction.atomic
def invoice_issue(*, invoice: Invoice, today: datetime.date | None = None) -> Invoice:
    """Number and issue a draft. The number comes from a locked counter row in
    this transaction, so numbers have no gaps and no duplicates."""
    today = today or timezone.localdate()
    locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if locked.status != InvoiceStatus.DRAFT:
        raise ValidationError({"status": f"Invoice {locked} has already been issued."})
    series = "CN" if locked.kind == InvoiceKind.CREDIT_NOTE else "INV"
    locked.number = _next_number(series)
    locked.issue_date = today
    locked.due_date = today + datetime.timedelta(days=settings.PARTNERS_INVOICE_DUE_DAYS)
    # A credit note settles at once; a zero invoice owes nothing.
    if locked.kind == InvoiceKind.CREDIT_NOTE or locked.total == 0:
        locked.status = (
            InvoiceStatus.PAID if locked.kind == InvoiceKind.INVOICE else InvoiceStatus.ISSUED
        )
    else:
        locked.status = InvoiceStatus.ISSUED
    locked.save(update_fields=["number", "issue_date", "due_date", "status"])
    invoice.refresh_from_db()
    return invoice


@transaction.atomic
def credit_note_create(
    *, invoice: Invoice, amount=None, reason: str, today: datetime.date | None = None
) -> Invoice:
    """Issue a credit note against an issued invoice (the whole of it, or
    ``amount``); the invoice's balance falls by the amount credited."""
    today = today or timezone.localdate()
    locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if locked.kind != InvoiceKind.INVOICE or locked.status in (
        InvoiceStatus.DRAFT,
        InvoiceStatus.VOID,
    ):
        raise ValidationError({"invoice": "Only an issued invoice can be credited."})
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the invoice is credited."})
    open_amount = locked.balance
    amount = open_amount if amount is None else parse_amount(amount, field="amount")
    if amount <= 0 or amount > open_amount:
        raise ValidationError(
            {
                "amount": f"The credit cannot be more than the £{open_amount} "
                f"still owed on {locked.number}."
            }
        )
    first = locked.lines.select_related("product").first()
    product = first.product if first else _products()[Product.SITE_LICENCE]
    gross_rate = 1 + product.vat_rate / 100
    net = (amount / gross_rate).quantize(PENNY, rounding=ROUND_HALF_UP)
    line = _line(product, f"Credit against {locked.number}: {reason.strip()}", net)
    line["vat_amount"] = amount - net
    note = Invoice.objects.create(
        kind=InvoiceKind.CREDIT_NOTE,
        purpose=InvoicePurpose.CORRECTION,
        organisation=locked.organisation,
        period=locked.period,
        credits=locked,
    )
    _save_lines(note, [line])
    invoice_issue(invoice=note, today=today)
    # The invoice now owes less; credited in full and unpaid, it is void.
    locked.amount_credited += amount
    if locked.amount_credited == locked.total:
        locked.status = InvoiceStatus.VOID
    else:
        locked.status = _paid_status(locked)
    locked.save(update_fields=["amount_credited", "status"])
    return note


def _paid_status(invoice: Invoice) -> str:
    if invoice.balance <= 0:
        return InvoiceStatus.PAID
    if invoice.amount_paid > 0:
        return InvoiceStatus.PART_PAID
    return InvoiceStatus.ISSUED


@transaction.atomic
def invoice_void(*, invoice: Invoice, reason: str, today: datetime.date | None = None) -> Invoice:
    """Cancel an invoice: a draft is simply void; an issued one is credited in full."""
    locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if locked.status == InvoiceStatus.DRAFT:
        locked.status = InvoiceStatus.VOID
        locked.save(update_fields=["status"])
    elif locked.status in (InvoiceStatus.ISSUED,) and locked.kind == InvoiceKind.INVOICE:
        credit_note_create(invoice=locked, reason=reason, today=today)
    else:
        raise ValidationError({"status": "Only a draft or an unpaid issued invoice can be voided."})
    invoice.refresh_from_db()
    return invoice


@transaction.atomic
def payment_record(
    *, invoice: Invoice, amount, received_on: datetime.date, reference: str = ""
) -> Payment:
    """Record money received. Refuses an amount above the balance. A renewal
    paid in full becomes active."""
    amount = parse_amount(amount, field="amount")
    locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if locked.kind != InvoiceKind.INVOICE or locked.status not in (
        InvoiceStatus.ISSUED,
        InvoiceStatus.PART_PAID,
    ):
        raise ValidationError({"invoice": f"{locked} is not an issued invoice awaiting payment."})
    if amount > locked.balance:
        raise ValidationError(
            {
                "amount": f"£{amount} is more than the £{locked.balance} still owed on "
                f"{locked.number}; record at most the balance."
            }
        )
    payment = Payment.objects.create(
        invoice=locked, amount=amount, received_on=received_on, reference=reference
    )
    locked.amount_paid += amount
    locked.status = _paid_status(locked)
    locked.save(update_fields=["amount_paid", "status"])
    invoice.refresh_from_db()
    if (
        locked.status == InvoiceStatus.PAID
        and locked.purpose == InvoicePurpose.TERM
        and locked.period_id
        and locked.period.previous_id
    ):
        renewal_activate(renewal=locked.period, today=received_on)
    return payment


def invoice_pdf(*, invoice: Invoice) -> bytes:
    """The invoice or credit note as a PDF (WeasyPrint from an HTML template)."""
    return render_pdf(
        "partners/invoice_pdf.html",
        {
            "invoice": invoice,
            "lines": invoice.lines.all(),
            "organisation": invoice.organisation,
            "payments": invoice.payments.all(),
        },
    )


XERO_COLUMNS = [
    "*ContactName",
    "EmailAddress",
    "POAddressLine1",
    "POAddressLine2",
    "POAddressLine3",
    "POAddressLine4",
    "POCity",
    "PORegion",
    "POPostalCode",
    "POCountry",
    "*InvoiceNumber",
    "Reference",
    "*InvoiceDate",
    "*DueDate",
    "InventoryItemCode",
    "*Description",
    "*Quantity",
    "*UnitAmount",
    "Discount",
    "*AccountCode",
    "*TaxType",
    "TrackingName1",
    "TrackingOption1",
    "TrackingName2",
    "TrackingOption2",
    "Currency",
    "BrandingTheme",
]


def xero_sales_csv(*, start: datetime.date, end: datetime.date) -> str:
    """Invoices and credit notes issued in [start, end] in the layout of Xero's
    sales-invoice import template (one row per line; credit notes have
    negative quantities so they import as reductions)."""
    invoices = (
        Invoice.objects.filter(issue_date__gte=start, issue_date__lte=end, number__isnull=False)
        .select_related("organisation", "period__agreement")
        .prefetch_related("lines__product")
        .order_by("issue_date", "number")
    )
    out = io.StringIO()
    writer = csv_export.Writer(out)
    writer.writerow(XERO_COLUMNS)
    for invoice in invoices:
        sign = -1 if invoice.kind == InvoiceKind.CREDIT_NOTE else 1
        reference = invoice.period.agreement.reference if invoice.period_id else ""
        for line in invoice.lines.all():
            row = dict.fromkeys(XERO_COLUMNS, "")
            row.update(
                {
                    "*ContactName": invoice.organisation.name,
                    "POCountry": "United Kingdom",
                    "*InvoiceNumber": invoice.number,
                    "Reference": reference,
                    "*InvoiceDate": f"{invoice.issue_date:%d/%m/%Y}",
                    "*DueDate": f"{invoice.due_date:%d/%m/%Y}",
                    "InventoryItemCode": line.product.code,
                    "*Description": line.description,
                    # Numbers, not text: the writer keeps them numeric (negative too).
                    "*Quantity": sign * line.quantity.normalize(),
                    "*UnitAmount": line.unit_amount.quantize(Decimal("0.01")),
                    "*AccountCode": line.product.account_code,
                    "*TaxType": line.product.xero_tax_type,
                    "Currency": "GBP",
                }
            )
            writer.writerow([row[c] for c in XERO_COLUMNS])
    return out.getvalue()


# --- The renewals job ----------------------------------------------------------------------


def _contacts_by_org(org_ids: Iterable[int], on: datetime.date) -> dict[int, list[Person]]:
    result: dict[int, list[Person]] = defaultdict(list)
    rows = (
        Affiliation.objects.current(on)
        .contacts()
        .filter(organisation_id__in=set(org_ids), person__anonymised_at__isnull=True)
        .exclude(person__email="")
        .select_related("person")
    )
    for row in rows:
        if row.person not in result[row.organisation_id]:
            result[row.organisation_id].append(row.person)
    return result


def _reminder_kind_due(days_left: int) -> str | None:
    """The most recent reminder threshold reached: only that one is sent, so a
    run after missed days does not send the stale earlier ones."""
    due = [d for d in REMINDER_DAYS if days_left <= d]
    return str(min(due)) if due and days_left >= 0 else None


def _claim_reminder(
    period: AgreementPeriod, kind: str, today: datetime.date, contacts: list[Person]
) -> Reminder | None:
    """The Reminder row, or None when one of this kind exists (a second run or
    a second worker). Made in a savepoint, so a clash spoils nothing around it."""
    try:
        with transaction.atomic():
            return Reminder.objects.create(
                period=period,
                kind=kind,
                for_date=today,
                recipients=", ".join(p.email for p in contacts),
            )
    except IntegrityError:
        return None


def _deliver_reminder(
    reminder: Reminder,
    today: datetime.date,
    contacts: list[Person],
    renewal: AgreementPeriod | None = None,
) -> None:
    """E-mail a claimed reminder, after its row is committed (the row is the
    e-mail's claim; ``smartnet.mail.deliver`` stamps ``sent_at``). A reminder
    before the end whose send fails gives back its claim, so the next run (or
    the task's retry) tries again; a lapse notice keeps it, since its term has
    lapsed and no run comes back to it: unconfirmed, it is listed for staff, as
    is any claim whose worker was killed between the commit and this point.
    Never sent twice."""
    if not contacts:
        return
    period = reminder.period
    lapse = reminder.kind == ReminderKind.LAPSED
    message = mail.render(
        f"partners/email/{'lapsed' if lapse else 'reminder'}",
        {
            "period": period,
            "agreement": period.agreement,
            "organisation": period.agreement.organisation,
            "days_left": (period.end_date - today).days,
            "renewal": renewal,
        },
        to=[p.email for p in contacts],
    )
    mail.deliver(message, reminder, give_back=not lapse)


def _send_reminder(
    period: AgreementPeriod,
    kind: str,
    today: datetime.date,
    contacts: list[Person],
    renewal: AgreementPeriod | None = None,
) -> bool:
    """Claim, commit, then send: at most one e-mail per (period, kind)."""
    reminder = _claim_reminder(period, kind, today, contacts)
    if reminder is None:
        return False
    _deliver_reminder(reminder, today, contacts, renewal)
    return True


@transaction.atomic
def _lapse(
    period: AgreementPeriod, today: datetime.date, summary: dict, contacts
) -> Reminder | None:
    """Lapse the period; returns the lapse reminder claimed in the same
    transaction (delivered by the caller once committed), or None when another
    worker lapsed it first."""
    if not AgreementPeriod.objects.filter(pk=period.pk, status__in=IN_FORCE_STATUSES).update(
        status=PeriodStatus.LAPSED, lapsed_on=today
    ):
        return None  # another worker got there first
    _audit(period.pk)
    summary["lapsed"].append(period.agreement.reference)
    for renewal in AgreementPeriod.objects.filter(previous=period, status__in=PENDING_STATUSES):
        AgreementPeriod.objects.filter(pk=renewal.pk).update(
            status=PeriodStatus.LAPSED, lapsed_on=today
        )
        _audit(renewal.pk)
        renewal.invoices.filter(status=InvoiceStatus.DRAFT).update(status=InvoiceStatus.VOID)
        for number in renewal.invoices.filter(status__in=[InvoiceStatus.ISSUED]).values_list(
            "number", flat=True
        ):
            summary["needs_human"].append(
                f"{number}: renewal invoice of lapsed {period.agreement.reference} is unpaid; "
                "credit it or chase it"
            )
    sites = list(period.coverage.filter(left_on__isnull=True).values_list("site_id", flat=True))
    SiteFlag.objects.bulk_create(
        SiteFlag(site_id=s, reason=f"Licence {period.agreement.reference} lapsed", raised_on=today)
        for s in sites
    )
    return _claim_reminder(period, ReminderKind.LAPSED, today, contacts)


def run_renewals(*, today: datetime.date | None = None, batch: int | None = None) -> dict:
    """The daily renewals job. Idempotent and safe to run twice or in two
    workers at once: each reminder is a unique (period, kind) row, each renewal
    a unique ``previous``, each lapse a conditional status update. Scanning is
    a fixed number of queries; the rest grows with the periods acted on.

    It acts on at most ``batch`` periods (``PARTNERS_RENEWALS_BATCH``), soonest
    end first, and says how many it left in ``summary["left"]``: a catch-up
    after the job has not run for weeks is worked in runs of bounded length
    (the task queues the next run itself); an ordinary day fits in one."""
    today = today or timezone.localdate()
    batch = batch or settings.PARTNERS_RENEWALS_BATCH
    grace = datetime.timedelta(days=settings.PARTNERS_GRACE_DAYS)
    draft_days = settings.PARTNERS_RENEWAL_DRAFT_DAYS
    summary: dict[str, list] = {
        "reminders": [],
        "renewals_drafted": [],
        "lapsed": [],
        "needs_human": [],
    }
    window = {
        "status__in": IN_FORCE_STATUSES,
        "end_date__lte": today + datetime.timedelta(days=max(REMINDER_DAYS)),
    }
    candidates = list(
        AgreementPeriod.objects.filter(**window)
        .select_related("agreement__organisation")
        .order_by("end_date", "pk")
    )
    # Reminders sent and renewals drafted for the whole window, in two queries
    # (joins on the same conditions, not long lists of ids).
    sent = set(
        Reminder.objects.filter(**{f"period__{k}": v for k, v in window.items()}).values_list(
            "period_id", "kind"
        )
    )
    renewals = {
        r.previous_id: r
        for r in AgreementPeriod.objects.filter(**{f"previous__{k}": v for k, v in window.items()})
    }
    todo = []
    for period in candidates:
        days_left = (period.end_date - today).days
        renewal = renewals.get(period.pk)
        actions = []
        if period.end_date + grace < today:
            if renewal is None or renewal.activated_on is None:
                actions.append("lapse")
        else:
            # Draft first, so that the reminder of the same run can point at it.
            if days_left <= draft_days and renewal is None:
                actions.append("draft")
            kind = _reminder_kind_due(days_left)
            confirmed = renewal is not None and renewal.confirmed_on is not None
            if kind and (period.pk, kind) not in sent and not confirmed:
                actions.append(("remind", kind))
        if actions:
            todo.append((period, renewal, actions))
    left = max(0, len(todo) - batch)
    todo = todo[:batch]
    contacts = _contacts_by_org({p.agreement.organisation_id for p, _, _ in todo}, today)
    for period, renewal, actions in todo:
        org_contacts = contacts.get(period.agreement.organisation_id, [])
        for action in actions:
            if action == "lapse":
                reminder = _lapse(period, today, summary, org_contacts)
                if reminder is not None:  # committed with the lapse; now e-mail it
                    _deliver_reminder(reminder, today, org_contacts)
            elif action == "draft":
                drafted = renewal_draft(period=period, today=today)
                if drafted is not None:
                    summary["renewals_drafted"].append(period.agreement.reference)
                    renewal = drafted
            else:
                if _send_reminder(period, action[1], today, org_contacts, renewal):
                    summary["reminders"].append(f"{period.agreement.reference} ({action[1]} days)")
                    if not org_contacts:
                        summary["needs_human"].append(
                            f"{period.agreement.reference}: {period.agreement.organisation} has "
                            "no contact with an e-mail address; reminder not e-mailed"
                        )
    summary["awaiting_approval"] = AgreementPeriod.objects.filter(
        previous__isnull=False, status__in=PENDING_STATUSES
    ).count()
    summary["left"] = left
    _record_run(today, summary)
    return summary


ACTED = ("reminders", "renewals_drafted", "lapsed", "needs_human")


def _record_run(today: datetime.date, summary: dict) -> None:
    """One JobRun per day, its summary the sum of the day's runs; staff get the
    summary e-mail when a run that did something leaves nothing for later."""
    with transaction.atomic():
        run, created = JobRun.objects.select_for_update().get_or_create(
            job="partners.run_renewals", key=today.isoformat(), defaults={"summary": summary}
        )
        did_something = any(summary[k] for k in ACTED)
        if not created:
            if not did_something and not run.summary.get("left"):
                return
            merged = {k: run.summary.get(k, []) + summary[k] for k in ACTED}
            summary = {**summary, **merged}
            JobRun.objects.filter(pk=run.pk).update(summary=summary)
        if summary["left"]:
            return  # finished_at and the e-mail wait for the last batch
        JobRun.objects.filter(pk=run.pk).update(finished_at=timezone.now())
    staff = list(
        User.objects.filter(is_active=True, role__in=[Role.STAFF_ADMIN, Role.FINANCE]).values_list(
            "email", flat=True
        )
    )
    message = mail.render(
        "partners/email/staff_summary", {"summary": summary, "today": today}, to=staff
    )
    mail.send_once(message, kind="partners.renewals_summary", key=today.isoformat())


# --- Areas ---------------------------------------------------------------------------------

_NATION_BY_PREFIX = {"E": "england", "S": "scotland", "W": "wales", "N": "northern_ireland"}
_AREA_CODE = re.compile(r"^[ENSW]\d{8}$")


def _area_column(headers: list[str], wanted: str, pattern: str) -> str | None:
    for header in headers:
        if header == wanted or re.fullmatch(pattern, header, flags=re.IGNORECASE):
            return header
    return None


@transaction.atomic
def areas_load(*, text: str) -> dict[str, int]:
    """Create or update areas from CSV text (ons_code, name, nation, region,
    population; ONS headers LADyyCD/LADyyNM accepted). All rows or none: a bad
    row raises a ValidationError naming the line and the field."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    headers = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = headers
    code_col = _area_column(headers, "ons_code", r"LAD\d\dCD")
    name_col = _area_column(headers, "name", r"LAD\d\dNM")
    missing = [
        label
        for label, col in (
            ("ons_code", code_col),
            ("name", name_col),
            ("population", "population" if "population" in headers else None),
        )
        if col is None
    ]
    if missing:
        raise ValidationError({"file": f"The CSV has no column {', '.join(missing)}."})
    nations = {n.value for n in Nation}
    rows: dict[str, dict] = {}
    for line, row in enumerate(reader, start=2):
        code = (row.get(code_col) or "").strip().upper()
        where = f"line {line}"
        if not _AREA_CODE.match(code):
            raise ValidationError(
                {"ons_code": f"{where}: {code or 'blank'} is not an ONS code such as E08000003."}
            )
        name = (row.get(name_col) or "").strip()
        if not name:
            raise ValidationError({"name": f"{where}: the area has no name."})
        nation = (row.get("nation") or "").strip().lower().replace(" ", "_")
        nation = nation or _NATION_BY_PREFIX[code[0]]
        if nation not in nations:
            raise ValidationError({"nation": f"{where}: {nation} is not a UK nation."})
        raw = (row.get("population") or "").strip().replace(",", "")
        if not (raw.isascii() and raw.isdigit()):  # "²".isdigit() is true too
            raise ValidationError(
                {"population": f"{where}: population {raw or 'blank'} is not a whole number."}
            )
        region = (row.get("region") or "").strip() or nation.replace("_", " ").title()
        rows[code] = {"name": name, "nation": nation, "region": region, "population": int(raw)}
    existing = {a.ons_code: a for a in Area.objects.filter(ons_code__in=rows)}
    to_update = []
    for code, values in rows.items():
        area = existing.get(code)
        if area and any(getattr(area, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(area, key, value)
            to_update.append(area)
    Area.objects.bulk_create(
        Area(ons_code=code, **values) for code, values in rows.items() if code not in existing
    )
    Area.objects.bulk_update(to_update, ["name", "nation", "region", "population"])
    return {
        "created": len(rows) - len(existing),
        "updated": len(to_update),
        "unchanged": len(existing) - len(to_update),
    }


# --- Personal data -------------------------------------------------------------------------


def reminders_export(person_id: int) -> list[dict]:
    """The renewal e-mails sent to this person (for a subject access request)."""
    email = Person.objects.filter(pk=person_id).values_list("email", flat=True).first()
    if not email:
        return []
    rows = Reminder.objects.filter(recipients__icontains=email).select_related("period__agreement")
    return [
        {
            "agreement": r.period.agreement.reference,
            "kind": r.get_kind_display(),
            "sent_on": r.for_date.isoformat(),
        }
        for r in rows
        if email in [e.strip().lower() for e in r.recipients.split(",")]
    ]


def reminders_erase(person_id: int) -> dict[str, int]:
    """Remove the person's address from the reminders' recipient lists."""
    email = Person.objects.filter(pk=person_id).values_list("email", flat=True).first()
    if not email:
        return {}
    changed = 0
    for reminder in Reminder.objects.filter(recipients__icontains=email):
        kept = [e.strip() for e in reminder.recipients.split(",") if e.strip().lower() != email]
        Reminder.objects.filter(pk=reminder.pk).update(recipients=", ".join(kept))
        changed += 1
    return {"reminder recipients": changed}
