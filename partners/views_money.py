"""Finance screens of the Partnership Scheme (mounted at /staff/partners/):
an invoice's page, issuing with its PO number, credit notes, voids, refunds,
payment reversals, reminders and holds, the overdue screen, statements of
account and the bank statement import. Views are thin: the rules are in
``partners.services``."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from partners import exports, selectors, services
from partners.forms import (
    CreditNoteForm,
    ExportForm,
    IssueForm,
    ReasonForm,
    RefundForm,
    StatementColumnsForm,
    StatementUploadForm,
)
from partners.models import (
    BankStatement,
    ChasingHold,
    Invoice,
    InvoiceKind,
    InvoiceStatus,
    Organisation,
    Payment,
)
from partners.services import statements
from partners.services.chasing import on_hold_q
from smartnet.access import may_use, role_required
from smartnet.confirm import Confirmation, is_confirmed, render_confirmation
from smartnet.forms import apply_service_errors, parse_id
from smartnet.pdf import pdf_response
from smartnet.roles import STAFF_ROLES, Role
from smartnet.templatetags.numbers import format_money

MONEY_ROLES = (Role.STAFF_ADMIN, Role.FINANCE)
# Credit notes, voids and refunds change what a partner owes: finance alone.
FINANCE_ONLY = (Role.FINANCE,)


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    messages.error(
        request,
        "; ".join(f"{k.replace('_', ' ')}: {' '.join(v)}" for k, v in exc.message_dict.items()),
    )


@role_required(*STAFF_ROLES)
def invoice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = get_object_or_404(
        Invoice.objects.select_related("organisation", "credits", "period__agreement"), pk=pk
    )
    today = timezone.localdate()
    return render(
        request,
        "partners/staff/invoice_detail.html",
        {
            "invoice": invoice,
            "today": today,
            "lines": invoice.lines.all(),
            "payments": invoice.payments.order_by("received_on", "pk"),
            "credit_notes": invoice.credit_notes.order_by("pk"),
            "refunds": invoice.refunds.select_related("credit_note"),
            "reminders": invoice.reminders.all(),
            "holds": invoice.holds.all(),
            "on_hold": Invoice.objects.filter(pk=invoice.pk).filter(on_hold_q()).exists(),
            "needs_po": services.needs_po(invoice),
            "can_money": may_use(request.user, invoice_issue),
            "can_credit": may_use(request.user, credit_note_new),
        },
    )


@role_required(*MONEY_ROLES)
def invoice_issue(request: HttpRequest, pk: int) -> HttpResponse:
    """Issue a draft (e-mailed once issued), with the PO number it needs."""
    invoice = get_object_or_404(Invoice.objects.select_related("organisation"), pk=pk)
    form = IssueForm(request.POST or None, initial={"po_number": invoice.po_number})
    if request.method == "POST" and form.is_valid():
        try:
            if (
                form.cleaned_data["po_number"]
                and form.cleaned_data["po_number"] != invoice.po_number
            ):
                services.invoice_set_po_number(
                    invoice=invoice, po_number=form.cleaned_data["po_number"]
                )
            services.invoice_issue(
                invoice=invoice, po_waived_reason=form.cleaned_data["po_waived_reason"]
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request, f"Invoice {invoice.number} issued and e-mailed to the billing contact."
            )
            return redirect("partners_staff:invoice_detail", pk=invoice.pk)
    return render(
        request,
        "partners/staff/invoice_issue.html",
        {"invoice": invoice, "form": form, "needs_po": services.requires_po(invoice.organisation)},
    )


@role_required(*FINANCE_ONLY)
def credit_note_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Raise a credit note (in full or part, with a reason): the confirmation
    page says what it will do; it happens only on the confirming POST."""
    invoice = get_object_or_404(Invoice.objects.select_related("organisation"), pk=pk)
    form = CreditNoteForm(request.POST if is_confirmed(request) else None)
    creditable = invoice.total - invoice.amount_credited
    if is_confirmed(request) and form.is_valid():
        try:
            note = services.credit_note_create(
                invoice=invoice,
                amount=form.cleaned_data["amount"] or None,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request, f"Credit note {note.number} raised against {invoice.number} and e-mailed."
            )
            return redirect("partners_staff:invoice_detail", pk=invoice.pk)
    return render_confirmation(
        request,
        Confirmation(
            title=f"Raise a credit note against {invoice.number}?",
            summary=(
                "A credit note with its own number (CN-...) is issued for the amount and "
                "e-mailed with its PDF to the billing contact; the invoice owes that much less."
            ),
            effects=[
                f"{invoice.organisation.name}: total {format_money(invoice.total)}, paid "
                f"{format_money(invoice.amount_paid)}, balance {format_money(invoice.balance)}",
                f"Up to {format_money(creditable)} can be credited",
                "Credited in full and unpaid, the invoice becomes void",
                "Crediting money already paid leaves an overpayment to refund",
            ],
            submit="Raise the credit note",
            cancel_url=reverse("partners_staff:invoice_detail", args=[invoice.pk]),
            form=form,
        ),
        status=400 if form.is_bound and form.errors else 200,
    )


