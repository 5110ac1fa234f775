"""A statement of account per organisation, and the bank statement import:
a bank's CSV export read, its lines matched to invoices by the number quoted
and the amount, the rest matched by hand, nothing posted until confirmed, and
no line posted twice (``BankLine.line_hash`` is unique)."""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from partners.models import (
    OPEN_INVOICE_STATUSES,
    BankLine,
    BankStatement,
    Invoice,
    InvoiceKind,
    Organisation,
    Payment,
    Refund,
)
from partners.services.invoices import charity_details
from partners.services.payments import payment_record
from smartnet.pdf import render_pdf

# --- Statement of account ------------------------------------------------------------------


@dataclass
class Entry:
    on: datetime.date
    what: str
    reference: str
    debit: Decimal = Decimal(0)
    credit: Decimal = Decimal(0)
    balance: Decimal = Decimal(0)


def statement_of_account(*, organisation: Organisation) -> dict:
    """Every issued invoice, credit note, payment (and reversal) and refund of
    the organisation in date order, with the running balance (what it owes)."""
    entries: list[Entry] = []
    documents = organisation.invoices.filter(number__isnull=False).order_by("issue_date", "number")
    for doc in documents:
        if doc.issue_date is None or doc.number is None:
            continue
        if doc.kind == InvoiceKind.INVOICE:
            entries.append(
                Entry(
                    doc.issue_date, f"Invoice, due {doc.due_date:%d %b %Y}", doc.number, doc.total
                )
            )
        else:
            credits = doc.credits.number if doc.credits else ""
            entries.append(
                Entry(
                    doc.issue_date, f"Credit note against {credits}", doc.number, credit=doc.total
                )
            )
    payments = Payment.objects.filter(invoice__organisation=organisation).select_related("invoice")
    for p in payments:
        entries.append(
            Entry(p.received_on, "Payment received", p.invoice.number or "", credit=p.amount)
        )
        if p.reversed_on:
            entries.append(
                Entry(
                    p.reversed_on,
                    f"Payment reversed: {p.reversal_reason}",
                    p.invoice.number or "",
                    p.amount,
                )
            )
    for r in Refund.objects.filter(invoice__organisation=organisation).select_related("invoice"):
        entries.append(Entry(r.paid_on, "Refund paid to you", r.invoice.number or "", r.amount))
    entries.sort(key=lambda e: (e.on, e.reference))
    running = Decimal(0)
    for entry in entries:
        running += entry.debit - entry.credit
        entry.balance = running
    today = timezone.localdate()
    overdue = [
        i
        for i in documents
        if i.kind == InvoiceKind.INVOICE
        and i.status in OPEN_INVOICE_STATUSES
        and i.due_date
        and i.due_date < today
    ]
    return {
        "organisation": organisation,
        "entries": entries,
        "balance": running,
        "overdue_total": sum((i.balance for i in overdue), Decimal(0)),
        "today": today,
    }


def statement_pdf(*, organisation: Organisation) -> bytes:
    return render_pdf(
        "partners/statement_pdf.html",
        {**statement_of_account(organisation=organisation), "charity": charity_details()},
    )


# --- Bank statement import -----------------------------------------------------------------

# Header names of the common UK bank exports (Barclays, HSBC, Lloyds, NatWest,
# Santander, Nationwide, Starling, Monzo), lower case, best guess first.
DATE_HEADERS = ("date", "transaction date", "posting date", "value date", "completed date")
AMOUNT_HEADERS = (
    "paid in",
    "credit amount",
    "money in",
    "credit",
    "amount",
    "value",
    "amount (gbp)",
)
REFERENCE_HEADERS = (
    "reference",
    "transaction description",
    "description",
    "memo",
    "details",
    "narrative",
    "counter party",
    "name",
)
DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d %b %Y", "%d %B %Y", "%d/%m/%y", "%d-%b-%y")
INVOICE_NUMBER = re.compile(r"\bINV[\s\-/]?0*(\d{1,9})\b", re.IGNORECASE)
MAX_LINES = 20000


