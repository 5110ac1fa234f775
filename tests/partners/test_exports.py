"""Exports (partners.exports): the finance CSV in Xero's sales-invoice layout."""

import csv
import datetime
import io

import pytest

from partners import exports, services
from tests.partners.factories import (
    issued_invoice,
)

pytestmark = pytest.mark.django_db
D = datetime.date


def test_xero_csv_layout():
    invoice = issued_invoice()
    services.credit_note_create(
        invoice=invoice, amount="500", reason="Goodwill", today=D(2025, 3, 5)
    )
    rows = list(
        csv.DictReader(io.StringIO(exports.xero_sales_csv(start=D(2025, 3, 1), end=D(2025, 3, 31))))
    )
    assert [r["*InvoiceNumber"] for r in rows] == ["INV-000001", "INV-000001", "CN-000001"]
    first = rows[0]
    assert first["*ContactName"] == invoice.organisation.name
    assert first["*InvoiceDate"] == "01/03/2025" and first["*DueDate"] == "31/03/2025"
    assert (first["*Quantity"], first["*UnitAmount"], first["*AccountCode"], first["*TaxType"]) == (
        "1",
        "500.00",
        "200",
        "NONE",
    )
    assert rows[2]["*Quantity"] == "-1"
