"""Board screens: staff objectives, actions, overrides and reports; trustees' reports.

Views parse a form, call one service and render. Trustees see issued reports
only (read-only pages and PDFs); staff see everything and draft, review and
issue reports (issuing is for staff admins).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from board import charts, metrics, selectors, services
from board import dashboard as dashboard_figures
from board.forms import ActionForm, BoardMeetingForm, ObjectiveForm, OverrideForm, ReviewForm
from board.models import Action, BoardMeeting, BoardReport, Objective
from board.pdf import present_snapshot, render_report_pdf
from smartnet.access import may_use, role_required
from smartnet.confirm import Confirmation, is_confirmed, render_confirmation
from smartnet.forms import apply_service_errors, parse_id
from smartnet.models import User
from smartnet.pdf import pdf_response
from smartnet.roles import STAFF_ROLES, Role

READERS = (*STAFF_ROLES, Role.TRUSTEE)
ISSUED_PAGE_CACHE_SECONDS = 24 * 60 * 60


# --- the staff dashboard -------------------------------------------------------------


@role_required(*STAFF_ROLES)
def dashboard(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    figures = dashboard_figures.figures(today=today)
    money = None
    if request.user.role == Role.FINANCE:
        money = dashboard_figures.money_figures(today=today)
    return render(
        request, "board/dashboard.html", {"figures": figures, "money": money, "today": today}
    )


# --- objectives and actions ---------------------------------------------------------------


@role_required(*STAFF_ROLES)
def objectives(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    statuses = selectors.objective_statuses(today)
    colour = request.GET.get("rag", "")
    shown = [s for s in statuses if not colour or (s.overall and s.overall.colour == colour)]
    return render(
        request,
        "board/objectives.html",
        {
            "statuses": shown,
            "summary": selectors.summary(statuses),
            "today": today,
            "rag_filter": colour,
        },
    )


@role_required(*STAFF_ROLES)
def objective_detail(request: HttpRequest, pk: int) -> HttpResponse:
    today = timezone.localdate()
    objective = get_object_or_404(selectors.objectives_queryset(archived=None), pk=pk)
    cache = selectors.MetricCache()
    status = selectors.objective_status(objective, today, cache=cache)
    chart = charts.trend_chart_for_screens(
        selectors.objective_chart_data(objective, today, cache),
        title=objective.title,
        unit=status.unit,
    )
    return render(
        request,
        "board/objective_detail.html",
        {"status": status, "chart": chart, "today": today},
    )


def _objective_fields(form) -> dict:
    data = dict(form.cleaned_data)
    data["metric_key"] = data.get("metric_key") or ""
    data["manual_source"] = data.get("manual_source") or ""
    data["position"] = data.get("position") or 0
    if data["metric_key"]:
        data["manual_value"] = None
        data["manual_source"] = ""
    return data


@role_required(*STAFF_ROLES)
def objective_create(request: HttpRequest) -> HttpResponse:
    form = ObjectiveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            objective = services.objective_create(by=request.user, **_objective_fields(form))
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            return redirect("board_staff:objective_detail", pk=objective.pk)
    return render(request, "board/objective_form.html", {"form": form, "objective": None})


@role_required(*STAFF_ROLES)
def objective_edit(request: HttpRequest, pk: int) -> HttpResponse:
    objective = get_object_or_404(Objective, pk=pk)
    form = ObjectiveForm(request.POST or None, instance=objective)
    if request.method == "POST" and form.is_valid():
        try:
            services.objective_update(
                objective=objective, by=request.user, **_objective_fields(form)
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            return redirect("board_staff:objective_detail", pk=objective.pk)
    return render(request, "board/objective_form.html", {"form": form, "objective": objective})


def _override(request, *, obj, kind: str, apply, back: str):
    form = OverrideForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            apply(
                colour=form.cleaned_data["colour"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            return redirect(back)
    return render(
        request, "board/override_form.html", {"form": form, "obj": obj, "kind": kind, "back": back}
    )


@role_required(*STAFF_ROLES)
def objective_override(request: HttpRequest, pk: int) -> HttpResponse:
    objective = get_object_or_404(Objective, pk=pk)
    return _override(
        request,
        obj=objective,
        kind="objective",
        apply=lambda **kw: services.objective_override_rag(objective=objective, **kw),
        back=f"/staff/board/objectives/{objective.pk}/",
    )


@role_required(*STAFF_ROLES)
@require_POST
def objective_clear_override(request: HttpRequest, pk: int) -> HttpResponse:
    objective = get_object_or_404(Objective, pk=pk)
    services.objective_clear_override(objective=objective, by=request.user)
    return redirect("board_staff:objective_detail", pk=objective.pk)


@role_required(*STAFF_ROLES)
@require_POST
def objective_archive(request: HttpRequest, pk: int) -> HttpResponse:
    objective = get_object_or_404(Objective, pk=pk)
    archived = request.POST.get("archived", "1") == "1"
    services.objective_set_archived(objective=objective, archived=archived, by=request.user)
    messages.success(request, f"{objective} {'archived' if archived else 'restored'}.")
    if archived:
        return redirect("board_staff:objectives")
    return redirect("board_staff:objective_detail", pk=objective.pk)


@role_required(*STAFF_ROLES)
def action_create(request: HttpRequest, pk: int) -> HttpResponse:
    objective = get_object_or_404(Objective, pk=pk)
    form = ActionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.action_create(objective=objective, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            return redirect("board_staff:objective_detail", pk=objective.pk)
    return render(
        request, "board/action_form.html", {"form": form, "objective": objective, "action": None}
    )


@role_required(*STAFF_ROLES)
def action_edit(request: HttpRequest, pk: int) -> HttpResponse:
    action = get_object_or_404(Action.objects.select_related("objective"), pk=pk)
    form = ActionForm(request.POST or None, instance=action)
    if request.method == "POST" and form.is_valid():
        try:
            services.action_update(action=action, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            return redirect("board_staff:objective_detail", pk=action.objective_id)
    return render(
        request,
        "board/action_form.html",
        {"form": form, "objective": action.objective, "action": action},
    )


@role_required(*STAFF_ROLES)
def action_delete(request: HttpRequest, pk: int) -> HttpResponse:
    action = get_object_or_404(Action.objects.select_related("objective"), pk=pk)
    objective_id = action.objective_id
    if not is_confirmed(request):
        return render_confirmation(
            request,
            Confirmation(
                title=f"Delete the action \u201c{action.title}\u201d?",
                summary=(
                    f"The action is removed from the objective \u201c{action.objective}\u201d "
                    "and from the board reports still to be generated."
                ),
                effects=[
                    f"Owner: {action.owner.get_full_name() if action.owner else 'nobody'}; "
                    f"status: {action.get_status_display().lower()}",
                    "Reports already generated or issued keep it as they were.",
                    "Its history keeps a record that it was deleted, and by whom.",
                ],
                warning="This cannot be undone: to keep an action but stop it, "
                "change its status instead.",
                submit="Delete the action",
                cancel_url=reverse("board_staff:objective_detail", args=[objective_id]),
                back_label=f"Back to {action.objective}",
            ),
        )
    services.action_delete(action=action, by=request.user)
    messages.success(request, f"Action deleted: {action.title}.")
    return redirect("board_staff:objective_detail", pk=objective_id)


@role_required(*STAFF_ROLES)
def action_override(request: HttpRequest, pk: int) -> HttpResponse:
    action = get_object_or_404(Action, pk=pk)
    return _override(
        request,
        obj=action,
        kind="action",
        apply=lambda **kw: services.action_override_rag(action=action, **kw),
        back=f"/staff/board/objectives/{action.objective_id}/",
    )


@role_required(*STAFF_ROLES)
@require_POST
def action_clear_override(request: HttpRequest, pk: int) -> HttpResponse:
    action = get_object_or_404(Action, pk=pk)
    services.action_clear_override(action=action, by=request.user)
    return redirect("board_staff:objective_detail", pk=action.objective_id)


# --- board meetings and reports (staff) ------------------------------------------------------


@role_required(*STAFF_ROLES)
def meetings(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    form = BoardMeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.board_meeting_create(
                on=form.cleaned_data["date"],
                title=form.cleaned_data.get("title") or "",
                today=today,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"{meeting} scheduled.")
            return redirect("board_staff:meetings")
    rows = BoardMeeting.objects.select_related("report").order_by("-date")
    return render(request, "board/meetings.html", {"form": form, "meetings": rows, "today": today})


@role_required(*STAFF_ROLES)
@require_POST
def report_generate(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_object_or_404(BoardMeeting, pk=pk)
    try:
        report, created = services.board_report_generate(meeting=meeting, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("board_staff:meetings")
    messages.success(
        request, "Report drafted." if created else "Draft regenerated with today's figures."
    )
    return redirect("board_staff:report_detail", pk=report.pk)


@role_required(*STAFF_ROLES)
def reports_staff(request: HttpRequest) -> HttpResponse:
    reports = BoardReport.objects.select_related("meeting").defer("pdf", "snapshot")
    return render(request, "board/reports_staff.html", {"reports": reports})


def _report_section(request: HttpRequest, presented: dict) -> dict | None:
    """The one objective asked for (``?objective=<id>``), read a page at a time with
    previous and next; None for the contents page. An id not in the report is a 404."""
    wanted = request.GET.get("objective")
    if not wanted:
        return None
    pk = parse_id(wanted)
    for number, objective in enumerate(presented["objectives"], 1):
        if objective["id"] == pk:
            return {**objective, "number": number}
    raise Http404("That objective is not in this report.")


@role_required(*STAFF_ROLES)
def report_detail_staff(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(BoardReport.objects.select_related("meeting").defer("pdf"), pk=pk)
    presented = present_snapshot(report.snapshot)
    return render(
        request,
        "board/report_detail.html",
        {
            "report": report,
            "r": presented,
            "section": _report_section(request, presented),
            "staff_view": True,
            "review_form": ReviewForm(),
            "can_issue": may_use(request.user, report_issue),
        },
    )


@role_required(*STAFF_ROLES)
@require_POST
def report_review(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(BoardReport, pk=pk)
    form = ReviewForm(request.POST)
    form.is_valid()
    try:
        services.board_report_review(
            report=report, by=request.user, note=form.cleaned_data.get("note", "")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Marked reviewed: a staff admin can now issue it.")
    return redirect("board_staff:report_detail", pk=report.pk)


@role_required(Role.STAFF_ADMIN)
def report_issue(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(BoardReport.objects.select_related("meeting"), pk=pk)
    if not is_confirmed(request):
        trustees = User.objects.filter(role=Role.TRUSTEE, is_active=True).count()
        return render_confirmation(
            request,
            Confirmation(
                title=f"Issue the board report for {report.meeting}?",
                summary=(
                    "The report is frozen as it reads now, and the trustees are e-mailed "
                    "a link to it."
                ),
                effects=[
                    f"{trustees} trustee{'s' if trustees != 1 else ''} will be e-mailed.",
                    "The PDF is fixed: later changes to objectives or actions do not alter it.",
                    "Trustees can read it on their board reports page from now on.",
                ],
                warning="An issued report cannot be withdrawn or edited.",
                submit="Issue the report",
                cancel_url=reverse("board_staff:report_detail", args=[report.pk]),
                back_label="Back to the report",
                danger=False,
            ),
        )
    try:
        services.board_report_issue(report=report, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Report issued: the trustees have been e-mailed a link.")
    return redirect("board_staff:report_detail", pk=report.pk)


def _pdf_response(report: BoardReport) -> HttpResponse:
    return pdf_response(
        render_report_pdf(report), f"board-report-{report.meeting.date.isoformat()}.pdf"
    )


@role_required(*STAFF_ROLES)
def report_pdf_staff(request: HttpRequest, pk: int) -> HttpResponse:
    return _pdf_response(get_object_or_404(BoardReport.objects.select_related("meeting"), pk=pk))


@role_required(*STAFF_ROLES)
def metrics_page(request: HttpRequest) -> HttpResponse:

    today = timezone.localdate()
    cache = selectors.MetricCache()
    rows = [
        {"metric": m, "value": m.format(cache.value(m.key, today))}
        for m in metrics.REGISTRY.values()
    ]
    breakdown = metrics.block_population_by_nation(today)
    return render(
        request,
        "board/metrics.html",
        {"rows": rows, "today": today, "breakdown": sorted(breakdown.items())},
    )


# --- trustees (and staff): issued reports only ------------------------------------------------


def _issued(pk: int) -> BoardReport:
    report = (
        BoardReport.objects.issued().select_related("meeting").defer("pdf").filter(pk=pk).first()
    )
    if report is None:
        raise Http404("No issued report with that number.")
    return report


@role_required(*READERS)
def reports(request: HttpRequest) -> HttpResponse:
    issued = (
        BoardReport.objects.issued()
        .select_related("meeting")
        .defer("pdf", "snapshot")
        .order_by("-meeting__date")
    )
    return render(request, "board/reports.html", {"reports": issued})


def _presented_issued(report: BoardReport) -> dict:
    """An issued report never changes, so its page values (and 20 charts) are drawn once."""
    return cache.get_or_set(
        services.ISSUED_PAGE_CACHE_KEY.format(pk=report.pk),
        lambda: present_snapshot(report.snapshot),
        ISSUED_PAGE_CACHE_SECONDS,
    )


@role_required(*READERS)
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = _issued(pk)
    presented = _presented_issued(report)
    return render(
        request,
        "board/report_detail.html",
        {
            "report": report,
            "r": presented,
            "section": _report_section(request, presented),
            "staff_view": False,
        },
    )


@role_required(*READERS)
def report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    if not BoardReport.objects.issued().filter(pk=pk).exists():
        raise Http404("No issued report with that number.")
    return _pdf_response(BoardReport.objects.select_related("meeting").get(pk=pk))
