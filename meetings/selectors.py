"""Reads of the meetings network, each correct for any past date.

Every figure is computed from the dated lifecycle (``MeetingStatusChange``)
and leadership (``LeadershipPeriod``) history, never from a stored counter,
so asking about a date four years ago gives the answer that was true then.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db.models import Avg, Count, F, Max, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from meetings.models import (
    IN_PERSON_FORMATS,
    OPEN_STATUSES,
    HeadCount,
    Leadership,
    LeadershipPeriod,
    Meeting,
    MeetingStatusChange,
    SessionNotHeld,
    Status,
)
from partners.models import Organisation
from partners.selectors import first_signed_on_by_organisation, partner_ids_on

SHARE_PLACES = Decimal("0.0001")


def _status_on(on: date) -> Subquery:
    """The status a meeting had at the end of day ``on`` (None before its first change)."""
    return Subquery(
        MeetingStatusChange.objects.filter(meeting=OuterRef("pk"), on__lte=on)
        .order_by("-on", "-pk")
        .values("status")[:1]
    )


def active_meetings_on(*, on: date) -> QuerySet[Meeting]:
    """Meetings that were active (running weekly) on ``on``."""
    return Meeting.objects.annotate(status_then=_status_on(on)).filter(status_then=Status.ACTIVE)


def meetings_per_week(*, on: date) -> int:
    """The network's size: how many weekly meetings were active on ``on``."""
    return active_meetings_on(on=on).count()


def meetings_per_week_where(*, on: date, **filters) -> int:
    """Active weekly meetings on ``on`` with these fields (format, programme)."""
    return active_meetings_on(on=on).filter(**filters).count()


def active_facilitator_ids(*, on: date) -> set[int]:
    """People leading a meeting that was active on ``on`` (a period in force that day)."""
    return set(
        LeadershipPeriod.objects.in_force(on)
        .filter(meeting__in=active_meetings_on(on=on).values("pk"))
        .exclude(facilitators__isnull=True)
        .values_list("facilitators", flat=True)
    )


def _active_intervals(
    meetings: QuerySet[Meeting] | None = None,
) -> dict[int, list[tuple[date, date | None]]]:
    """Each meeting's active stretches [from, to) from its status history, in one query
    (of every meeting, or of ``meetings``)."""
    intervals: dict[int, list[tuple[date, date | None]]] = defaultdict(list)
    current: dict[int, date | None] = {}
    changes = MeetingStatusChange.objects.all()
    if meetings is not None:
        changes = changes.filter(meeting__in=meetings.values("pk"))
    rows = changes.order_by("meeting_id", "on", "pk").values_list("meeting_id", "on", "status")
    for meeting_id, on, status in rows:
        began = current.get(meeting_id)
        if status == Status.ACTIVE:
            if began is None:
                current[meeting_id] = on
        elif began is not None:
            if on > began:
                intervals[meeting_id].append((began, on))
            current[meeting_id] = None
    for meeting_id, began in current.items():
        if began is not None:
            intervals[meeting_id].append((began, None))
    return intervals


def meetings_per_week_series(
    *, start: date, end: date, meetings: QuerySet[Meeting] | None = None
) -> list[tuple[date, int]]:
    """Meetings per week on every Monday from ``start`` (rounded back to a Monday)
    to ``end``, in one query: a sweep over the active stretches (of every
    meeting, or of ``meetings``)."""
    first = start - timedelta(days=start.weekday())
    mondays = []
    day = first
    while day <= end:
        mondays.append(day)
        day += timedelta(days=7)
    if not mondays:
        return []
    # +1 on the Monday a stretch first counts, -1 on the Monday it no longer does.
    delta: dict[date, int] = defaultdict(int)
    for stretches in _active_intervals(meetings).values():
        for began, ended in stretches:
            # Active on Monday m when began <= m < ended.
            first_monday = began + timedelta(days=(7 - began.weekday()) % 7)
            delta[max(first_monday, first)] += 1
            if ended is not None:
                after = ended + timedelta(days=(7 - ended.weekday()) % 7)
                if after <= first_monday:
                    delta[max(first_monday, first)] -= 1
                else:
                    delta[max(after, first)] -= 1
    series = []
    running = 0
    for monday in mondays:
        running += delta.get(monday, 0)
        series.append((monday, running))
    return series


