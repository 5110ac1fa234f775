"""Invoices, credit notes and payments (partners.services.invoices, .payments)."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from pypdf import PdfReader

from partners import selectors, services
from partners.models import (
    InvoiceKind,
    InvoiceStatus,
    Payment,
    Product,
    VatTreatment,
)
from tests.partners.factories import (
    issued_invoice,
    new_licence,
    term_invoice,
)

pytestmark = pytest.mark.django_db
D = datetime.date


def test_numbers_given_at_issue_in_order_without_gaps(settings):
    settings.PARTNERS_INVOICE_DUE_DAYS = 30
    first = term_invoice(new_licence())
    second = term_invoice(new_licence())
    assert first.number is None
    services.invoice_issue(invoice=second, today=D(2025, 3, 1))
    services.invoice_issue(invoice=first, today=D(2025, 3, 2))
    assert (second.number, first.number) == ("INV-000001", "INV-000002")
    assert first.due_date == D(2025, 4, 1)
    with pytest.raises(ValidationError):
        services.invoice_issue(invoice=first, today=D(2025, 3, 2))


def test_payments_part_paid_then_paid_and_overpayment_refused():
    invoice = issued_invoice()
    services.payment_record(invoice=invoice, amount="400", received_on=D(2025, 3, 10))
    assert invoice.status == InvoiceStatus.PART_PAID and invoice.balance == Decimal("600.00")
    with pytest.raises(ValidationError) as exc:
        services.payment_record(invoice=invoice, amount="600.01", received_on=D(2025, 3, 11))
    assert "amount" in exc.value.message_dict
    assert "more than the £600.00 still owed" in exc.value.message_dict["amount"][0]
    assert Payment.objects.count() == 1
    services.payment_record(invoice=invoice, amount=Decimal("600"), received_on=D(2025, 3, 12))
    assert invoice.status == InvoiceStatus.PAID and invoice.balance == 0


@pytest.mark.parametrize("amount", ["-5", "0", "abc", "", "1.234", "NaN"])
def test_bad_payment_amounts_name_the_field(amount):
    invoice = issued_invoice()
    with pytest.raises(ValidationError) as exc:
        services.payment_record(invoice=invoice, amount=amount, received_on=D(2025, 3, 10))
    assert list(exc.value.message_dict) == ["amount"]
    assert Payment.objects.count() == 0
    invoice.refresh_from_db()
    assert invoice.amount_paid == 0


def test_issued_invoice_cannot_be_edited_credit_note_corrects_it():
    invoice = issued_invoice()
    line = services.invoice_line(product_code="site_licence", description="Extra", amount="10")
    with pytest.raises(ValidationError) as exc:
        services.invoice_set_lines(invoice=invoice, lines=[line])
    assert "cannot be edited" in exc.value.message_dict["invoice"][0]
    assert invoice.lines.count() == 2
    note = services.credit_note_create(
        invoice=invoice, amount="250", reason="Site closed", today=D(2025, 4, 1)
    )
    assert note.kind == InvoiceKind.CREDIT_NOTE and note.number == "CN-000001"
    invoice.refresh_from_db()
    assert invoice.balance == Decimal("750.00")
    with pytest.raises(ValidationError) as exc:
        services.payment_record(invoice=invoice, amount="800", received_on=D(2025, 4, 2))
    assert "amount" in exc.value.message_dict
    services.invoice_void(invoice=invoice, reason="Cancelled", today=D(2025, 4, 3))
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.VOID
    assert invoice.credit_notes.count() == 2
    # Licence income nets the credit notes off.
    assert selectors.licence_income(start=D(2025, 1, 1), end=D(2025, 12, 31)) == 0


def test_vat_treatment_per_product_is_data():
    Product.objects.filter(code="site_licence").update(
        vat_treatment=VatTreatment.STANDARD, vat_rate=Decimal("20"), xero_tax_type="OUTPUT2"
    )
    invoice = term_invoice(new_licence(sites=1))
    assert (invoice.net_total, invoice.vat_total, invoice.total) == (
        Decimal("500.00"),
        Decimal("100.00"),
        Decimal("600.00"),
    )
    assert invoice.lines.get().vat_treatment == VatTreatment.STANDARD


def test_overdue_invoices_and_licence_income():
    invoice = issued_invoice()
    assert list(selectors.overdue_invoices(on=D(2025, 3, 31))) == []
    assert list(selectors.overdue_invoices(on=D(2025, 4, 1))) == [invoice]
    assert selectors.licence_income(start=D(2025, 3, 1), end=D(2025, 3, 1)) == Decimal("1000.00")
    assert selectors.licence_income(start=D(2025, 3, 2), end=D(2025, 3, 31)) == 0


def test_invoice_pdf_has_number_and_total():
    invoice = issued_invoice()
    pdf = services.invoice_pdf(invoice=invoice)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "INV-000001" in text and "£1,000.00" in text and invoice.organisation.name in text
