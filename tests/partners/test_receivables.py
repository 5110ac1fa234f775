"""Money in (issue 17): the invoice that says how to pay, e-mailed once;
purchase-order numbers; payments' dates and reversals; credit notes, voids
and refunds."""

import datetime
import io
import smtplib
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from pypdf import PdfReader

from partners import services
from partners.models import (
    AffiliationRole,
    Invoice,
    InvoiceKind,
    InvoiceStatus,
)
from smartnet.models import MailClaim
from tests.factories import AffiliationFactory, PersonFactory
from tests.partners.factories import new_licence, term_invoice

pytestmark = pytest.mark.django_db
D = datetime.date


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def billed_licence(*, billing=True, main=True, sites=2, po=False):
    agreement = new_licence(sites=sites)
    org = agreement.organisation
    org.billing_address = "Finance Office\n2 Council Way\nLeeds\nLS1 4AB"
    org.requires_po_number = po
    org.save()
    if main:
        AffiliationFactory(
            person=PersonFactory(email=f"main{org.pk}@partner.example"),
            organisation=org,
            role=AffiliationRole.MAIN_CONTACT,
        )
    if billing:
        AffiliationFactory(
            person=PersonFactory(email=f"billing{org.pk}@partner.example"),
            organisation=org,
            role=AffiliationRole.BILLING_CONTACT,
        )
    return agreement


def test_the_pdf_says_who_to_pay_how_and_what_to_quote(settings):
    settings.CHARITY_NAME = "SMART Recovery UK"
    settings.CHARITY_ADDRESS = "Box 1, Test Town, TT1 1TT"
    settings.CHARITY_NUMBER = "1234567"
    settings.CHARITY_VAT_NUMBER = "GB 123 4567 89"
    settings.BANK_NAME = "Test Bank"
    settings.BANK_ACCOUNT_NAME = "SMART Recovery UK"
    settings.BANK_SORT_CODE = "12-34-56"
    settings.BANK_ACCOUNT_NUMBER = "87654321"
    settings.BANK_IBAN = "GB00TEST12345687654321"
    settings.BANK_BIC = "TESTGB2L"
    invoice = term_invoice(billed_licence())
    services.invoice_set_po_number(invoice=invoice, po_number="PO-778899")
    services.invoice_issue(invoice=invoice, today=D(2025, 3, 1))
    pdf = services.invoice_pdf(invoice=invoice)
    text = pdf_text(pdf)
    for expected in (
        "SMART Recovery UK",
        "Box 1, Test Town, TT1 1TT",
        "Registered charity number 1234567",
        "VAT registration number GB 123 4567 89",
        "Bank Test Bank",
        "Sort code 12-34-56",
        "Account number 87654321",
        "IBAN GB00TEST12345687654321",
        "BIC TESTGB2L",
        "Reference to quote INV-000001",
        "PO-778899",
        "2 Council Way",
        "LS1 4AB",
        "Due date 31 March 2025",
    ):
        assert expected in text, expected
    header = next(line for line in text.splitlines() if line.startswith("Description"))
    assert header.count("VAT") == 1


def test_not_vat_registered_and_no_iban_print_neither(settings):
    settings.CHARITY_VAT_NUMBER = ""
    settings.BANK_IBAN = ""
    settings.BANK_BIC = ""
    invoice = term_invoice(billed_licence())
    services.invoice_issue(invoice=invoice, today=D(2025, 3, 1))
    text = pdf_text(services.invoice_pdf(invoice=invoice))
    assert "Not registered for VAT" in text
    assert "IBAN" not in text and "BIC" not in text
    assert settings.DEMO_CHARITY_DETAILS["BANK_SORT_CODE"] in text


def test_the_pdf_lists_the_credit_notes_that_apply():
    invoice = term_invoice(billed_licence())
    services.invoice_issue(invoice=invoice, today=D(2025, 3, 1))
    note = services.credit_note_create(invoice=invoice, amount="100.00", reason="Site closed")
    text = pdf_text(services.invoice_pdf(invoice=Invoice.objects.get(pk=invoice.pk)))
    assert f"Less credit note {note.number}" in text and "-£100.00" in text
    note_text = pdf_text(services.invoice_pdf(invoice=note))
    assert note.number.startswith("CN-") and "Credit note" in note_text
    assert invoice.number in note_text and "Site closed" in note_text


# --- Issuing e-mails the invoice, once ------------------------------------------------------


def partner_mail(server):
    return [m for m in server.messages if "partner.example" in ",".join(m.recipients)]


