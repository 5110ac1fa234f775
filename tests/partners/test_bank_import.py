"""The bank statement import (issue 17): matches, near misses, duplicates,
a malformed file; and the Xero export split and contacts."""

import datetime
import io
import zipfile

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from partners import exports, services
from partners.models import AffiliationRole, BankLine, BankStatement, Payment
from partners.services import statements
from smartnet.roles import Role
from tests.factories import AffiliationFactory, PersonFactory, UserFactory
from tests.partners.factories import new_licence, term_invoice

pytestmark = pytest.mark.django_db
D = datetime.date


def issued(n=1):
    result = []
    for _ in range(n):
        invoice = term_invoice(new_licence())
        services.invoice_issue(invoice=invoice, today=D(2025, 3, 1))
        result.append(invoice)
    return result


def barclays(*lines):
    rows = ["Number,Date,Account,Amount,Subcategory,Memo"]
    rows += [f",{d},20-00-00 1234,{a},DIRECTDEP,{m}" for d, a, m in lines]
    return "\n".join(rows) + "\n"


def test_the_common_layouts_are_recognised():
    assert statements.guess_columns(
        ["Number", "Date", "Account", "Amount", "Subcategory", "Memo"]
    ) == {"date": 1, "amount": 3, "reference": 5}
    lloyds = [
        "Transaction Date",
        "Transaction Type",
        "Sort Code",
        "Account Number",
        "Transaction Description",
        "Debit Amount",
        "Credit Amount",
        "Balance",
    ]
    assert statements.guess_columns(lloyds) == {"date": 0, "amount": 6, "reference": 4}
    header, rows = statements.read_csv("01/04/2025,BACS INV-000001,500.00\n")  # HSBC: no header
    assert statements.guess_columns(header) == {"date": 0, "reference": 1, "amount": 2}


@time_machine.travel(D(2025, 4, 10), tick=False)
def test_matches_near_misses_and_unmatched_then_nothing_posted_twice():
    a, b, c = issued(3)
    content = barclays(
        ("02/04/2025", a.total, f"COUNCIL {a.number} REMIT"),
        ("03/04/2025", "12.34", f"{b.number.replace('-', '')}"),  # near miss: amount
        ("03/04/2025", c.total, "NO REFERENCE GIVEN"),  # unmatched
        ("04/04/2025", "-50.00", "CARD PAYMENT"),  # money out
    )
    statement = statements.statement_upload(raw=content.encode(), filename="apr.csv", user=None)
    columns = statements.guess_columns(statements.read_csv(content)[0])
    lines = statements.match_lines(statements.statement_lines(statement.content, columns))
    assert [line.status for line in lines] == ["matched", "near_miss", "unmatched", "not_credit"]
    assert lines[0].invoice == a and lines[1].invoice == b
    assert not Payment.objects.exists()  # nothing posted by the preview
    result = statements.statement_confirm(statement=statement, columns=columns, manual={3: c})
    assert sorted(result["posted"]) == sorted([a.number, c.number])
    a.refresh_from_db()
    assert a.status == "paid" and a.payments.get().received_on == D(2025, 4, 2)
    # The same file again: every line is already imported, nothing posted.
    again = statements.statement_upload(raw=content.encode(), filename="apr.csv", user=None)
    lines = statements.match_lines(statements.statement_lines(again.content, columns))
    assert [line.status for line in lines][:1] == ["duplicate"]
    statements.statement_confirm(statement=again, columns=columns, manual={3: c})
    assert Payment.objects.count() == 2 and BankLine.objects.count() == 2