def new_meetings_count(*, start: date, end: date) -> int:
    """Meetings that first became active between ``start`` and ``end`` inclusive."""
    return (
        Meeting.objects.annotate(
            first_active=Min("status_changes__on", filter=Q(status_changes__status=Status.ACTIVE))
        )
        .filter(first_active__gte=start, first_active__lte=end)
        .count()
    )


def closed_meetings_count(*, start: date, end: date) -> int:
    """Meetings closed between ``start`` and ``end`` inclusive."""
    return (
        MeetingStatusChange.objects.filter(status=Status.CLOSED, on__gte=start, on__lte=end)
        .values("meeting")
        .distinct()
        .count()
    )


def weekly_openings_and_closures(*, start: date, end: date) -> list[tuple[date, int, int]]:
    """(Monday, new, closed) for each week from ``start`` to ``end``, in two queries."""
    first = start - timedelta(days=start.weekday())
    firsts = (
        Meeting.objects.annotate(
            first_active=Min("status_changes__on", filter=Q(status_changes__status=Status.ACTIVE))
        )
        .filter(first_active__gte=first, first_active__lte=end)
        .values_list("first_active", flat=True)
    )
    closures = MeetingStatusChange.objects.filter(
        status=Status.CLOSED, on__gte=first, on__lte=end
    ).values_list("on", flat=True)
    new: dict[date, int] = defaultdict(int)
    closed: dict[date, int] = defaultdict(int)
    for day in firsts:
        new[day - timedelta(days=day.weekday())] += 1
    for day in closures:
        closed[day - timedelta(days=day.weekday())] += 1
    rows = []
    monday = first
    while monday <= end:
        rows.append((monday, new.get(monday, 0), closed.get(monday, 0)))
        monday += timedelta(days=7)
    return rows


def leadership_on(on: date) -> Subquery:
    """The kind of leadership a meeting had on ``on``: the latest period begun by
    then and not yet ended (None if none recorded). A period dated after ``on``
    is planned and does not count yet: every figure and list asks this."""
    return Subquery(
        LeadershipPeriod.objects.filter(meeting=OuterRef("pk"))
        .in_force(on)
        .order_by("-start_date", "-pk")
        .values("kind")[:1]
    )


def peer_led_share(*, on: date) -> Decimal | None:
    """Share of the meetings active on ``on`` that were peer led that day (None if
    none active). Counted in the database, one query."""
    totals = (
        active_meetings_on(on=on)
        .annotate(led_then=leadership_on(on))
        .aggregate(
            active=Count("pk"),
            peer=Count("pk", filter=Q(led_then=Leadership.PEER_LED)),
        )
    )
    if not totals["active"]:
        return None
    return (Decimal(totals["peer"]) / Decimal(totals["active"])).quantize(SHARE_PLACES)


def _first_peer_led_by_partner(*, on: date | None = None) -> dict[int, date]:
    """partner organisation id -> first day a meeting of theirs was peer led (up to ``on``).

    A meeting counts for its host organisation, or, with no host, for the
    organisation whose site it meets at.
    """
    periods = LeadershipPeriod.objects.filter(kind=Leadership.PEER_LED)
    if on is not None:
        periods = periods.filter(start_date__lte=on)
    rows = (
        periods.annotate(
            partner=Coalesce(F("meeting__host_id"), F("meeting__site__organisation_id"))
        )
        .filter(partner__isnull=False)
        .values("partner")
        .annotate(first=Min("start_date"))
        .values_list("partner", "first")
    )
    return dict(rows)