def test_issuing_emails_the_pdf_once_to_the_billing_contact(smtp_server, settings):
    invoice = term_invoice(billed_licence())
    services.invoice_issue(invoice=invoice, today=D(2025, 3, 1))
    assert services.invoice_send(invoice=invoice) is True
    assert services.invoice_send(invoice=invoice) is False  # run twice: one e-mail
    sent = partner_mail(smtp_server)
    assert len(sent) == 1
    message = sent[0].message
    org = invoice.organisation
    assert sent[0].recipients == [f"billing{org.pk}@partner.example"]
    assert invoice.number in message["Subject"]
    attachments = list(message.iter_attachments())
    assert [a.get_filename() for a in attachments] == [f"{invoice.number}.pdf"]
    assert "Reference to quote INV-000001" in pdf_text(attachments[0].get_content())
    body = message.get_body(preferencelist=("plain",)).get_content()
    # The recipient has no password yet: the link asks for their invitation.
    assert f"{settings.SITE_URL}/accounts/invitation/" in body and "Sort code" in body


def test_without_a_billing_contact_the_main_contact_gets_it(smtp_server):
    invoice = term_invoice(billed_licence(billing=False))
    services.invoice_issue(invoice=invoice, today=D(2025, 3, 1))
    services.invoice_send(invoice=invoice)
    assert partner_mail(smtp_server)[0].recipients == [
        f"main{invoice.organisation_id}@partner.example"
    ]


def test_a_refused_send_gives_back_the_claim_and_the_retry_sends_one(smtp_server):
    invoice = term_invoice(billed_licence())
    services.invoice_issue(invoice=invoice, today=D(2025, 3, 1))
    smtp_server.refuse(1)
    with pytest.raises(smtplib.SMTPException):
        services.invoice_send(invoice=invoice)
    assert not MailClaim.objects.filter(kind="partners.invoice").exists()
    assert services.invoice_send(invoice=invoice) is True
    assert services.invoice_send(invoice=invoice) is False
    assert len(partner_mail(smtp_server)) == 1
    assert MailClaim.objects.get(kind="partners.invoice").sent_at is not None


def test_issuing_queues_the_email_after_commit(smtp_server, django_capture_on_commit_callbacks):
    invoice = term_invoice(billed_licence())
    with django_capture_on_commit_callbacks(execute=True):
        services.invoice_issue(invoice=invoice, today=D(2025, 3, 1))
    with django_capture_on_commit_callbacks(execute=True):
        services.invoice_send(invoice=invoice)  # a second attempt: nothing more
    assert len(partner_mail(smtp_server)) == 1


def test_a_credit_note_is_emailed_like_an_invoice(smtp_server):
    invoice = term_invoice(billed_licence())
    services.invoice_issue(invoice=invoice, today=D(2025, 3, 1))
    note = services.credit_note_create(invoice=invoice, amount="50.00", reason="Goodwill")
    services.invoice_send(invoice=note)
    services.invoice_send(invoice=note)
    sent = partner_mail(smtp_server)
    assert len(sent) == 1 and note.number in sent[0].message["Subject"]
    assert [a.get_filename() for a in sent[0].message.iter_attachments()] == [f"{note.number}.pdf"]


# --- Purchase-order numbers ---------------------------------------------------------------


def test_no_invoice_without_its_po_number_unless_staff_say_why():
    invoice = term_invoice(billed_licence(po=True))
    with pytest.raises(ValidationError) as exc:
        services.invoice_issue(invoice=invoice, today=D(2025, 3, 1))
    assert "po_number" in exc.value.message_dict
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.DRAFT and invoice.number is None
    services.invoice_issue(
        invoice=invoice, today=D(2025, 3, 1), po_waived_reason="PO promised by phone"
    )
    assert invoice.status == InvoiceStatus.ISSUED
    assert invoice.history.first().po_waived_reason == "PO promised by phone"


def test_with_its_po_number_the_invoice_issues():
    invoice = term_invoice(billed_licence(po=True))
    services.invoice_set_po_number(invoice=invoice, po_number=" 4500012345 ")
    services.invoice_issue(invoice=invoice, today=D(2025, 3, 1))
    assert invoice.po_number == "4500012345" and invoice.number == "INV-000001"
    with pytest.raises(ValidationError) as exc:
        services.invoice_set_po_number(invoice=invoice, po_number="other")
    assert "po_number" in exc.value.message_dict


def test_renewal_confirmation_asks_for_the_po_number():
    agreement = billed_licence(po=True)
    period = agreement.periods.get()
    services.invoice_set_po_number(invoice=term_invoice(agreement), po_number="PO-1")
    services.agreement_activate(period=period, signed_on=D(2025, 4, 1), today=D(2025, 4, 1))
    renewal = services.renewal_draft(period=period, today=D(2026, 3, 1))
    with pytest.raises(ValidationError) as exc:
        services.renewal_confirm(renewal=renewal, person=None, today=D(2026, 3, 2))
    assert "po_number" in exc.value.message_dict
    assert services.renewal_approve(renewal=renewal, today=D(2026, 3, 2)) == "needs_po"
    services.renewal_confirm(renewal=renewal, person=None, today=D(2026, 3, 2), po_number="PO-9")
    assert services.renewal_approve(renewal=renewal, today=D(2026, 3, 3)) == "activated"
    invoice = renewal.invoices.get()
    assert invoice.po_number == "PO-9" and invoice.status == InvoiceStatus.ISSUED


