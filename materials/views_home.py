"""A facilitator's home page: what needs doing.

Where a facilitator lands after signing in with their e-mailed link: the
meetings they facilitate now with the head counts each is missing, the
materials they may ask for (the request form stays at /materials/request/),
and when their training falls due for a refresher. Materials composes it
because it already listens to both meetings and training; it reads them
through their selectors and services only.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from materials import services
from materials.forms import requestable_items
from meetings import selectors as meetings_selectors
from meetings.access import meetings_facilitated_by
from smartnet.access import refuse, role_required
from smartnet.roles import Role
from training import selectors as training_selectors
from training import services as training_services


def _refreshers(person_id: int, today) -> list[dict]:
    """Each lapsing status with when it falls due: overdue, due soon (within
    the first refresher reminder's notice), or later."""
    notice = max(training_services.reminder_offsets())
    rows = []
    for completion in training_selectors.refresher_dates_for(person_id=person_id):
        due = completion.valid_until
        state = "overdue" if due < today else "soon" if due <= today + timedelta(notice) else ""
        rows.append({"completion": completion, "due": due, "state": state})
    return rows


@role_required(Role.FACILITATOR)
def home(request: HttpRequest) -> HttpResponse:
    person = getattr(request.user, "person", None)
    if person is None:
        return refuse(
            request,
            "Your account is not linked to a record of ours yet. Please ask the central team.",
        )
    today = timezone.localdate()
    meetings = list(meetings_facilitated_by(request.user).select_related("site"))
    missing = meetings_selectors.missing_head_counts(
        meetings=meetings_facilitated_by(request.user), today=today
    )
    items = requestable_items()
    return render(
        request,
        "materials/facilitator_home.html",
        {
            "person": person,
            "rows": [{"meeting": m, "missing": missing.get(m.pk, [])} for m in meetings],
            "missing_total": sum(len(days) for days in missing.values()),
            "missing_weeks": meetings_selectors.MISSING_HEAD_COUNT_WEEKS,
            "items": [{"item": i, "limit": services.fair_use_limit(i)} for i in items],
            "fair_use_days": settings.MATERIALS_FAIR_USE_DAYS,
            "refreshers": _refreshers(person.pk, today),
        },
    )
