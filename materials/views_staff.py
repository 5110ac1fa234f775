"""Staff screens: the dispatch queue, a dispatch, packing slips and labels, stock, economics."""

from datetime import date
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from materials import pdf, selectors, services
from materials.apps import ECONOMICS_ROLES, MATERIALS_STAFF
from materials.forms import (
    AdjustmentForm,
    QueueFilterForm,
    ReceiptForm,
    RejectForm,
    TrackingForm,
)
from materials.models import (
    OPEN_STATUSES,
    Backorder,
    Dispatch,
    DispatchLine,
    Item,
    Status,
    StockMovement,
)
from partners import selectors as partners_selectors
from smartnet.access import role_required
from smartnet.forms import apply_service_errors, parse_id, parse_ids
from smartnet.pdf import pdf_response

PAGE_SIZE = 50
BATCH_LIMIT = 500


def _filtered_queue(params) -> tuple[QueueFilterForm, QuerySet[Dispatch]]:
    form = QueueFilterForm(params or None)
    dispatches = Dispatch.objects.all()
    data = form.cleaned_data if form.is_valid() else {}
    status = data.get("status", "")
    if status == "":
        dispatches = dispatches.filter(status__in=OPEN_STATUSES)
    elif status != "all":
        dispatches = dispatches.filter(status=status)
    if data.get("reason"):
        dispatches = dispatches.filter(reason=data["reason"])
    if data.get("q"):
        q = data["q"].strip()
        dispatches = dispatches.filter(
            Q(contact_name__icontains=q)
            | Q(contact_email__icontains=q)
            | Q(postcode__icontains=q)
            | Q(tracking_reference__icontains=q)
            | Q(meeting_label__icontains=q)
        )
    return form, dispatches