def peer_led_lag(*, on: date | None = None) -> dict:
    """Time from each partner's first agreement signing to its first peer-led meeting.

    Returns ``{"days": {org_id: days}, "median_days": float | None,
    "distribution": [(label, count), ...], "never": int}``; ``never`` counts
    partners signed by ``on`` with no peer-led meeting yet.
    """

    # Planned (future-dated) peer-led periods do not count until their date.
    on = on or timezone.localdate()
    signed = {org: day for org, day in first_signed_on_by_organisation().items() if day <= on}
    first_peer = _first_peer_led_by_partner(on=on)
    days = {
        org: max(0, (first_peer[org] - signed_on).days)
        for org, signed_on in signed.items()
        if org in first_peer
    }
    buckets = [
        ("under 6 months", 0, 183),
        ("6 to 12 months", 183, 366),
        ("12 to 18 months", 366, 548),
        ("18 to 24 months", 548, 731),
        ("over 24 months", 731, None),
    ]
    distribution = [
        (label, sum(1 for d in days.values() if d >= low and (high is None or d < high)))
        for label, low, high in buckets
    ]
    return {
        "days": days,
        "median_days": statistics.median(days.values()) if days else None,
        "distribution": distribution,
        "never": len(signed) - len(days),
    }


def partners_behind_on_peer_led(*, on: date) -> list[dict]:
    """Partners on ``on`` whose first agreement was signed over 12 months before,
    with no peer-led meeting at their sites by then; longest-waiting first."""

    cutoff = on - relativedelta(months=12)
    signed = first_signed_on_by_organisation()
    partners = partner_ids_on(on=on)
    first_peer = _first_peer_led_by_partner(on=on)
    behind = {
        org: signed[org]
        for org in partners
        if org in signed and signed[org] < cutoff and org not in first_peer
    }
    names = dict(Organisation.objects.filter(pk__in=behind).values_list("pk", "name"))
    rows = []
    for org, signed_on in behind.items():
        delta = relativedelta(on, signed_on)
        rows.append(
            {
                "organisation_id": org,
                "name": names.get(org, ""),
                "signed_on": signed_on,
                "months_since": delta.years * 12 + delta.months,
            }
        )
    rows.sort(key=lambda r: (r["signed_on"], r["name"]))
    return rows


def transitioned_on(*, meeting_id: int, on: date | None = None) -> date | None:
    """The first day the meeting was peer led ("transitioned") by ``on`` (default
    today), or None. Kept even if it later went back to professional leadership;
    a planned peer-led period is not a transition yet."""
    return LeadershipPeriod.objects.filter(
        meeting_id=meeting_id, kind=Leadership.PEER_LED, start_date__lte=on or timezone.localdate()
    ).aggregate(first=Min("start_date"))["first"]


def current_facilitator_ids(*, meeting_id: int, on: date | None = None) -> list[int]:
    """The people leading the meeting on ``on`` (default today)."""
    return list(
        LeadershipPeriod.objects.filter(meeting_id=meeting_id)
        .in_force(on)
        .values_list("facilitators", flat=True)
        .exclude(facilitators__isnull=True)
        .order_by("facilitators")
    )


def meetings_for_facilitator(*, person_id: int) -> QuerySet[Meeting]:
    """Open (proposed, active, paused) meetings the person currently facilitates."""
    return (
        Meeting.objects.filter(
            status__in=OPEN_STATUSES,
            leadership__in=LeadershipPeriod.objects.in_force().filter(facilitators=person_id),
        )
        .distinct()
        .order_by("name")
    )


# How far back a facilitator's or partner's "head counts missing" list looks.
MISSING_HEAD_COUNT_WEEKS = 8


