"""Writes of the Partnership Scheme, one module per concern. Every change to an
agreement, a period, a site's coverage, an invoice or a payment goes through a
function here.

Each function validates first and raises ``ValidationError`` with a message
keyed by the field at fault, then makes all its changes inside one
``transaction.atomic()``: bad input saves nothing.

The modules, lowest first (each imports only those before it):
``fees`` (fee rates, block windows, coverage fees, invoice line arithmetic),
``invoices`` (draft, issue and numbering, PO numbers, credit notes, void, PDF, e-mail),
``chasing`` (the daily overdue reminders, reminders by hand, holds),
``renewals`` (renewal draft/confirm/approve/activate, the daily job and its
reminders), ``payments`` (payments, reversals, refunds), ``statements``
(statement of account, bank statement import), ``sites`` (sites, site requests, overlap),
``agreements`` (create, send, activate, terminate); ``people`` and ``areas``
stand alone, ``invitations`` (sign-in invitations, ``portal_link_for``) builds on
``people`` and is the lowest the others may use; ``directory`` (the staff
set-up of organisations, sites, people, affiliations, merging) builds on
``people``. A name without an underscore that is not listed below is shared
between these modules only. Callers use the names below:
``from partners import services``; ``services.invoice_issue(...)``.
"""

from partners.services.agreements import (
    agreement_activate,
    agreement_create,
    agreement_send,
    agreement_terminate,
)
from partners.services.areas import areas_load
from partners.services.chasing import (
    chasing_hold,
    chasing_release,
    reminder_deliver,
    reminder_send_now,
    run_chasing,
)
from partners.services.directory import (
    affiliation_add,
    affiliation_end,
    normalise_charity_number,
    normalise_company_number,
    organisation_save,
    person_create_with_tie,
    person_mark_reviewed,
    person_matches,
    person_merge,
    person_save,
    site_place,
    site_save,
)
from partners.services.fees import (
    block_windows,
    coverage_fee,
    coverage_lines,
    fee_rate_on,
    one_year_from,
    parse_amount,
    period_lines,
    quote_site_fee,
)
from partners.services.invitations import (
    contact_request_invite,
    invitation_accept,
    invitation_create,
    invitation_resend,
    invitation_send,
    invitations_erase,
    invite_all_contacts,
    pending_contact_decide,
    portal_link_for,
    run_invitation_reminders,
    staff_account_create,
)
from partners.services.invoices import (
    credit_note_create,
    invoice_draft,
    invoice_issue,
    invoice_line,
    invoice_pdf,
    invoice_send,
    invoice_set_lines,
    invoice_set_po_number,
    invoice_void,
    needs_po,
    requires_po,
)
from partners.services.payments import payment_record, payment_reverse, refund_record
from partners.services.people import (
    affiliation_set_primary,
    contact_request,
    contact_set,
    pending_contact_create,
    pending_contact_link,
    pending_contact_reject,
    pending_contacts_erase,
    person_account_ensure,
)
from partners.services.renewals import (
    reminders_erase,
    renewal_activate,
    renewal_approve,
    renewal_confirm,
    renewal_draft,
    renewals_bulk_approve,
    run_renewals,
)
from partners.services.sites import (
    site_add,
    site_create,
    site_leave,
    site_request_approve,
    site_request_create,
)

__all__ = [
    "affiliation_add",
    "affiliation_end",
    "affiliation_set_primary",
    "agreement_activate",
    "agreement_create",
    "agreement_send",
    "agreement_terminate",
    "areas_load",
    "block_windows",
    "chasing_hold",
    "chasing_release",
    "reminder_deliver",
    "contact_request",
    "contact_request_invite",
    "contact_set",
    "coverage_fee",
    "coverage_lines",
    "credit_note_create",
    "fee_rate_on",
    "invitation_accept",
    "invitation_create",
    "invitation_resend",
    "invitation_send",
    "invitations_erase",
    "invite_all_contacts",
    "invoice_draft",
    "invoice_issue",
    "invoice_line",
    "invoice_pdf",
    "invoice_send",
    "invoice_set_lines",
    "invoice_set_po_number",
    "invoice_void",
    "needs_po",
    "normalise_charity_number",
    "normalise_company_number",
    "one_year_from",
    "organisation_save",
    "parse_amount",
    "payment_record",
    "payment_reverse",
    "pending_contact_create",
    "pending_contact_decide",
    "pending_contact_link",
    "pending_contact_reject",
    "pending_contacts_erase",
    "period_lines",
    "person_account_ensure",
    "person_create_with_tie",
    "person_mark_reviewed",
    "person_matches",
    "person_merge",
    "person_save",
    "portal_link_for",
    "quote_site_fee",
    "refund_record",
    "reminder_send_now",
    "reminders_erase",
    "renewal_activate",
    "renewal_approve",
    "renewal_confirm",
    "renewal_draft",
    "renewals_bulk_approve",
    "requires_po",
    "run_chasing",
    "run_invitation_reminders",
    "run_renewals",
    "site_add",
    "site_create",
    "site_leave",
    "site_place",
    "site_request_approve",
    "site_request_create",
    "site_save",
    "staff_account_create",
]
