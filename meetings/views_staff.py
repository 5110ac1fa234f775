"""Staff screens: the meeting register with filters, a meeting with its
leadership timeline and head counts, lifecycle and leadership changes, the
portal's proposals, and the network figures. Thin: a form, one service, render."""

from __future__ import annotations

from datetime import time, timedelta

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from meetings import picker, selectors, services
from meetings.access import MEETING_EDITORS, MEETING_VIEWERS
from meetings.conferencing import unrecognised_host_warning
from meetings.forms import (
    FiguresForm,
    LeadershipCorrectForm,
    LeadershipForm,
    MeetingFilterForm,
    MeetingForm,
    StatusForm,
)
from meetings.models import (
    HeadCount,
    LeadershipPeriod,
    Meeting,
    Proposal,
    ProposalKind,
    ProposalStatus,
    Status,
    Weekday,
)
from partners.models import Person, Site
from smartnet.access import may_use, role_required
from smartnet.forms import apply_service_errors
from training.selectors import trained_facilitator_ids
from training.visibility import people_for_staff

STATUS_ACTIONS = {
    "activate": ("Open or reopen the meeting", services.meeting_activate),
    "pause": ("Pause the meeting", services.meeting_pause),
    "close": ("Close the meeting", services.meeting_close),
}


def _back_to(meeting: Meeting) -> dict:
    return {
        "url": reverse("meetings_staff:detail", args=[meeting.pk]),
        "label": f"Back to {meeting.name}",
    }


def _people_for(meeting: Meeting):
    """People staff may choose as facilitators: the host's people, the meeting's
    past facilitators, and every trained facilitator (peer volunteers belong to
    no organisation)."""

    query = Q(facilitated_periods__meeting=meeting) | Q(pk__in=trained_facilitator_ids())
    if meeting.host_id:
        query |= Q(affiliations__organisation_id=meeting.host_id)
    return (
        Person.objects.filter(query, anonymised_at__isnull=True)
        .distinct()
        .order_by("last_name", "first_name")
    )