def read_csv(content: str) -> tuple[list[str], list[list[str]]]:
    """The header (column names) and rows of a bank CSV. Without a header row
    (HSBC's export), the columns are named "Column 1", "Column 2", ..."""
    try:
        rows = [r for r in csv.reader(io.StringIO(content)) if any(c.strip() for c in r)]
    except csv.Error as exc:
        raise ValidationError({"file": f"The file is not a readable CSV file ({exc})."}) from None
    if not rows:
        raise ValidationError({"file": "The file has no lines."})
    if len(rows) > MAX_LINES:
        raise ValidationError({"file": f"The file has more than {MAX_LINES:,} lines; split it."})
    first = rows[0]
    if any(_parse_date(c) for c in first) and any(_parse_amount(c) is not None for c in first):
        header = [f"Column {i + 1}" for i in range(max(len(r) for r in rows))]
        return header, rows
    return [c.strip() for c in first], rows[1:]


def guess_columns(header: list[str]) -> dict[str, int | None]:
    """The column index of date, amount and reference by the header's names."""
    names = [h.strip().lower() for h in header]

    def find(candidates):
        for wanted in candidates:
            if wanted in names:
                return names.index(wanted)
        return None

    guess = {"date": find(DATE_HEADERS), "amount": find(AMOUNT_HEADERS)}
    guess["reference"] = find(REFERENCE_HEADERS)
    if header and header[0] == "Column 1" and len(header) >= 3:  # HSBC: date, text, amount
        guess = {"date": 0, "reference": 1, "amount": 2}
    return guess


def _parse_date(text: str) -> datetime.date | None:
    text = text.strip()
    for fmt in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a date alone
        except ValueError:
            continue
    return None


def _parse_amount(text: str) -> Decimal | None:
    cleaned = text.strip().replace(",", "").replace("£", "").replace(" ", "")
    if not cleaned:
        return None
    negative = cleaned.startswith("(") and cleaned.endswith(")")
    try:
        value = Decimal(cleaned.strip("()"))
    except InvalidOperation:
        return None
    if not value.is_finite():
        return None
    return -value if negative else value


@dataclass
class Line:
    index: int  # 1-based line of the file's data
    on: datetime.date
    amount: Decimal
    reference: str
    line_hash: str
    invoice: Invoice | None = None
    status: str = "unmatched"  # matched | near_miss | unmatched | duplicate | not_credit
    note: str = ""
    candidates: list = field(default_factory=list)


def decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError({"file": "The file is not text (CSV): it could not be read."})


def statement_lines(content: str, columns: dict[str, int | None]) -> list[Line]:
    """Every line of the statement with its date, amount and reference, or a
    ValidationError naming the first line and column that cannot be read."""
    header, rows = read_csv(content)
    chosen: dict[str, int] = {}
    for key in ("date", "amount", "reference"):
        col = columns.get(key)
        if col is None or not (0 <= col < len(header)):
            raise ValidationError({key: f"Choose the column that holds the {key}."})
        chosen[key] = col
    seen: Counter = Counter()
    lines = []
    for n, row in enumerate(rows, start=1):
        cells = row + [""] * (len(header) - len(row))
        raw_date = cells[chosen["date"]]
        raw_amount = cells[chosen["amount"]]
        on = _parse_date(raw_date)
        if on is None:
            raise ValidationError(
                {
                    "date": f"Line {n}: {raw_date!r} in column "
                    f"{header[chosen['date']]} is not a date."
                }
            )
        amount = _parse_amount(raw_amount)
        if amount is None and raw_amount.strip() == "":
            amount = Decimal(0)  # a payment out, in a bank's separate "paid out" column
        if amount is None:
            raise ValidationError(
                {
                    "amount": f"Line {n}: {raw_amount!r} in column "
                    f"{header[chosen['amount']]} is not an amount."
                }
            )
        reference = " ".join(cells[chosen["reference"]].split())[:300]
        key = f"{on.isoformat()}|{amount:.2f}|{reference.lower()}"
        seen[key] += 1
        digest = hashlib.sha256(f"{key}|{seen[key]}".encode()).hexdigest()
        lines.append(Line(n, on, amount, reference, digest))
    return lines


