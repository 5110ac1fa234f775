"""Money received against an invoice, reversals of payments that bounced, and
refunds of an overpayment. Above renewals, because a renewal's invoice paid
in full puts the renewal in force."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from partners.models import (
    Invoice,
    InvoiceKind,
    InvoicePurpose,
    InvoiceStatus,
    Payment,
    Refund,
)
from partners.services.fees import parse_amount
from partners.services.invoices import paid_status
from partners.services.renewals import renewal_activate
from smartnet.templatetags.numbers import format_money


def _check_date(value, *, field: str, not_before: datetime.date | None, what: str):
    if not isinstance(value, datetime.date):
        raise ValidationError({field: "Enter the date as YYYY-MM-DD."})
    today = timezone.localdate()
    if value > today:
        raise ValidationError({field: f"The {what} date cannot be in the future."})
    if not_before is not None and value < not_before:
        raise ValidationError({field: f"The {what} date cannot be before {not_before:%d %B %Y}."})
    return value


@transaction.atomic
def payment_record(
    *, invoice: Invoice, amount, received_on: datetime.date, reference: str = ""
) -> Payment:
    """Record money received. Refuses an amount above the balance, and a date
    in the future or before the invoice was issued. A renewal paid in full
    becomes active."""
    amount = parse_amount(amount, field="amount")
    locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if locked.kind != InvoiceKind.INVOICE or locked.status not in (
        InvoiceStatus.ISSUED,
        InvoiceStatus.PART_PAID,
    ):
        raise ValidationError({"invoice": f"{locked} is not an issued invoice awaiting payment."})
    _check_date(
        received_on, field="received_on", not_before=locked.issue_date, what="payment received"
    )
    if amount > locked.balance:
        raise ValidationError(
            {
                "amount": f"{format_money(amount)} is more than the "
                f"{format_money(locked.balance)} still owed on {locked.number}; "
                "record at most the balance."
            }
        )
    payment = Payment.objects.create(
        invoice=locked, amount=amount, received_on=received_on, reference=reference[:100]
    )
    locked.amount_paid += amount
    locked.status = paid_status(locked)
    locked.save(update_fields=["amount_paid", "status"])
    invoice.refresh_from_db()
    term = locked.period
    if (
        locked.status == InvoiceStatus.PAID
        and locked.purpose == InvoicePurpose.TERM
        and term is not None
        and term.previous_id
    ):
        renewal_activate(renewal=term, today=received_on)
    return payment


@transaction.atomic
def payment_reverse(
    *, payment: Payment, reason: str, today: datetime.date | None = None
) -> Payment:
    """Reverse a payment that bounced (or was posted to the wrong invoice): the
    payment row stays, marked reversed with the reason; the invoice owes it
    again. A payment is never edited."""
    today = today or timezone.localdate()
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the payment is reversed (for example, bounced)."})
    locked = Payment.objects.select_for_update().get(pk=payment.pk)
    if locked.reversed_on is not None:
        raise ValidationError({"payment": "This payment has already been reversed."})
    invoice = Invoice.objects.select_for_update().get(pk=locked.invoice_id)
    if invoice.overpaid and invoice.amount_refunded:
        raise ValidationError(
            {"payment": "Part of this money was refunded; reverse the refund with the bank first."}
        )
    locked.reversed_on = today
    locked.reversal_reason = reason.strip()[:300]
    locked.save(update_fields=["reversed_on", "reversal_reason"])
    invoice.amount_paid -= locked.amount
    if invoice.status != InvoiceStatus.VOID:
        invoice.status = paid_status(invoice)
    invoice.save(update_fields=["amount_paid", "status"])
    payment.refresh_from_db()
    return locked


@transaction.atomic
def refund_record(
    *, credit_note: Invoice, amount, paid_on: datetime.date, reference: str = ""
) -> Refund:
    """Record money paid back to the partner: the overpayment a credit note
    left on a paid invoice, at most what is still owed back."""
    amount = parse_amount(amount, field="amount")
    if credit_note.kind != InvoiceKind.CREDIT_NOTE or credit_note.credits_id is None:
        raise ValidationError({"credit_note": "A refund is recorded against a credit note."})
    invoice = Invoice.objects.select_for_update().get(pk=credit_note.credits_id)
    _check_date(paid_on, field="paid_on", not_before=credit_note.issue_date, what="refund")
    if amount > invoice.overpaid:
        raise ValidationError(
            {
                "amount": f"{format_money(amount)} is more than the "
                f"{format_money(invoice.overpaid)} owed back "
                f"on {invoice.number}."
            }
        )
    refund = Refund.objects.create(
        invoice=invoice,
        credit_note=credit_note,
        amount=amount,
        paid_on=paid_on,
        reference=reference[:100],
    )
    invoice.amount_refunded += amount
    invoice.save(update_fields=["amount_refunded"])
    return refund
