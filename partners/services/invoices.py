"""Invoices and credit notes: drafts, gapless numbering on issue, credit
notes, voiding and the PDF. An issued invoice is never edited."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from partners.models import (
    Affiliation,
    AffiliationRole,
    AgreementPeriod,
    Invoice,
    InvoiceCounter,
    InvoiceKind,
    InvoiceLine,
    InvoicePurpose,
    InvoiceStatus,
    Organisation,
    Person,
    Product,
)
from partners.services.fees import PENNY, invoice_line_values, parse_amount, products_by_code
from partners.services.invitations import portal_link_for
from smartnet import mail
from smartnet.pdf import render_pdf
from smartnet.queue import enqueue
from smartnet.templatetags.numbers import format_money


def requires_po(organisation: Organisation) -> bool:
    """Whether the organisation's invoices need its purchase-order number."""
    return organisation.requires_po_number


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
def invoice_set_po_number(*, invoice: Invoice, po_number: str) -> Invoice:
    """Record the partner's purchase-order number on a draft invoice."""
    po_number = (po_number or "").strip()
    if not po_number:
        raise ValidationError({"po_number": "Enter the purchase-order number."})
    if len(po_number) > 60:
        raise ValidationError({"po_number": "The purchase-order number is at most 60 characters."})
    locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if locked.status != InvoiceStatus.DRAFT:
        raise ValidationError(
            {"po_number": f"Invoice {locked.number} has been issued; its PO number is fixed."}
        )
    locked.po_number = po_number
    locked.save(update_fields=["po_number"])  # saved: the audit trail records it
    invoice.refresh_from_db()
    return invoice


def needs_po(invoice: Invoice) -> bool:
    """A draft invoice that cannot be issued yet: its organisation needs a
    purchase-order number and none is recorded."""
    return (
        invoice.kind == InvoiceKind.INVOICE
        and invoice.status == InvoiceStatus.DRAFT
        and not invoice.po_number
        and requires_po(invoice.organisation)
    )


@transaction.atomic
def invoice_issue(
    *, invoice: Invoice, today: datetime.date | None = None, po_waived_reason: str = ""
) -> Invoice:
    """Number and issue a draft. The number comes from a locked counter row in
    this transaction, so numbers have no gaps and no duplicates. An
    organisation that needs purchase-order numbers gets none issued without
    one, unless staff give ``po_waived_reason`` (kept on the invoice, audited).
    Once committed, the invoice is e-mailed (``invoice_send``, once)."""
    today = today or timezone.localdate()
    locked = Invoice.objects.select_for_update().select_related("organisation").get(pk=invoice.pk)
    if locked.status != InvoiceStatus.DRAFT:
        raise ValidationError({"status": f"Invoice {locked} has already been issued."})
    if needs_po(locked):
        if not (po_waived_reason or "").strip():
            raise ValidationError(
                {
                    "po_number": f"{locked.organisation} needs a purchase-order number on its "
                    "invoices: enter it, or give the reason for issuing without one."
                }
            )
        locked.po_waived_reason = po_waived_reason.strip()[:300]
    series = "CN" if locked.kind == InvoiceKind.CREDIT_NOTE else "INV"
    locked.number = _next_number(series)
    locked.issue_date = today
    locked.due_date = today + datetime.timedelta(days=settings.PARTNERS_INVOICE_DUE_DAYS)
    locked.billing_address = locked.organisation.billing_address
    # A credit note settles at once; a zero invoice owes nothing.
    if locked.kind == InvoiceKind.CREDIT_NOTE or locked.total == 0:
        locked.status = (
            InvoiceStatus.PAID if locked.kind == InvoiceKind.INVOICE else InvoiceStatus.ISSUED
        )
    else:
        locked.status = InvoiceStatus.ISSUED
    locked.save(
        update_fields=[
            "number",
            "issue_date",
            "due_date",
            "status",
            "billing_address",
            "po_waived_reason",
        ]
    )
    enqueue("partners.tasks.invoice_send", locked.pk)
    invoice.refresh_from_db()
    return invoice


