"""The agreement lifecycle: create (with its first term and draft invoice),
send, activate, terminate; references ``SL-``/``BA-``."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from partners.models import (
    IN_FORCE_STATUSES,
    PENDING_STATUSES,
    Agreement,
    AgreementKind,
    AgreementPeriod,
    InvoiceKind,
    InvoicePurpose,
    InvoiceStatus,
    Organisation,
    OrganisationKind,
    PeriodStatus,
    Site,
    SiteCoverage,
)
from partners.services.fees import fee_rate_on, one_year_from, parse_amount, period_lines
from partners.services.invoices import invoice_draft, invoice_issue
from partners.services.renewals import period_audit, renewal_activate
from partners.services.sites import check_site_overlap


def _new_reference() -> str:
    return f"TMP-{uuid.uuid4().hex[:20]}"


def _set_reference(agreement: Agreement) -> None:
    prefix = "BA" if agreement.kind == AgreementKind.BLOCK else "SL"
    agreement.reference = f"{prefix}-{agreement.pk:06d}"
    agreement.save(update_fields=["reference"])


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
        check_site_overlap(sites, start_date, end_date)
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
    period_audit(period.pk)
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
    period_audit(period.pk)
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
    if on > period.end_date:
        raise ValidationError(
            {
                "terminated_on": f"The term ends on {period.end_date:%-d %B %Y} anyway: "
                "a termination must be on or before that date."
            }
        )
    statuses = [*IN_FORCE_STATUSES, *PENDING_STATUSES]
    if not AgreementPeriod.objects.filter(pk=period.pk, status__in=statuses).update(
        status=PeriodStatus.TERMINATED, terminated_on=on, termination_reason=reason.strip()
    ):
        raise ValidationError({"status": "This agreement has already ended."})
    period_audit(period.pk)
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
