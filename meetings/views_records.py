"""The records a meeting's own people keep: head counts, weeks not held, and
proposed changes of day, time, venue or joining link.

One page each, shared by the portal (a partner's contacts) and the
facilitators' pages: the caller has already fetched the meeting through its
own access helper (another's meeting is a 404 there) and says where to go
back to. Thin: a form, one service, render.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from meetings import selectors, services
from meetings.conferencing import unrecognised_host_warning
from meetings.forms import ChangeProposalForm, HeadCountForm, NotHeldForm
from meetings.models import Meeting, Proposal, ProposalKind, ProposalStatus
from smartnet.forms import apply_service_errors

PENDING_NOTICE = "A change you proposed for this meeting is still waiting for the central team."


def warn_about_joining_link(request: HttpRequest, data: dict) -> None:
    """A joining link that finder apps will not read as online: say so (the
    same warning staff get when they edit a meeting)."""
    warning = unrecognised_host_warning(
        data.get("conference_url", ""), has_phone=bool(data.get("conference_phone"))
    )
    if warning:
        messages.warning(request, warning)


def _session_initial(request: HttpRequest) -> dict:
    """The session date a link chose (``?held_on=``, from a "missing" list), else today."""
    try:
        chosen = datetime.date.fromisoformat(request.GET.get("held_on", ""))
    except ValueError:
        chosen = timezone.localdate()
    return {"held_on": chosen}


def _form_page(request, form, *, title: str, submit: str, back: dict, notice: str = ""):
    return render(
        request,
        "includes/form_page.html",
        {"form": form, "title": title, "submit": submit, "back": back, "notice": notice},
    )


def records_context(meeting: Meeting) -> dict:
    """What a meeting's page shows of its records: the latest head counts and
    weeks not held, the sessions missing a count, and the proposals waiting."""
    today = timezone.localdate()
    return {
        "head_counts": meeting.head_counts.order_by("-held_on")[:8],
        "not_held": selectors.sessions_not_held(meeting_id=meeting.pk),
        "missing": selectors.missing_head_counts(
            meetings=Meeting.objects.filter(pk=meeting.pk), today=today
        ).get(meeting.pk, []),
        "missing_weeks": selectors.MISSING_HEAD_COUNT_WEEKS,
        "pending": Proposal.objects.filter(meeting=meeting, status=ProposalStatus.PENDING),
    }


def head_count_page(request: HttpRequest, meeting: Meeting, *, back: dict) -> HttpResponse:
    form = HeadCountForm(request.POST or None, initial=_session_initial(request), meeting=meeting)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.head_count_record(
                meeting=meeting,
                held_on=data["held_on"],
                attendance=data["attendance"],
                new_attendees=data["new_attendees"],
                confirmed=data["confirmed"],
                by=request.user,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "Thank you: the head count was recorded.")
            return redirect(back["url"])
    return _form_page(
        request,
        form,
        title=f"Record a head count: {meeting.name}",
        submit="Record the head count",
        back=back,
    )


def not_held_page(request: HttpRequest, meeting: Meeting, *, back: dict) -> HttpResponse:
    form = NotHeldForm(request.POST or None, initial=_session_initial(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.session_not_held_record(
                meeting=meeting, held_on=data["held_on"], reason=data["reason"], by=request.user
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request, f"Noted: the meeting did not run on {data['held_on']:%d %B %Y}."
            )
            return redirect(back["url"])
    return _form_page(
        request,
        form,
        title=f"Mark a week as not held: {meeting.name}",
        submit="Mark it as not held",
        back=back,
    )


def change_page(
    request: HttpRequest, meeting: Meeting, *, organisation, back: dict
) -> HttpResponse:
    form = ChangeProposalForm(request.POST or None, meeting=meeting)
    if request.method == "POST" and form.is_valid():
        changes = form.changes()
        try:
            services.proposal_change(
                organisation=organisation,
                meeting=meeting,
                changes=changes,
                note=form.cleaned_data["note"],
                by=request.user,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request,
                "Thank you: the change was sent to the central team. The finder and the "
                "feeds show it once they accept it.",
            )
            warn_about_joining_link(request, changes)
            return redirect(back["url"])
    pending = Proposal.objects.filter(
        meeting=meeting, kind=ProposalKind.CHANGE, status=ProposalStatus.PENDING
    ).exists()
    return _form_page(
        request,
        form,
        title=f"Propose a change: {meeting.name}",
        submit="Send to the central team",
        back=back,
        notice=PENDING_NOTICE if pending else "",
    )