def _weekday_timelines(meeting_ids, since: date) -> dict[int, list[tuple[date, int]]]:
    """meeting id -> [(first day, weekday)] of the weekdays it ran on from
    ``since`` (its history: the record in force at ``since``, then each change),
    oldest first. Two queries, whatever the number of meetings."""
    history = Meeting.history.model.objects.filter(id__in=meeting_ids)
    start = timezone.make_aware(datetime.combine(since, time.min))
    before = dict(
        history.filter(history_date__lt=start)
        .values("id")
        .annotate(last=Max("history_date"))
        .values_list("id", "last")
    )
    rows = history.filter(
        Q(history_date__gte=start) | Q(history_date__in=list(before.values()))
    ).order_by("history_date")
    timelines: dict[int, list[tuple[date, int]]] = defaultdict(list)
    for meeting_id, when, weekday in rows.values_list("id", "history_date", "weekday"):
        if when < start and before.get(meeting_id) != when:
            continue  # another meeting's record of the same instant
        day = max(timezone.localtime(when).date(), since)
        timeline = timelines[meeting_id]
        if timeline and timeline[-1][0] == day:
            timeline[-1] = (day, weekday)  # the day's last change stands for the day
        else:
            timeline.append((day, weekday))
    return timelines


def _weekday_on(timeline: list[tuple[date, int]], day: date, now: int) -> int:
    weekday = now if not timeline or day >= timeline[0][0] else timeline[0][1]
    for first, value in timeline:
        if first > day:
            break
        weekday = value
    return weekday


def missing_head_counts(
    *, meetings: QuerySet[Meeting], today: date, weeks: int = MISSING_HEAD_COUNT_WEEKS
) -> dict[int, list[date]]:
    """meeting id -> the session dates of the last ``weeks`` weeks (up to and
    including ``today``) with no head count, newest first. A session is a date
    on the weekday the meeting ran on then (a meeting moved to another day has
    its sessions on the old day before the move) while it was active (its status
    history: not before it opened, not while paused, not after it closed); a
    week marked not held is not missing. Six queries, whatever the number of
    meetings."""
    start = today - timedelta(weeks=weeks) + timedelta(days=1)
    weekdays = dict(meetings.values_list("pk", "weekday"))
    if not weekdays:
        return {}
    done: dict[int, set[date]] = defaultdict(set)
    for model in (HeadCount, SessionNotHeld):
        rows = model.objects.filter(meeting_id__in=weekdays, held_on__gte=start, held_on__lte=today)
        for meeting_id, held_on in rows.values_list("meeting_id", "held_on"):
            done[meeting_id].add(held_on)
    intervals = _active_intervals(Meeting.objects.filter(pk__in=weekdays))
    timelines = _weekday_timelines(list(weekdays), start)
    missing: dict[int, list[date]] = {}
    for meeting_id, weekday in weekdays.items():
        found = []
        day = today
        while day >= start:
            runs_on = _weekday_on(timelines.get(meeting_id, []), day, weekday)
            running = day.weekday() == runs_on and any(
                began <= day and (ended is None or day < ended)
                for began, ended in intervals.get(meeting_id, [])
            )
            if running and day not in done[meeting_id]:
                found.append(day)
            day -= timedelta(days=1)
        missing[meeting_id] = found
    return missing


def sessions_not_held(*, meeting_id: int, limit: int = 10) -> QuerySet[SessionNotHeld]:
    """The meeting's latest weeks marked not held, newest first."""
    return SessionNotHeld.objects.filter(meeting_id=meeting_id).order_by("-held_on")[:limit]


def usual_attendance(*, meeting_id: int, sessions: int = 12) -> int | None:
    """The meeting's usual size: the median of its latest ``sessions`` head
    counts, once it has at least three (None before: too few to say)."""
    counts = list(
        HeadCount.objects.filter(meeting_id=meeting_id)
        .order_by("-held_on")
        .values_list("attendance", flat=True)[:sessions]
    )
    if len(counts) < 3:
        return None
    return round(statistics.median(counts))


