"""Exports of the Partnership Scheme: data handed out of the app, written by
nothing here. The finance export in the layout of Xero's sales-invoice import,
and the partners' parts of a person's subject access export (registered with
``partners.personal_data`` in ``PartnersConfig.ready``).
"""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

from partners import selectors
from partners.models import Invitation, Invoice, InvoiceKind, Person, Reminder
from smartnet import csv_export

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
        reference = invoice.period.agreement.reference if invoice.period is not None else ""
        for line in invoice.lines.all():
            row: dict[str, object] = dict.fromkeys(XERO_COLUMNS, "")
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
        for p in selectors.pending_contacts_of(person_id=person_id).select_related("organisation")
    ]


def invitations_export(person_id: int) -> list[dict]:
    """The person's invitations to sign in (subject access)."""
    return [
        {
            "account": i.user.email,
            "organisation": i.organisation.name if i.organisation else "",
            "invited_at": i.created_at.isoformat(),
            "sent_at": i.sent_at.isoformat() if i.sent_at else None,
            "reminded_at": i.reminded_at.isoformat() if i.reminded_at else None,
            "accepted_at": i.accepted_at.isoformat() if i.accepted_at else None,
        }
        for i in Invitation.objects.filter(person_id=person_id).select_related(
            "user", "organisation"
        )
    ]
