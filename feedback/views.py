"""The public report form (from a meeting's page) and the staff queue."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from feedback import services
from feedback.forms import ReportForm, ReportUpdateForm
from feedback.models import MeetingReport, ReportStatus
from meetings import finder
from smartnet.access import public, role_required
from smartnet.forms import apply_service_errors
from smartnet.ratelimit import client_ip, hit, rate_limited
from smartnet.roles import STAFF_ROLES


def _too_many(request: HttpRequest) -> HttpResponse:
    response = render(request, "smartnet/rate_limited.html", status=429)
    response["Retry-After"] = "60"
    return response


@public
@rate_limited("feedback-page", lambda: settings.PUBLIC_RATE_LIMIT_PER_MINUTE)
def report(request: HttpRequest, slug: str) -> HttpResponse:
    """The form; sending it has its own, lower limit per client address."""
    meeting = get_object_or_404(finder.listed_meetings(), slug=slug)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and not hit(
        "feedback-report",
        client_ip(request) or "unknown",
        limit=settings.FEEDBACK_REPORTS_PER_MINUTE,
    ):
        return _too_many(request)
    if request.method == "POST" and form.is_valid():
        try:
            services.report_create(meeting=meeting, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            return render(request, "feedback/thanks.html", {"meeting": meeting})
    status = 400 if request.method == "POST" else 200
    return render(
        request, "feedback/report.html", {"meeting": meeting, "form": form}, status=status
    )


@role_required(*STAFF_ROLES)
def queue(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", ReportStatus.NEW)
    if status not in ReportStatus.values:
        status = ReportStatus.NEW
    reports = MeetingReport.objects.filter(status=status).select_related("meeting", "handled_by")
    return render(
        request,
        "feedback/queue.html",
        {"reports": reports[:200], "status": status, "statuses": ReportStatus.choices},
    )


@role_required(*STAFF_ROLES)
def detail(request: HttpRequest, pk: int, *, form=None, status: int = 200) -> HttpResponse:
    item = get_object_or_404(MeetingReport.objects.select_related("meeting"), pk=pk)
    form = form or ReportUpdateForm(initial={"status": item.status})
    return render(request, "feedback/detail.html", {"report": item, "form": form}, status=status)


@role_required(*STAFF_ROLES)
@require_POST
def update(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(MeetingReport, pk=pk)
    form = ReportUpdateForm(request.POST)
    if form.is_valid():
        try:
            services.report_update(report=item, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"Report marked {item.get_status_display().lower()}.")
            return redirect("feedback_staff:detail", pk=item.pk)
    return detail(request, pk, form=form, status=400)