def meetings_without_map_point() -> list[Meeting]:
    """Open in-person and hybrid meetings with no coordinates (site or venue)."""
    return list(
        Meeting.objects.filter(
            status__in=OPEN_STATUSES,
            format__in=IN_PERSON_FORMATS,
            site__latitude__isnull=True,
            venue_latitude__isnull=True,
        )
        .select_related("site")
        .order_by("name", "pk")
    )


def meeting_label(*, meeting_id: int) -> str:
    """How a meeting is named on a parcel and in the materials queue."""
    meeting = Meeting.objects.filter(pk=meeting_id).first()
    return str(meeting) if meeting else f"Meeting {meeting_id}"


def facilitated_meeting_lines(person_id: int) -> list[str]:
    """The person's meetings as lines for their training page."""
    return [str(m) for m in meetings_for_facilitator(person_id=person_id)]


def meeting_accepts_materials(*, meeting_id: int, person_id: int | None) -> bool:
    """Whether materials may be sent for this meeting: it is active and, when a
    person asks, that person currently facilitates it."""
    meetings = Meeting.objects.filter(pk=meeting_id, status=Status.ACTIVE)
    if person_id is not None:
        meetings = meetings.filter(
            leadership__in=LeadershipPeriod.objects.in_force().filter(facilitators=person_id)
        )
    return meetings.exists()


def average_attendance(
    *, meeting_id: int | None = None, start: date | None = None, end: date | None = None
) -> Decimal | None:
    """Mean head count over sessions (one meeting, or the network), to one place."""

    counts = HeadCount.objects.all()
    if meeting_id is not None:
        counts = counts.filter(meeting_id=meeting_id)
    if start is not None:
        counts = counts.filter(held_on__gte=start)
    if end is not None:
        counts = counts.filter(held_on__lte=end)
    mean = counts.aggregate(mean=Avg("attendance"))["mean"]
    return None if mean is None else Decimal(str(mean)).quantize(Decimal("0.1"))


def head_count_series(*, meeting_id: int, limit: int = 26) -> list[tuple[date, int]]:
    """The meeting's latest ``limit`` head counts, oldest first: (session date, attendance)."""
    rows = list(
        HeadCount.objects.filter(meeting_id=meeting_id)
        .order_by("-held_on")
        .values_list("held_on", "attendance")[:limit]
    )
    return rows[::-1]


def impact(*, meetings: QuerySet[Meeting], on: date, weeks: int = 52) -> dict:
    """What a set of meetings (a commissioner's areas) achieves, on ``on``: active
    meetings, the peer-led share of them, average attendance and sessions counted
    over the last twelve weeks, and meetings per week over ``weeks``. Five queries,
    whatever the number of meetings."""
    ids = meetings.values("pk")
    totals = (
        active_meetings_on(on=on)
        .filter(pk__in=ids)
        .annotate(led_then=leadership_on(on))
        .aggregate(
            active=Count("pk"),
            peer=Count("pk", filter=Q(led_then=Leadership.PEER_LED)),
        )
    )
    since = on - timedelta(weeks=12)
    counts = HeadCount.objects.filter(meeting__in=ids, held_on__gt=since, held_on__lte=on)
    attendance = counts.aggregate(mean=Avg("attendance"), sessions=Count("pk"))
    share = None
    if totals["active"]:
        share = (Decimal(totals["peer"]) / Decimal(totals["active"])).quantize(SHARE_PLACES)
    mean = attendance["mean"]
    series = meetings_per_week_series(start=on - timedelta(weeks=weeks), end=on, meetings=meetings)
    # The series ends on ``on`` with the figure the headline prints.
    series = [point for point in series if point[0] != on] + [(on, totals["active"])]
    return {
        "active": totals["active"],
        "peer_led": totals["peer"],
        "peer_led_share": share,
        "average_attendance": None if mean is None else Decimal(str(mean)).quantize(Decimal("0.1")),
        "sessions": attendance["sessions"],
        "series": series,
    }