@transaction.atomic
def credit_note_create(
    *, invoice: Invoice, amount=None, reason: str, today: datetime.date | None = None
) -> Invoice:
    """Issue a credit note against an issued invoice (the whole of what is not
    yet credited, or ``amount``). The invoice's balance falls by the amount;
    crediting money already paid leaves an overpayment, which is refunded
    (``refund_record``) against this credit note."""
    today = today or timezone.localdate()
    locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if locked.kind != InvoiceKind.INVOICE or locked.status in (
        InvoiceStatus.DRAFT,
        InvoiceStatus.VOID,
    ):
        raise ValidationError({"invoice": "Only an issued invoice can be credited."})
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the invoice is credited."})
    creditable = locked.total - locked.amount_credited
    amount = creditable if amount in (None, "") else parse_amount(amount, field="amount")
    if amount <= 0 or amount > creditable:
        raise ValidationError(
            {
                "amount": f"The credit cannot be more than the {format_money(creditable)} "
                f"not yet credited on {locked.number}."
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
        void_reason=reason.strip()[:300],
    )
    _save_lines(note, [line])
    invoice_issue(invoice=note, today=today)
    # The invoice now owes less; credited in full and unpaid, it is void.
    locked.amount_credited += amount
    if locked.amount_credited == locked.total and locked.amount_paid == 0:
        locked.status = InvoiceStatus.VOID
    else:
        locked.status = paid_status(locked)
    locked.save(update_fields=["amount_credited", "status"])
    note.refresh_from_db()
    return note


def paid_status(invoice: Invoice) -> str:
    if invoice.balance <= 0:
        return InvoiceStatus.PAID
    if invoice.amount_paid > 0:
        return InvoiceStatus.PART_PAID
    return InvoiceStatus.ISSUED


@transaction.atomic
def invoice_void(*, invoice: Invoice, reason: str, today: datetime.date | None = None) -> Invoice:
    """Cancel an unpaid invoice: a draft is simply void; an issued one with no
    payment is credited in full (its credit note e-mailed like an invoice)."""
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the invoice is voided."})
    locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if locked.kind == InvoiceKind.INVOICE and locked.status == InvoiceStatus.DRAFT:
        locked.status = InvoiceStatus.VOID
        locked.void_reason = reason.strip()[:300]
        locked.save(update_fields=["status", "void_reason"])
    elif (
        locked.kind == InvoiceKind.INVOICE
        and locked.status == InvoiceStatus.ISSUED
        and locked.amount_paid == 0
    ):
        credit_note_create(
            invoice=locked, amount=locked.total - locked.amount_credited, reason=reason, today=today
        )
        Invoice.objects.filter(pk=locked.pk).update(void_reason=reason.strip()[:300])
    else:
        raise ValidationError(
            {
                "status": "Only an unpaid invoice can be voided; raise a credit note "
                "against one that has payments."
            }
        )
    invoice.refresh_from_db()
    return invoice


def charity_details() -> dict:
    """The charity's name, numbers and bank, as printed on every document."""
    return {
        "name": settings.CHARITY_NAME,
        "address": settings.CHARITY_ADDRESS,
        "number": settings.CHARITY_NUMBER,
        "vat_number": settings.CHARITY_VAT_NUMBER,
        "bank_name": settings.BANK_NAME,
        "account_name": settings.BANK_ACCOUNT_NAME,
        "sort_code": settings.BANK_SORT_CODE,
        "account_number": settings.BANK_ACCOUNT_NUMBER,
        "iban": settings.BANK_IBAN,
        "bic": settings.BANK_BIC,
    }


def billing_recipients(organisation: Organisation, on: datetime.date | None = None) -> list[str]:
    """Who gets the organisation's invoices: its current billing contacts with
    an e-mail address, else its main contacts."""
    on = on or timezone.localdate()
    rows = (
        Affiliation.objects.current(on)
        .filter(
            organisation=organisation,
            role__in=[AffiliationRole.BILLING_CONTACT, AffiliationRole.MAIN_CONTACT],
            person__anonymised_at__isnull=True,
        )
        .exclude(person__email="")
        .select_related("person")
        .order_by("pk")
    )
    by_role: dict[str, list[Person]] = {}
    for row in rows:
        by_role.setdefault(row.role, []).append(row.person)
    people = by_role.get(AffiliationRole.BILLING_CONTACT) or by_role.get(
        AffiliationRole.MAIN_CONTACT, []
    )
    return list(dict.fromkeys(p.email for p in people))


def portal_link(organisation: Organisation, email: str) -> str:
    """The link an e-mail gives into the portal: the recipient's way in (sign
    in, or ask for their invitation: ``invitations.portal_link_for``), else
    the portal's invoices page."""
    person = Person.objects.filter(email=email.lower()).select_related("user").first()
    if person is not None:
        return portal_link_for(person)
    return f"{settings.SITE_URL}{reverse('portal:invoices')}"


def invoice_send(*, invoice: Invoice) -> bool:
    """E-mail an issued invoice or credit note, with its PDF, to the billing
    contact (else the main contact): once per document (a claim on its
    number), given back when the mail server refuses so the retry sends it.
    Returns True when this call sent it."""
    invoice = Invoice.objects.select_related("organisation", "credits").get(pk=invoice.pk)
    if invoice.number is None:
        return False
    to = billing_recipients(invoice.organisation)
    if not to:
        return False
    credit = invoice.kind == InvoiceKind.CREDIT_NOTE
    message = mail.render(
        "partners/email/credit_note" if credit else "partners/email/invoice",
        {
            "invoice": invoice,
            "organisation": invoice.organisation,
            "charity": charity_details(),
            "portal_url": portal_link(invoice.organisation, to[0]),
        },
        to=to,
        attachments=[mail.Attachment(f"{invoice.number}.pdf", invoice_pdf(invoice=invoice))],
    )
    return mail.send_once(message, kind="partners.invoice", key=invoice.number)


def invoice_pdf(*, invoice: Invoice) -> bytes:
    """The invoice or credit note as a PDF (WeasyPrint from an HTML template)."""
    return render_pdf(
        "partners/invoice_pdf.html",
        {
            "invoice": invoice,
            "lines": invoice.lines.all(),
            "organisation": invoice.organisation,
            "payments": invoice.payments.filter(reversed_on__isnull=True),
            "credit_notes": invoice.credit_notes.exclude(number__isnull=True).order_by("number"),
            "charity": charity_details(),
            "vat_registered": bool(settings.CHARITY_VAT_NUMBER),
        },
    )