def match_lines(lines: list[Line]) -> list[Line]:
    """Match each paid-in line to the open invoice whose number its reference
    names when the amount is the balance due; a number with another amount is
    a near miss, for a person. Lines posted before are duplicates. Three
    queries whatever the number of lines."""
    posted = set(
        BankLine.objects.filter(line_hash__in=[line.line_hash for line in lines]).values_list(
            "line_hash", flat=True
        )
    )
    numbers: dict[int, str] = {}
    for line in lines:
        found = INVOICE_NUMBER.search(line.reference)
        if found:
            numbers[line.index] = f"INV-{int(found.group(1)):06d}"
    invoices = {
        i.number: i
        for i in Invoice.objects.filter(number__in=set(numbers.values())).select_related(
            "organisation"
        )
    }
    claimed: set[int] = set()
    for line in lines:
        if line.line_hash in posted:
            line.status, line.note = "duplicate", "Already imported"
            continue
        if line.amount <= 0:
            line.status, line.note = "not_credit", "Money out: not a payment in"
            continue
        number = numbers.get(line.index)
        invoice = invoices.get(number) if number else None
        if invoice is None:
            line.note = f"{number} is not an invoice" if number else "No invoice number"
            continue
        line.invoice = invoice
        if invoice.status not in OPEN_INVOICE_STATUSES or invoice.kind != InvoiceKind.INVOICE:
            line.status = "near_miss"
            line.note = f"{number} is {invoice.get_status_display().lower()}"
        elif line.amount != invoice.balance:
            line.status = "near_miss"
            line.note = f"{number} has {invoice.balance:,.2f} owed, not {line.amount:,.2f}"
        elif invoice.pk in claimed:
            line.status, line.note = "near_miss", f"{number} is matched by an earlier line"
        else:
            line.status = "matched"
            claimed.add(invoice.pk)
    return lines


def statement_upload(*, raw: bytes, filename: str, user) -> BankStatement:
    """Keep an uploaded statement for its preview (nothing posted)."""
    if not raw:
        raise ValidationError({"file": "The file is empty."})
    content = decode(raw)
    header, rows = read_csv(content)
    if not rows:
        raise ValidationError({"file": "The file has a header but no lines."})
    return BankStatement.objects.create(
        filename=(filename or "statement.csv")[:200], content=content, uploaded_by=user
    )


def statement_confirm(
    *,
    statement: BankStatement,
    columns: dict[str, int | None],
    manual: dict[int, Invoice] | None = None,
) -> dict:
    """Post the matched lines, and those a person matched by hand (line index
    -> invoice), as payments: all or nothing. A line already posted (its hash
    exists) is skipped, so the same statement imported again posts nothing."""
    manual = manual or {}
    if statement.confirmed_at is not None:
        raise ValidationError({"statement": "This statement has already been confirmed."})
    lines = match_lines(statement_lines(statement.content, columns))
    posted, skipped = [], 0
    with transaction.atomic():
        for line in lines:
            invoice = manual.get(line.index) or (line.invoice if line.status == "matched" else None)
            if invoice is None or line.status in ("duplicate", "not_credit"):
                continue
            try:
                with transaction.atomic():
                    bank_line = BankLine.objects.create(
                        statement=statement,
                        line_hash=line.line_hash,
                        posted_on=line.on,
                        amount=line.amount,
                        reference=line.reference,
                    )
            except IntegrityError:
                skipped += 1  # posted by another import meanwhile
                continue
            try:
                payment = payment_record(
                    invoice=invoice,
                    amount=line.amount,
                    received_on=line.on,
                    reference=f"Bank: {line.reference}"[:100],
                )
            except ValidationError as exc:
                message = " ".join(exc.messages)
                raise ValidationError(
                    {"statement": f"Line {line.index} ({invoice.number}): {message}"}
                ) from None
            BankLine.objects.filter(pk=bank_line.pk).update(payment=payment)
            posted.append(invoice.number)
        # The file holds every line of the account (payers' names among them):
        # once posted, only the posted lines are kept.
        BankStatement.objects.filter(pk=statement.pk).update(
            confirmed_at=timezone.now(), content=""
        )
    return {"posted": posted, "skipped": skipped}
