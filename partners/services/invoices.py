"""Invoices and credit notes: drafts, gapless numbering on issue, credit
notes, voiding and the PDF. An issued invoice is never edited."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from partners.models import (
    AgreementPeriod,
    Invoice,
    InvoiceCounter,
    InvoiceKind,
    InvoiceLine,
    InvoicePurpose,
    InvoiceStatus,
    Organisation,
    Product,
)
from partners.services.fees import PENNY, invoice_line_values, parse_amount, products_by_code
from smartnet.pdf import render_pdf
from smartnet.templatetags.numbers import format_money


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
    return invoice_line_values(
        product, description, parse_amount(amount, field="unit_amount"), Decimal(quantity)
    )


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
                "amount": f"The credit cannot be more than the {format_money(open_amount)} "
                f"still owed on {locked.number}."
            }
        )
    first = locked.lines.select_related("product").first()
    product = first.product if first else products_by_code()[Product.SITE_LICENCE]
    gross_rate = 1 + product.vat_rate / 100
    net = (amount / gross_rate).quantize(PENNY, rounding=ROUND_HALF_UP)
    line = invoice_line_values(product, f"Credit against {locked.number}: {reason.strip()}", net)
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
        locked.status = paid_status(locked)
    locked.save(update_fields=["amount_credited", "status"])
    return note


def paid_status(invoice: Invoice) -> str:
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
