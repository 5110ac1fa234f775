"""The portal's meetings: a partner sees the meetings at its sites, records
head counts and weeks not held, and proposes a new meeting, a leadership
change or a change of day, time, venue or joining link for staff to confirm
(the record pages are shared with facilitators: ``views_records``). Every
object comes through ``meetings_for_portal``: another organisation's meeting
is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from meetings import picker, selectors, services, views_records
from meetings.access import may_record_for, meetings_for_portal
from meetings.forms import LeadershipForm, MeetingForm
from meetings.models import Proposal, ProposalStatus
from partners.access import organisations_for_user, portal_required, sites_for_user
from partners.models import Affiliation, OrganisationKind
from smartnet import charts
from smartnet.access import refuse
from smartnet.forms import apply_service_errors
from smartnet.roles import Role
from training import selectors as training_selectors
from training.visibility import people_for_staff


def _back_to(meeting) -> dict:
    return {
        "url": reverse("meetings_portal:detail", args=[meeting.pk]),
        "label": f"Back to {meeting.name}",
    }


def _recorder_only(request: HttpRequest) -> HttpResponse | None:
    if not may_record_for(request.user):
        return refuse(request, "Only partner contacts record head counts and propose changes.")
    return None


@portal_required
def meeting_list(request: HttpRequest) -> HttpResponse:
    meetings = (
        meetings_for_portal(request.user)
        .select_related("site", "host")
        .annotate(leadership_now=selectors.leadership_on(timezone.localdate()))
        .order_by("status", "name")
    )
    context = {"meetings": meetings, "can_record": may_record_for(request.user)}
    if request.user.role == Role.COMMISSIONER_CONTACT:
        context["impact"] = _area_impact(request.user)
    return render(request, "meetings/portal/list.html", context)


def _area_impact(user) -> dict:
    """A commissioner's areas in figures: meetings, peer-led share, attendance,
    Champions at the areas' partners, and meetings per week over the year."""
    today = timezone.localdate()
    figures = selectors.impact(meetings=meetings_for_portal(user), on=today)
    partners = sites_for_user(user).values("organisation")
    share = figures["peer_led_share"]
    figures["peer_led_percent"] = None if share is None else share * 100
    figures["champions"] = training_selectors.champion_count_at(organisations=partners, on=today)
    figures["chart"] = charts.for_screens(
        lambda width, height: charts.line_chart(
            [charts.Series("Meetings per week", figures["series"])],
            title="Meetings per week in your areas, last 12 months",
            desc="How many weekly meetings ran at sites in your areas, week by week.",
            width=width,
            height=height,
        ),
        wide=(800, 320),
    )
    return figures


def _own_people_ids(user) -> set[int]:
    """People a portal user may see named beside a meeting: those with a current
    tie (staff, volunteer, contact) to one of the user's own organisations. A
    commissioner's organisations employ no facilitators, so none."""
    return set(
        Affiliation.objects.current()
        .filter(organisation__in=organisations_for_user(user))
        .exclude(organisation__kind=OrganisationKind.COMMISSIONER)
        .values_list("person_id", flat=True)
    )


def _leadership_rows(meeting, user) -> list[dict]:
    """Leadership history with facilitators named only where the viewer's own
    organisation has them now; anyone else (a peer from elsewhere, someone who
    has moved on) is counted, not named."""
    named = _own_people_ids(user)
    rows = []
    for period in meeting.leadership.order_by("-start_date").prefetch_related("facilitators"):
        people = list(period.facilitators.all())
        rows.append(
            {
                "period": period,
                "names": [p.full_name for p in people if p.pk in named],
                "others": sum(1 for p in people if p.pk not in named),
            }
        )
    return rows


def _attendance_chart(meeting) -> charts.Chart:
    """The meeting's latest head counts over time (never a name: counts only)."""
    return charts.line_chart(
        [charts.Series("Attendance", selectors.head_count_series(meeting_id=meeting.pk))],
        title=f"Attendance at {meeting.name}, latest sessions",
        desc="How many came to each of the latest sessions.",
        width=520,
        height=260,
    )


@portal_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_object_or_404(meetings_for_portal(request.user).select_related("site"), pk=pk)
    return render(
        request,
        "meetings/portal/detail.html",
        {
            "meeting": meeting,
            "rows": _leadership_rows(meeting, request.user),
            "attendance_chart": _attendance_chart(meeting),
            "average": selectors.average_attendance(meeting_id=meeting.pk),
            "proposals": meeting.proposals.order_by("-created_at")[:10],
            "can_record": may_record_for(request.user),
            **views_records.records_context(meeting),
        },
    )