@role_required(*MATERIALS_STAFF)
def queue(request: HttpRequest) -> HttpResponse:
    """Requests and dispatches, newest first; the same number of queries at any size."""
    if request.method == "POST":
        return _bulk_action(request)
    form, dispatches = _filtered_queue(request.GET)
    # Paginate the plain rows (a cheap count and an index scan), then total the
    # lines of this page's dispatches only, in one more query.
    page = Paginator(dispatches.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = list(page.object_list)
    totals = {
        row["dispatch_id"]: row
        for row in DispatchLine.objects.filter(dispatch__in=[d.pk for d in rows])
        .values("dispatch_id")
        .annotate(units=Sum("quantity"), line_count=Count("pk"))
        .order_by()
    }
    for dispatch in rows:
        found = totals.get(dispatch.pk, {})
        dispatch.units = found.get("units", 0)
        dispatch.line_count = found.get("line_count", 0)
    page.object_list = rows
    query = request.GET.copy()
    query.pop("page", None)
    counts = dict(
        Dispatch.objects.filter(status__in=OPEN_STATUSES)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return render(
        request,
        "materials/staff/queue.html",
        {
            "form": form,
            "page_obj": page,
            "query_string": query.urlencode(),
            "counts": [(Status(s).label, counts.get(s, 0)) for s in OPEN_STATUSES],
        },
    )


def _selected_ids(request: HttpRequest) -> list[int]:
    return parse_ids(request.POST.getlist("ids"))


def _bulk_action(request: HttpRequest) -> HttpResponse:
    ids = _selected_ids(request)
    action = request.POST.get("action")
    back = redirect(f"{request.path}?{request.GET.urlencode()}")
    if not ids:
        messages.error(request, "Select at least one dispatch first.")
        return back
    if action == "approve":
        approved, problems = services.dispatch_approve(dispatch_ids=ids, user=request.user)
        if approved:
            messages.success(request, f"Approved {len(approved)} dispatch(es).")
        for problem in problems:
            messages.warning(request, problem)
    elif action == "pack":
        packed = 0
        for dispatch_id in ids:
            try:
                services.dispatch_pack(dispatch_id=dispatch_id, user=request.user)
                packed += 1
            except ValidationError as exc:
                messages.warning(request, " ".join(exc.messages))
        if packed:
            messages.success(request, f"Packed {packed} dispatch(es).")
    elif action in {"slips", "labels"}:
        name = "materials_staff:packing_slips" if action == "slips" else "materials_staff:labels"
        return redirect(f"{reverse(name)}?ids={','.join(str(i) for i in ids)}")
    else:
        messages.error(request, "Choose an action.")
    return back


@role_required(*MATERIALS_STAFF)
def dispatch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    dispatch = get_object_or_404(
        Dispatch.objects.select_related("person", "follows", "handled_by"), pk=pk
    )
    lines = dispatch.lines.select_related("item", "backorder")
    return render(
        request,
        "materials/staff/dispatch.html",
        {
            "dispatch": dispatch,
            "lines": lines,
            "followups": dispatch.followups.all(),
            "tracking_form": TrackingForm(),
            "reject_form": RejectForm(),
            "Status": Status,
        },
    )


# One view per step of a dispatch's life, each with its own URL and roles; a
# refused step (wrong status, no address, no stock) goes back to the dispatch
# with the service's message.


def _step_done(request: HttpRequest, dispatch_id: int, step) -> HttpResponse:
    get_object_or_404(Dispatch, pk=dispatch_id)
    try:
        message = step()
    except ValidationError as exc:
        for problem in exc.messages:
            messages.error(request, problem)
    else:
        if message:
            messages.success(request, message)
    return redirect("materials_staff:dispatch", pk=dispatch_id)


@role_required(*MATERIALS_STAFF)
@require_POST
def dispatch_verify(request: HttpRequest, pk: int) -> HttpResponse:
    def step() -> str:
        services.dispatch_verify(dispatch_id=pk, user=request.user)
        return "Requester verified: the request is in the queue."

    return _step_done(request, pk, step)


@role_required(*MATERIALS_STAFF)
@require_POST
def dispatch_approve(request: HttpRequest, pk: int) -> HttpResponse:
    def step() -> str:
        approved, problems = services.dispatch_approve(dispatch_ids=[pk], user=request.user)
        if problems:
            raise ValidationError(problems)
        return "Approved." if approved else ""

    return _step_done(request, pk, step)


@role_required(*MATERIALS_STAFF)
@require_POST
def dispatch_pack(request: HttpRequest, pk: int) -> HttpResponse:
    def step() -> str:
        packed = services.dispatch_pack(dispatch_id=pk, user=request.user)
        short = [line for line in packed.lines.all() if line.quantity_packed < line.quantity]
        return "Packed." + (f" {len(short)} line(s) short: backordered." if short else "")

    return _step_done(request, pk, step)


@role_required(*MATERIALS_STAFF)
@require_POST
def dispatch_send(request: HttpRequest, pk: int) -> HttpResponse:
    def step() -> str:
        form = TrackingForm(request.POST)
        if not form.is_valid():
            raise ValidationError("Tracking reference: enter the carrier's reference.")
        services.dispatch_send(
            dispatch_id=pk,
            tracking_reference=form.cleaned_data["tracking_reference"],
            user=request.user,
        )
        return "Marked dispatched; the facilitator has been e-mailed."

    return _step_done(request, pk, step)


@role_required(*MATERIALS_STAFF)
@require_POST
def dispatch_deliver(request: HttpRequest, pk: int) -> HttpResponse:
    def step() -> str:
        services.dispatch_deliver(dispatch_id=pk, user=request.user)
        return "Marked delivered."

    return _step_done(request, pk, step)


@role_required(*MATERIALS_STAFF)
@require_POST
def dispatch_reject(request: HttpRequest, pk: int) -> HttpResponse:
    def step() -> str:
        form = RejectForm(request.POST)
        if not form.is_valid():
            raise ValidationError("Reason: say why, the facilitator is told.")
        services.dispatch_reject(
            dispatch_id=pk, reason=form.cleaned_data["reason"], user=request.user
        )
        return "Rejected; the reason has been e-mailed."

    return _step_done(request, pk, step)


def _batch(request: HttpRequest) -> list[Dispatch]:
    """The dispatches named in ?ids=1,2,3 (or every packed one), with lines, in few queries."""
    raw = request.GET.get("ids", "")
    dispatches = Dispatch.objects.prefetch_related("lines__item").order_by("pk")
    if raw:
        dispatches = dispatches.filter(pk__in=parse_ids(raw.split(",")))
    else:
        dispatches = dispatches.filter(status=Status.PACKED)
    return list(dispatches[:BATCH_LIMIT])


@role_required(*MATERIALS_STAFF)
def packing_slips(request: HttpRequest) -> HttpResponse:
    batch = _batch(request)
    return pdf_response(pdf.packing_slips(batch), "packing-slips.pdf")


@role_required(*MATERIALS_STAFF)
def labels(request: HttpRequest) -> HttpResponse:
    batch = _batch(request)
    return pdf_response(pdf.address_labels(batch), "address-labels.pdf")


@role_required(*MATERIALS_STAFF)
def stock(request: HttpRequest) -> HttpResponse:
    """The catalogue with stock, reorder levels and low flags; record receipts and adjustments."""
    receipt_form = ReceiptForm(prefix="receipt")
    adjustment_form = AdjustmentForm(prefix="adjust")
    if request.method == "POST":
        kind = request.POST.get("kind")
        form = (
            ReceiptForm(request.POST, prefix="receipt")
            if kind == "receipt"
            else AdjustmentForm(request.POST, prefix="adjust")
        )
        if form.is_valid():
            data = form.cleaned_data
            try:
                if kind == "receipt":
                    services.item_receive(
                        item_id=data["item"].pk,
                        quantity=data["quantity"],
                        note=data["note"],
                        user=request.user,
                    )
                    messages.success(request, f"Received {data['quantity']} x {data['item']}.")
                else:
                    services.item_adjust(
                        item_id=data["item"].pk,
                        quantity=data["quantity"],
                        note=data["note"],
                        user=request.user,
                    )
                    messages.success(request, f"Adjusted {data['item']} by {data['quantity']:+d}.")
                return redirect("materials_staff:stock")
            except ValidationError as exc:
                apply_service_errors(form, exc)
        if kind == "receipt":
            receipt_form = form
        else:
            adjustment_form = form
    items = Item.objects.annotate(
        backordered=Sum(
            "backorders__quantity",
            filter=Q(backorders__filled_at__isnull=True, backorders__cancelled_at__isnull=True),
        ),
        backorder_filled=Sum(
            "backorders__quantity_filled",
            filter=Q(backorders__filled_at__isnull=True, backorders__cancelled_at__isnull=True),
        ),
    ).order_by("name")
    return render(
        request,
        "materials/staff/stock.html",
        {"items": items, "receipt_form": receipt_form, "adjustment_form": adjustment_form},
    )


@role_required(*MATERIALS_STAFF)
def item_movements(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Item, pk=pk)
    movements = StockMovement.objects.filter(item=item).select_related("created_by", "dispatch")
    page = Paginator(movements, PAGE_SIZE).get_page(request.GET.get("page"))
    backorders = (
        Backorder.objects.filter(item=item, filled_at__isnull=True, cancelled_at__isnull=True)
        .select_related("line__dispatch")
        .order_by("created_at")
    )
    return render(
        request,
        "materials/staff/item.html",
        {"item": item, "page_obj": page, "backorders": backorders},
    )


@role_required(*ECONOMICS_ROLES)
def economics(request: HttpRequest) -> HttpResponse:
    """Materials spend per quarter (items dispatched x unit cost) beside partnership income."""
    today = timezone.localdate()
    years = max(1, min(10, parse_id(request.GET.get("years", "2")) or 2))
    start = selectors.quarter_start(date(today.year - years + 1, 1, 1))
    spans = selectors.quarters(start=start, end=today)
    spend = dict(selectors.spend_by_quarter(start=start, end=today))
    rows = []
    for label, first, last in spans:
        income = partners_selectors.licence_income(start=first, end=last)
        cost = spend[label]
        share = (cost / income * 100).quantize(Decimal("0.1")) if income else None
        rows.append({"label": label, "spend": cost, "income": income, "share": share})
    totals = selectors.dispatched_totals(start=start, end=today)
    return render(
        request,
        "materials/staff/economics.html",
        {
            "rows": rows,
            "years": years,
            "items_total": totals[0],
            "spend_total": totals[1],
            "queue_size": selectors.queue_size(),
        },
    )