@role_required(*MEETING_VIEWERS)
def meeting_list(request: HttpRequest) -> HttpResponse:
    form = MeetingFilterForm(request.GET or None)
    meetings = Meeting.objects.select_related("site", "host").annotate(
        leadership_now=selectors.leadership_on(timezone.localdate())
    )
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            meetings = meetings.filter(
                Q(name__icontains=data["q"])
                | Q(site__town__icontains=data["q"])
                | Q(venue_town__icontains=data["q"])
                | Q(host__name__icontains=data["q"])
            )
        for field in ("status", "programme", "format"):
            if data[field]:
                meetings = meetings.filter(**{field: data[field]})
        if data["leadership"]:
            meetings = meetings.filter(leadership_now=data["leadership"])
    params = request.GET.copy()
    params.pop("page", None)
    page = Paginator(meetings.order_by("name", "pk"), settings.MEETINGS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    pending = Proposal.objects.filter(status=ProposalStatus.PENDING).count()
    return render(
        request,
        "meetings/staff/list.html",
        {"form": form, "page_obj": page, "query_string": params.urlencode(), "pending": pending},
    )


@role_required(*MEETING_VIEWERS)
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_object_or_404(Meeting.objects.select_related("site", "host"), pk=pk)
    periods = list(
        meeting.leadership.order_by("-start_date").prefetch_related(
            Prefetch("facilitators", queryset=Person.objects.order_by("last_name"))
        )
    )
    people = {p.pk for period in periods for p in period.facilitators.all()}
    trained = _trained(people)
    return render(
        request,
        "meetings/staff/detail.html",
        {
            "meeting": meeting,
            "periods": periods,
            "trained": trained,
            "transitioned_on": min(
                (p.start_date for p in periods if p.kind == "peer_led" and not p.is_planned),
                default=None,
            ),
            "status_changes": meeting.status_changes.select_related("recorded_by").order_by(
                "-on", "-pk"
            ),
            "head_counts": meeting.head_counts.order_by("-held_on")[:26],
            "average": selectors.average_attendance(meeting_id=meeting.pk),
            "proposals": meeting.proposals.filter(status=ProposalStatus.PENDING),
            "can_edit": may_use(request.user, meeting_edit),
            "joining_warning": unrecognised_host_warning(
                meeting.conference_url, has_phone=bool(meeting.conference_phone)
            )
            if meeting.is_online
            else "",
            "actions": _actions(meeting),
        },
    )


def _trained(person_ids: set[int]) -> set[int]:
    if not person_ids:
        return set()

    return trained_facilitator_ids(person_ids=person_ids)


def _warn_about_joining_link(request: HttpRequest, meeting: Meeting) -> None:
    """A joining link that finder apps will not read as online: say so, and
    suggest a phone number (the meeting is saved either way)."""
    meeting.refresh_from_db(fields=["conference_url", "conference_phone"])
    warning = unrecognised_host_warning(
        meeting.conference_url, has_phone=bool(meeting.conference_phone)
    )
    if warning:
        messages.warning(request, warning)


def _actions(meeting: Meeting) -> list[tuple[str, str]]:
    allowed = services.TRANSITIONS[Status(meeting.status)]
    names = {Status.ACTIVE: "activate", Status.PAUSED: "pause", Status.CLOSED: "close"}
    return [(names[s], STATUS_ACTIONS[names[s]][0]) for s in Status if s in allowed]


@role_required(*MEETING_EDITORS)
def meeting_new(request: HttpRequest) -> HttpResponse:
    form = MeetingForm(request.POST or None, sites=Site.objects.select_related("organisation"))
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_create(
                proposed_on=timezone.localdate(), recorded_by=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"{meeting.name} was added as a proposed meeting.")
            _warn_about_joining_link(request, meeting)
            return redirect("meetings_staff:detail", pk=meeting.pk)
    return render(
        request,
        "includes/form_page.html",
        {"form": form, "title": "Add a meeting", "submit": "Add the meeting"},
    )


@role_required(*MEETING_EDITORS)
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_object_or_404(Meeting, pk=pk)
    form = MeetingForm(request.POST or None, instance=meeting, sites=Site.objects.all())
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_update(meeting=meeting, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "The meeting's details were saved.")
            _warn_about_joining_link(request, meeting)
            return redirect("meetings_staff:detail", pk=meeting.pk)
    return render(
        request,
        "includes/form_page.html",
        {
            "form": form,
            "title": f"Edit {meeting.name}",
            "submit": "Save",
            "back": _back_to(meeting),
        },
    )


@role_required(*MEETING_EDITORS)
def meeting_status(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    meeting = get_object_or_404(Meeting, pk=pk)
    if action not in STATUS_ACTIONS:
        return redirect("meetings_staff:detail", pk=meeting.pk)
    title, service = STATUS_ACTIONS[action]
    form = StatusForm(request.POST or None, initial={"on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        kwargs = {"meeting": meeting, "on": data["on"], "by": request.user}
        if action != "activate":
            kwargs["reason"] = data["reason"]
        try:
            service(**kwargs)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"{meeting.name}: {title.lower()} - done.")
            return redirect("meetings_staff:detail", pk=meeting.pk)
    return render(
        request,
        "includes/form_page.html",
        {
            "form": form,
            "title": f"{title}: {meeting.name}",
            "submit": title,
            "back": _back_to(meeting),
        },
    )


def _pickable(meeting: Meeting, user):
    """Who this user may find and choose as a facilitator of ``meeting``."""
    return _people_for(meeting).filter(pk__in=people_for_staff(user).values("pk"))


@role_required(*MEETING_EDITORS)
def people_search(request: HttpRequest, pk: int) -> HttpResponse:
    """The facilitator picker's matches for ``?q=`` (htmx)."""
    meeting = get_object_or_404(Meeting, pk=pk)
    return picker.results_response(
        request, _pickable(meeting, request.user), name="facilitators", show_email=True
    )


@role_required(*MEETING_EDITORS)
def leadership_new(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_object_or_404(Meeting, pk=pk)
    searching = picker.SEARCH_BUTTON in request.POST
    form = LeadershipForm(
        None if searching else (request.POST or None),
        initial=picker.form_initial(request, "facilitators") if searching else None,
        people=_pickable(meeting, request.user),
        picker_url=reverse("meetings_staff:people_search", args=[meeting.pk]),
        query=picker.picker_query(request) if searching else "",
        show_email=True,
    )
    if request.method == "POST" and not searching and form.is_valid():
        data = form.cleaned_data
        try:
            services.leadership_change(
                meeting=meeting,
                kind=data["kind"],
                start_date=data["start_date"],
                facilitators=list(data["facilitators"]),
                note=data["note"],
                by=request.user,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "The leadership change was recorded.")
            return redirect("meetings_staff:detail", pk=meeting.pk)
    return render(
        request,
        "includes/form_page.html",
        {
            "form": form,
            "title": f"Record a leadership change: {meeting.name}",
            "submit": "Record the change",
            "back": _back_to(meeting),
        },
    )


@role_required(*MEETING_EDITORS)
def leadership_correct(request: HttpRequest, pk: int, period_pk: int) -> HttpResponse:
    """Correct a leadership period recorded wrongly, with a reason (audited)."""
    meeting = get_object_or_404(Meeting, pk=pk)
    period = get_object_or_404(LeadershipPeriod, pk=period_pk, meeting=meeting)
    initial = {
        "kind": period.kind,
        "start_date": period.start_date,
        "end_date": period.end_date,
        "facilitators": [p.pk for p in period.facilitators.all()],
    }
    form = LeadershipCorrectForm(request.POST or None, initial=initial, people=_people_for(meeting))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.leadership_correct(
                period=period,
                kind=data["kind"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                facilitators=list(data["facilitators"]),
                reason=data["reason"],
                by=request.user,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "The leadership period was corrected.")
            return redirect("meetings_staff:detail", pk=meeting.pk)
    return render(
        request,
        "includes/form_page.html",
        {
            "form": form,
            "title": f"Correct a leadership period: {meeting.name}",
            "notice": f"Correcting: {period.get_kind_display()} from {period.start_date:%d %B %Y}. "
            "The figures are computed from the periods, so they follow the correction.",
            "submit": "Save the correction",
            "back": _back_to(meeting),
        },
    )


@role_required(*MEETING_VIEWERS)
def unplaced_venues(request: HttpRequest) -> HttpResponse:
    """Meetings the finder cannot measure a distance to, for staff to fix."""
    return render(
        request,
        "meetings/staff/unplaced.html",
        {"meetings": selectors.meetings_without_map_point()},
    )


def _shown(meeting: Meeting, name: str, value) -> str:
    """A meeting field's value as words (a day's name, "HH:MM", "none")."""
    if name == "weekday":
        return Weekday(value).label
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if name == "venue_name" and not value and meeting.site_id:
        return f"{meeting.site.name} (partner site)"
    return str(value) if value not in ("", None) else "none"


def _change_rows(proposal: Proposal) -> list[dict]:
    """A change proposal as current vs proposed, field by field."""
    meeting = proposal.meeting
    return [
        {
            "label": Meeting._meta.get_field(name).verbose_name.capitalize()
            if name != "weekday"
            else "Day",
            "current": _shown(meeting, name, getattr(meeting, name)),
            "proposed": _shown(meeting, name, value),
        }
        for name, value in services.proposal_change_values(proposal).items()
    ]


@role_required(*MEETING_VIEWERS)
def proposal_list(request: HttpRequest) -> HttpResponse:
    proposals = list(
        Proposal.objects.filter(status=ProposalStatus.PENDING)
        .select_related("meeting", "meeting__site", "organisation", "proposed_by")
        .prefetch_related("facilitators")
        .order_by("created_at")
    )
    for proposal in proposals:
        if proposal.kind == ProposalKind.CHANGE:
            proposal.rows = _change_rows(proposal)
            url = proposal.changes.get("conference_url")
            proposal.joining_warning = (
                unrecognised_host_warning(
                    url,
                    has_phone=bool(
                        proposal.changes.get("conference_phone", proposal.meeting.conference_phone)
                    ),
                )
                if url
                else ""
            )
    return render(
        request,
        "meetings/staff/proposals.html",
        {
            "proposals": proposals,
            "can_edit": may_use(request.user, proposal_decide),
            "today": timezone.localdate(),
        },
    )


@role_required(*MEETING_EDITORS)
@require_POST
def proposal_decide(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = get_object_or_404(Proposal, pk=pk)
    try:
        if request.POST.get("decision") == "confirm":
            services.proposal_confirm(proposal=proposal, on=timezone.localdate(), by=request.user)
            messages.success(request, f"Confirmed: {proposal}.")
        else:
            services.proposal_decline(proposal=proposal, by=request.user)
            messages.info(request, f"Declined: {proposal}.")
    except ValidationError as exc:
        for errors in exc.message_dict.values():
            for error in errors:
                messages.error(request, error)
    return redirect("meetings_staff:proposals")


@role_required(*MEETING_VIEWERS)
def figures(request: HttpRequest) -> HttpResponse:
    """The network's figures on a chosen date (default today)."""
    form = FiguresForm(request.GET or None)
    on = timezone.localdate()
    if form.is_valid() and form.cleaned_data["on"]:
        on = form.cleaned_data["on"]
    start = on.replace(day=1) - timedelta(days=84)
    weeks = selectors.weekly_openings_and_closures(start=start, end=on)
    context = {
        "form": form,
        "on": on,
        "per_week": selectors.meetings_per_week(on=on),
        "share": selectors.peer_led_share(on=on),
        "weeks": weeks,
        "lag": selectors.peer_led_lag(on=on),
        "behind": selectors.partners_behind_on_peer_led(on=on),
        "attendance": selectors.average_attendance(start=on - timedelta(days=365), end=on),
        "head_count_sessions": HeadCount.objects.filter(held_on__lte=on).count(),
        "by_status": dict(Meeting.objects.values_list("status").annotate(n=Count("pk"))),
    }
    return render(request, "meetings/staff/figures.html", context)