@role_required(*FINANCE_ONLY)
def invoice_void(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = get_object_or_404(Invoice.objects.select_related("organisation"), pk=pk)
    form = ReasonForm(request.POST if is_confirmed(request) else None)
    if is_confirmed(request) and form.is_valid():
        try:
            services.invoice_void(invoice=invoice, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"{invoice} voided.")
            return redirect("partners_staff:invoice_detail", pk=invoice.pk)
    draft = invoice.status == InvoiceStatus.DRAFT
    return render_confirmation(
        request,
        Confirmation(
            title=f"Void {invoice}?",
            summary=(
                "The draft is cancelled; it is never issued."
                if draft
                else "The invoice is credited in full by a credit note (its own number, "
                "e-mailed to the billing contact with its PDF) and marked void; it is no "
                "longer owed or chased. Only an unpaid invoice can be voided."
            ),
            effects=[f"{invoice.organisation.name}: total {format_money(invoice.total)}"],
            submit="Void the invoice",
            cancel_url=reverse("partners_staff:invoice_detail", args=[invoice.pk]),
            form=form,
        ),
        status=400 if form.is_bound and form.errors else 200,
    )


@role_required(*FINANCE_ONLY)
def refund_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a refund of an overpayment against a credit note."""
    note = get_object_or_404(
        Invoice.objects.select_related("organisation", "credits"),
        pk=pk,
        kind=InvoiceKind.CREDIT_NOTE,
    )
    form = RefundForm(request.POST or None, initial={"paid_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.refund_record(
                credit_note=note,
                amount=form.cleaned_data["amount"],
                paid_on=form.cleaned_data["paid_on"],
                reference=form.cleaned_data["reference"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"Refund recorded against {note.number}.")
            return redirect("partners_staff:invoice_detail", pk=note.credits_id)
    return render(request, "partners/staff/refund_new.html", {"note": note, "form": form})


@role_required(*MONEY_ROLES)
def payment_reverse(request: HttpRequest, pk: int) -> HttpResponse:
    payment = get_object_or_404(Payment.objects.select_related("invoice__organisation"), pk=pk)
    form = ReasonForm(request.POST if is_confirmed(request) else None)
    if is_confirmed(request) and form.is_valid():
        try:
            services.payment_reverse(payment=payment, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"Payment against {payment.invoice.number} reversed.")
            return redirect("partners_staff:invoice_detail", pk=payment.invoice_id)
    return render_confirmation(
        request,
        Confirmation(
            title=f"Reverse the payment of {format_money(payment.amount)} "
            f"against {payment.invoice.number}?",
            summary=(
                "The payment stays on record marked reversed, with your reason, and the "
                "invoice owes it again (and is chased again if overdue). A payment is never "
                "edited: record the right one afresh."
            ),
            effects=[
                f"Received {payment.received_on:%d %b %Y} from "
                f"{payment.invoice.organisation.name}"
                + (f" ({payment.reference})" if payment.reference else "")
            ],
            submit="Reverse the payment",
            cancel_url=reverse("partners_staff:invoice_detail", args=[payment.invoice_id]),
            form=form,
        ),
        status=400 if form.is_bound and form.errors else 200,
    )


@require_POST
@role_required(*MONEY_ROLES)
def invoice_remind(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = get_object_or_404(Invoice, pk=pk)
    try:
        services.reminder_send_now(invoice=invoice)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, f"Reminder for {invoice.number} sent.")
    if request.POST.get("next") == "overdue":
        return redirect("partners_staff:overdue")
    return redirect("partners_staff:invoice_detail", pk=pk)


@role_required(*MONEY_ROLES)
def chasing_hold(request: HttpRequest, pk: int) -> HttpResponse:
    """Put an organisation's chasing on hold (or one invoice's: ?invoice=<id>)."""
    organisation = get_object_or_404(Organisation, pk=pk)
    invoice_id = parse_id(request.GET.get("invoice") or request.POST.get("invoice") or "")
    invoice = (
        get_object_or_404(Invoice, pk=invoice_id, organisation=organisation) if invoice_id else None
    )
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.chasing_hold(
                organisation=organisation,
                invoice=invoice,
                reason=form.cleaned_data["reason"],
                held_by=request.user,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"Chasing of {invoice or organisation} put on hold.")
            return redirect("partners_staff:partner_detail", pk=organisation.pk)
    return render(
        request,
        "partners/staff/chasing_hold.html",
        {"organisation": organisation, "invoice": invoice, "form": form},
    )


@require_POST
@role_required(*MONEY_ROLES)
def chasing_release(request: HttpRequest, pk: int) -> HttpResponse:
    hold = get_object_or_404(ChasingHold, pk=pk)
    services.chasing_release(hold=hold)
    messages.success(request, f"Chasing of {hold.invoice or hold.organisation} resumed.")
    return redirect("partners_staff:partner_detail", pk=hold.organisation_id)


@role_required(*STAFF_ROLES)
def overdue_invoices(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    rows = selectors.overdue_invoices(on=today).annotate(on_hold=on_hold_q())
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "partners/staff/overdue.html",
        {
            "page_obj": page,
            "today": today,
            "ageing": selectors.overdue_ageing(on=today),
            "export_form": ExportForm(),
            "can_money": may_use(request.user, invoice_issue),
            "can_credit": may_use(request.user, credit_note_new),
        },
    )


@role_required(*STAFF_ROLES)
def statement_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = get_object_or_404(Organisation, pk=pk)
    return pdf_response(
        statements.statement_pdf(organisation=organisation),
        f"statement-{organisation.slug}-{timezone.localdate()}.pdf",
    )


@role_required(*MONEY_ROLES)
def xero_contacts(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(exports.xero_contacts_csv(), content_type="text/csv")
    response["Content-Disposition"] = (
        f'attachment; filename="xero-contacts-{timezone.localdate()}.csv"'
    )
    return response


# --- Bank statement import -----------------------------------------------------------------


@role_required(*MONEY_ROLES)
def bank_import(request: HttpRequest) -> HttpResponse:
    form = StatementUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            statement = statements.statement_upload(
                raw=upload.read(), filename=upload.name, user=request.user
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            return redirect("partners_staff:bank_preview", pk=statement.pk)
    recent = BankStatement.objects.defer("content").select_related("uploaded_by")[:10]
    return render(request, "partners/staff/bank_import.html", {"form": form, "recent": recent})


def _columns(request: HttpRequest, header: list[str]) -> StatementColumnsForm:
    guess = statements.guess_columns(header)
    data = request.POST if request.method == "POST" else (request.GET or None)
    return StatementColumnsForm(data, header=header, initial=guess)


@role_required(*MONEY_ROLES)
def bank_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The statement's lines, matched or not, with the columns chosen; POST
    with ``confirm`` posts the matched lines and those matched by hand."""
    statement = get_object_or_404(BankStatement, pk=pk)
    if statement.confirmed_at is not None:
        return render(
            request,
            "partners/staff/bank_posted.html",
            {
                "statement": statement,
                "lines": statement.lines.select_related("payment__invoice__organisation"),
            },
        )
    header, _rows = statements.read_csv(statement.content)
    form = _columns(request, header)
    if form.is_bound and form.is_valid():
        columns = form.cleaned_data
    else:
        columns = statements.guess_columns(header)
    lines: list = []
    error = None
    try:
        lines = statements.match_lines(statements.statement_lines(statement.content, columns))
    except ValidationError as exc:
        error = "; ".join(" ".join(v) for v in exc.message_dict.values())
    if request.method == "POST" and "confirm" in request.POST and error is None:
        manual = {}
        numbers = {}
        for line in lines:
            chosen = (request.POST.get(f"line-{line.index}") or "").strip().upper()
            if chosen and line.status in ("near_miss", "unmatched"):
                numbers[line.index] = chosen
        found = {i.number: i for i in Invoice.objects.filter(number__in=numbers.values())}
        for index, number in numbers.items():
            if number not in found:
                error = f"Line {index}: {number} is not an invoice number."
                break
            manual[index] = found[number]
        if error is None:
            try:
                result = statements.statement_confirm(
                    statement=statement, columns=columns, manual=manual
                )
            except ValidationError as exc:
                error = "; ".join(" ".join(v) for v in exc.message_dict.values())
            else:
                messages.success(
                    request,
                    f"{len(result['posted'])} payment(s) posted from {statement.filename}"
                    + (f"; {result['skipped']} already imported." if result["skipped"] else "."),
                )
                return redirect("partners_staff:bank_import")
    counts = {
        s: sum(1 for line in lines if line.status == s)
        for s in ("matched", "near_miss", "unmatched", "duplicate", "not_credit")
    }
    return render(
        request,
        "partners/staff/bank_preview.html",
        {
            "statement": statement,
            "form": form,
            "lines": lines,
            "counts": counts,
            "error": error,
            "open_statuses": (InvoiceStatus.ISSUED, InvoiceStatus.PART_PAID),
        },
        status=400 if error and request.method == "POST" else 200,
    )
