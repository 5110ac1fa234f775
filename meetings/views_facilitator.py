"""A facilitator's meetings: the meetings they facilitate now, each with its
head counts, weeks not held and proposed changes (the record pages are the
portal's: ``views_records``). Every meeting comes through
``meetings_facilitated_by``: a meeting they do not lead now is a 404."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from meetings import views_records
from meetings.access import meetings_facilitated_by
from meetings.models import Meeting
from smartnet.access import role_required
from smartnet.roles import Role


def _meeting(request: HttpRequest, pk: int) -> Meeting:
    return get_object_or_404(
        meetings_facilitated_by(request.user).select_related("site", "host"), pk=pk
    )


def _back_to(meeting: Meeting) -> dict:
    return {
        "url": reverse("meetings_facilitator:detail", args=[meeting.pk]),
        "label": f"Back to {meeting.name}",
    }


@role_required(Role.FACILITATOR)
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    return render(
        request,
        "meetings/facilitator/detail.html",
        {"meeting": meeting, **views_records.records_context(meeting)},
    )


@role_required(Role.FACILITATOR)
def head_count_new(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    return views_records.head_count_page(request, meeting, back=_back_to(meeting))


@role_required(Role.FACILITATOR)
def not_held_new(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    return views_records.not_held_page(request, meeting, back=_back_to(meeting))


@role_required(Role.FACILITATOR)
def change_propose(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    return views_records.change_page(
        request, meeting, organisation=meeting.host, back=_back_to(meeting)
    )
