"""Money received against an invoice. Above renewals, because a renewal's
invoice paid in full puts the renewal in force."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from partners.models import (
    Invoice,
    InvoiceKind,
    InvoicePurpose,
    InvoiceStatus,
    Payment,
)
from partners.services.fees import parse_amount
from partners.services.invoices import paid_status
from partners.services.renewals import renewal_activate
from smartnet.templatetags.numbers import format_money


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
                "amount": f"{format_money(amount)} is more than the "
                f"{format_money(locked.balance)} still owed on {locked.number}; "
                "record at most the balance."
            }
        )
    payment = Payment.objects.create(
        invoice=locked, amount=amount, received_on=received_on, reference=reference
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
