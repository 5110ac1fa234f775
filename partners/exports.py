"""Exports of the Partnership Scheme: data handed out of the app, written by
nothing here. The finance export in the layout of Xero's sales-invoice import,
and the partners' parts of a person's subject access export (registered with
``partners.personal_data`` in ``PartnersConfig.ready``).
"""

from __future__ import annotations

import datetime
import io
import zipfile
from decimal import Decimal

from django.utils import timezone

from partners import selectors
from partners.models import (
    AffiliationRole,
    Invitation,
    Invoice,
    InvoiceKind,
    InvoiceReminder,
    Organisation,
    Person,
    Reminder,
)
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


# Xero's sales-invoice import takes at most this many invoices per file.
XERO_MAX_INVOICES = 500


def _sales_invoices(start: datetime.date, end: datetime.date):
    return (
        Invoice.objects.filter(issue_date__gte=start, issue_date__lte=end, number__isnull=False)
        .select_related("organisation", "period__agreement")
        .prefetch_related("lines__product")
        .order_by("issue_date", "number")
    )


def _sales_rows(invoices) -> str:
    out = io.StringIO()
    writer = csv_export.Writer(out)
    writer.writerow(XERO_COLUMNS)
    for invoice in invoices:
        sign = -1 if invoice.kind == InvoiceKind.CREDIT_NOTE else 1
        reference = invoice.po_number or (
            invoice.period.agreement.reference if invoice.period is not None else ""
        )
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


def xero_sales_csv(*, start: datetime.date, end: datetime.date) -> str:
    """Invoices and credit notes issued in [start, end] in the layout of Xero's
    sales-invoice import template (one row per line; credit notes have
    negative quantities so they import as reductions). The PO number, when
    given, is the reference (else the agreement's)."""
    return _sales_rows(_sales_invoices(start, end))


def xero_sales_files(
    *, start: datetime.date, end: datetime.date, per_file: int | None = None
) -> list[tuple[str, str]]:
    """The export as (file name, CSV) parts of at most ``per_file`` invoices
    each (Xero's import limit), an invoice's lines never split across files."""
    per_file = per_file or XERO_MAX_INVOICES
    invoices = list(_sales_invoices(start, end))
    chunks = [invoices[i : i + per_file] for i in range(0, len(invoices), per_file)] or [[]]
    if len(chunks) == 1:
        return [(f"xero-sales-{start}-{end}.csv", _sales_rows(chunks[0]))]
    return [
        (f"xero-sales-{start}-{end}-part{n}-of-{len(chunks)}.csv", _sales_rows(chunk))
        for n, chunk in enumerate(chunks, start=1)
    ]


def zip_files(files: list[tuple[str, str]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files:
            archive.writestr(name, text)
    return buffer.getvalue()


XERO_CONTACT_COLUMNS = [
    "*ContactName",
    "EmailAddress",
    "POAttentionTo",
    "POAddressLine1",
    "POAddressLine2",
    "POAddressLine3",
    "POAddressLine4",
    "POCity",
    "PORegion",
    "POPostalCode",
    "POCountry",
    "TaxNumber",
]


def _address_parts(text: str) -> tuple[list[str], str, str]:
    """Address lines, town and postcode of a billing address written one part
    a line (the last two lines are the town and the postcode)."""
    parts = [p.strip() for p in text.replace(",", "\n").splitlines() if p.strip()]
    if len(parts) >= 3:
        return parts[:-2], parts[-2], parts[-1]
    if len(parts) == 2:
        return parts[:1], "", parts[1]
    return parts, "", ""


def xero_contacts_csv(*, organisation_ids=None) -> str:
    """Organisations with invoices, in the layout of Xero's contacts import:
    name, the billing contact's (else main contact's) e-mail, postal address."""
    organisations = Organisation.objects.filter(invoices__number__isnull=False).distinct()
    if organisation_ids is not None:
        organisations = organisations.filter(pk__in=organisation_ids)
    organisations = organisations.prefetch_related("affiliations__person").order_by("name")
    out = io.StringIO()
    writer = csv_export.Writer(out)
    writer.writerow(XERO_CONTACT_COLUMNS)
    today = timezone.localdate()
    for org in organisations:
        emails: dict[str, str] = {}
        for aff in org.affiliations.all():
            current = aff.start_date <= today and (aff.end_date is None or aff.end_date >= today)
            if current and aff.person.email and aff.person.anonymised_at is None:
                emails.setdefault(aff.role, aff.person.email)
        email = emails.get(AffiliationRole.BILLING_CONTACT) or emails.get(
            AffiliationRole.MAIN_CONTACT, ""
        )
        lines, town, postcode = _address_parts(org.billing_address)
        row: dict[str, object] = dict.fromkeys(XERO_CONTACT_COLUMNS, "")
        row.update(
            {
                "*ContactName": org.name,
                "EmailAddress": email,
                "POCity": town,
                "POPostalCode": postcode,
                "POCountry": "United Kingdom" if org.billing_address else "",
            }
        )
        for i, line in enumerate(lines[:4], start=1):
            row[f"POAddressLine{i}"] = line
        writer.writerow([row[c] for c in XERO_CONTACT_COLUMNS])
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
    ] + [
        {
            "invoice": r.invoice.number,
            "kind": "Overdue reminder",
            "sent_on": r.for_date.isoformat(),
        }
        for r in InvoiceReminder.objects.filter(recipients__icontains=email).select_related(
            "invoice"
        )
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