def _recording(request: HttpRequest, pk: int):
    """The meeting (404 if not the user's) and a refusal for a commissioner."""
    meeting = get_object_or_404(meetings_for_portal(request.user).select_related("site"), pk=pk)
    return meeting, _recorder_only(request)


@portal_required
def head_count_new(request: HttpRequest, pk: int) -> HttpResponse:
    meeting, refused = _recording(request, pk)
    return refused or views_records.head_count_page(request, meeting, back=_back_to(meeting))


@portal_required
def not_held_new(request: HttpRequest, pk: int) -> HttpResponse:
    meeting, refused = _recording(request, pk)
    return refused or views_records.not_held_page(request, meeting, back=_back_to(meeting))


@portal_required
def change_propose(request: HttpRequest, pk: int) -> HttpResponse:
    meeting, refused = _recording(request, pk)
    if refused:
        return refused
    organisation = meeting.host or organisations_for_user(request.user).first()
    return views_records.change_page(
        request, meeting, organisation=organisation, back=_back_to(meeting)
    )


@portal_required
def meeting_propose(request: HttpRequest) -> HttpResponse:
    refused = _recorder_only(request)
    if refused:
        return refused
    organisations = list(organisations_for_user(request.user))
    sites = sites_for_user(request.user)
    form = MeetingForm(request.POST or None, sites=sites)
    form.fields["is_public"].initial = True
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        site = data.get("site")
        organisation = organisations[0]
        if site is not None:
            organisation = next(o for o in organisations if o.pk == site.organisation_id)
        try:
            services.proposal_new_meeting(
                organisation=organisation,
                proposed_on=timezone.localdate(),
                by=request.user,
                **data,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request, "Thank you: the meeting was proposed. The central team will confirm it."
            )
            views_records.warn_about_joining_link(request, data)
            return redirect("meetings_portal:list")
    return render(
        request,
        "includes/form_page.html",
        {"form": form, "title": "Propose a new meeting", "submit": "Propose the meeting"},
    )


def _pickable(user):
    """People a partner contact may name as facilitators: those tied to their
    organisations now (someone who has moved to another partner is not offered,
    nor named), never peers (``training.visibility``)."""
    current_ties = Affiliation.objects.current().filter(
        organisation__in=organisations_for_user(user)
    )
    return (
        people_for_staff(user)
        .filter(pk__in=current_ties.values("person_id"))
        .order_by("last_name", "first_name")
    )


@portal_required
def people_search(request: HttpRequest, pk: int) -> HttpResponse:
    """The facilitator picker's matches for ``?q=`` (htmx), for the contacts who
    may propose a leadership change of one of their meetings."""
    get_object_or_404(meetings_for_portal(request.user), pk=pk)
    refused = _recorder_only(request)
    if refused:
        return refused
    return picker.results_response(
        request, _pickable(request.user), name="facilitators", show_email=False
    )


@portal_required
def leadership_propose(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_object_or_404(meetings_for_portal(request.user), pk=pk)
    refused = _recorder_only(request)
    if refused:
        return refused
    organisations = organisations_for_user(request.user)
    searching = picker.SEARCH_BUTTON in request.POST
    form = LeadershipForm(
        None if searching else (request.POST or None),
        initial=picker.form_initial(request, "facilitators") if searching else None,
        people=_pickable(request.user),
        picker_url=reverse("meetings_portal:people_search", args=[meeting.pk]),
        query=picker.picker_query(request) if searching else "",
    )
    form.fields[
        "note"
    ].help_text = (
        "A new volunteer not in the list? Give their name here; the central team adds them."
    )
    if request.method == "POST" and not searching and form.is_valid():
        data = form.cleaned_data
        organisation = meeting.host or organisations.first()
        try:
            services.proposal_leadership_change(
                organisation=organisation,
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
            messages.success(
                request, "Thank you: the change was sent to the central team to confirm."
            )
            return redirect("meetings_portal:detail", pk=meeting.pk)
    pending = Proposal.objects.filter(meeting=meeting, status=ProposalStatus.PENDING).exists()
    return render(
        request,
        "includes/form_page.html",
        {
            "form": form,
            "title": f"Propose a leadership change: {meeting.name}",
            "submit": "Send to the central team",
            "back": _back_to(meeting),
            "notice": views_records.PENDING_NOTICE if pending else "",
        },
    )