# --- Payments: dates, reversals -------------------------------------------------------------


@time_machine.travel(D(2025, 3, 20), tick=False)
def test_a_payment_cannot_be_dated_in_the_future_or_before_issue():
    invoice = term_invoice(billed_licence())
    services.invoice_issue(invoice=invoice, today=D(2025, 3, 1))
    with pytest.raises(ValidationError) as exc:
        services.payment_record(invoice=invoice, amount="10", received_on=D(2026, 3, 21))
    assert "future" in exc.value.message_dict["received_on"][0]
    with pytest.raises(ValidationError) as exc:
        services.payment_record(invoice=invoice, amount="10", received_on=D(2025, 2, 28))
    assert "before 01 March 2025" in exc.value.message_dict["received_on"][0]
    assert not invoice.payments.exists()
    services.payment_record(invoice=invoice, amount="10", received_on=D(2025, 3, 20))


@time_machine.travel(D(2025, 3, 20), tick=False)
def test_a_bounced_payment_is_reversed_with_a_reason_never_edited():
    invoice = term_invoice(billed_licence())
    services.invoice_issue(invoice=invoice, today=D(2025, 3, 1))
    payment = services.payment_record(
        invoice=invoice, amount=invoice.total, received_on=D(2025, 3, 10)
    )
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID
    with pytest.raises(ValidationError) as exc:
        services.payment_reverse(payment=payment, reason=" ")
    assert "reason" in exc.value.message_dict
    services.payment_reverse(payment=payment, reason="Bounced: insufficient funds")
    invoice.refresh_from_db()
    payment.refresh_from_db()
    assert invoice.status == InvoiceStatus.ISSUED and invoice.amount_paid == 0
    assert payment.reversed_on == D(2025, 3, 20) and payment.amount == invoice.total
    with pytest.raises(ValidationError):
        services.payment_reverse(payment=payment, reason="again")


# --- Credit notes, voids, refunds -----------------------------------------------------------


def test_void_of_an_unpaid_invoice_credits_it_in_full():
    invoice = term_invoice(billed_licence())
    services.invoice_issue(invoice=invoice, today=D(2025, 3, 1))
    services.invoice_void(invoice=invoice, reason="Raised in error", today=D(2025, 3, 2))
    assert invoice.status == InvoiceStatus.VOID and invoice.void_reason == "Raised in error"
    note = invoice.credit_notes.get()
    assert note.kind == InvoiceKind.CREDIT_NOTE and note.total == invoice.total


@time_machine.travel(D(2025, 3, 20), tick=False)
def test_a_paid_invoice_is_not_voided_but_credited_and_the_overpayment_refunded():
    invoice = term_invoice(billed_licence())
    services.invoice_issue(invoice=invoice, today=D(2025, 3, 1))
    services.payment_record(invoice=invoice, amount=invoice.total, received_on=D(2025, 3, 5))
    with pytest.raises(ValidationError):
        services.invoice_void(invoice=invoice, reason="too late")
    note = services.credit_note_create(invoice=invoice, amount="200.00", reason="Site closed")
    invoice.refresh_from_db()
    assert invoice.overpaid == Decimal("200.00") and invoice.status == InvoiceStatus.PAID
    with pytest.raises(ValidationError) as exc:
        services.refund_record(credit_note=note, amount="200.01", paid_on=D(2025, 3, 20))
    assert "amount" in exc.value.message_dict
    services.refund_record(credit_note=note, amount="200.00", paid_on=D(2025, 3, 20))
    invoice.refresh_from_db()
    assert invoice.overpaid == 0 and invoice.balance == 0


def test_bulk_approval_emails_each_invoice_once(smtp_server, django_capture_on_commit_callbacks):
    renewals = []
    for _ in range(3):
        agreement = billed_licence()
        period = agreement.periods.get()
        with django_capture_on_commit_callbacks(execute=True):
            services.agreement_activate(period=period, signed_on=D(2025, 4, 1), today=D(2025, 4, 1))
        renewals.append(services.renewal_draft(period=period, today=D(2026, 3, 1)))
    smtp_server.messages.clear()
    with django_capture_on_commit_callbacks(execute=True):
        counts = services.renewals_bulk_approve(
            renewal_ids=[r.pk for r in renewals], today=D(2026, 3, 2)
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.renewals_bulk_approve(renewal_ids=[r.pk for r in renewals], today=D(2026, 3, 2))
    assert counts == {"sent": 3}
    sent = partner_mail(smtp_server)
    numbers = sorted(r.invoices.get().number for r in renewals)
    assert sorted(m.message["Subject"].split()[1] for m in sent) == numbers