@time_machine.travel(D(2025, 4, 10), tick=False)
def test_a_malformed_file_says_what_is_wrong_and_posts_nothing(client):
    (a,) = issued(1)
    client.force_login(UserFactory(role=Role.FINANCE))
    bad_bytes = SimpleUploadedFile("x.csv", b"\x00\xff\xfe\x00binary", content_type="text/csv")
    page = client.post("/staff/partners/bank/", {"file": bad_bytes}).content.decode()
    assert "could not be read" in page or "not a readable CSV" in page or "no lines" in page
    content = barclays(("02/04/2025", a.total, a.number), ("31/31/2025", "1.00", "x"))
    upload = SimpleUploadedFile("s.csv", content.encode(), content_type="text/csv")
    response = client.post("/staff/partners/bank/", {"file": upload})
    preview = response["Location"]
    page = client.get(preview).content.decode()
    assert "Line 2: &#x27;31/31/2025&#x27; in column Date is not a date." in page
    assert "Nothing has been posted." in page
    response = client.post(preview, {"date": 1, "amount": 3, "reference": 5, "confirm": "1"})
    assert response.status_code == 400 and not Payment.objects.exists()
    with pytest.raises(ValidationError) as exc:
        statements.statement_upload(raw=b"", filename="e.csv", user=None)
    assert "file" in exc.value.message_dict


@time_machine.travel(D(2025, 4, 10), tick=False)
def test_the_screen_previews_then_confirms_with_a_match_by_hand(client):
    a, b = issued(2)
    client.force_login(UserFactory(role=Role.FINANCE))
    content = barclays(("02/04/2025", a.total, a.number), ("02/04/2025", b.total, "unknown"))
    upload = SimpleUploadedFile("s.csv", content.encode(), content_type="text/csv")
    preview = client.post("/staff/partners/bank/", {"file": upload})["Location"]
    page = client.get(preview).content.decode()
    assert f"Matched to {a.number}" in page and "No invoice number" in page
    assert not Payment.objects.exists()
    response = client.post(
        preview, {"date": 1, "amount": 3, "reference": 5, "confirm": "1", "line-2": b.number}
    )
    assert response.status_code == 302
    assert Payment.objects.count() == 2
    page = client.get(preview).content.decode()  # confirmed: the posted lines only
    assert "2 lines posted" in page and b.number in page
    assert not BankStatement.objects.get().content  # the rest of the file is not kept


def test_the_sales_export_is_split_in_files_of_at_most_500_invoices():
    invoices = issued(5)
    files = exports.xero_sales_files(start=D(2025, 1, 1), end=D(2025, 12, 31), per_file=2)
    assert [name.rsplit("-", 3)[-3:] for name, _ in files][0][0].startswith("part1")
    numbers = []
    for _name, text in files:
        rows = text.strip().splitlines()[1:]
        in_file = {row.split(",")[10] for row in rows}
        assert len(in_file) <= 2
        numbers += sorted(in_file)
    assert sorted(numbers) == sorted(i.number for i in invoices)
    assert exports.XERO_MAX_INVOICES == 500


def test_the_export_page_gives_a_zip_when_there_are_more_than_500(client, monkeypatch):
    issued(3)
    client.force_login(UserFactory(role=Role.FINANCE))
    assert "at most 500 invoices" in client.get("/staff/partners/invoices/export/").content.decode()
    monkeypatch.setattr(exports, "XERO_MAX_INVOICES", 2)
    response = client.get("/staff/partners/invoices/export/?start=2025-01-01&end=2025-12-31")
    assert response["Content-Type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert len(names) == 2 and names[0].endswith("part1-of-2.csv")


def test_the_contacts_export_has_name_email_and_postal_address(client):
    (invoice,) = issued(1)
    org = invoice.organisation
    org.billing_address = "Finance Office\n2 Council Way\nLeeds\nLS1 4AB"
    org.save()
    AffiliationFactory(
        person=PersonFactory(email="billing@partner.example"),
        organisation=org,
        role=AffiliationRole.BILLING_CONTACT,
    )
    client.force_login(UserFactory(role=Role.FINANCE))
    text = client.get("/staff/partners/invoices/export/contacts/").content.decode()
    header, row = text.strip().splitlines()[:2]
    assert header.startswith("*ContactName,EmailAddress")
    assert row.startswith(f"{org.name},billing@partner.example,,Finance Office,2 Council Way")
    assert "Leeds" in row and "LS1 4AB" in row
