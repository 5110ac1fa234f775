"""Writes to the meetings network. Every change to a Meeting, its lifecycle,
its leadership or its head counts goes through a function here.

Each function validates first and raises ``ValidationError`` with a message
naming the field, then writes inside ``transaction.atomic()``, so bad input
saves nothing at all.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from meetings import feeds_cache, geocoding, public_text
from meetings.models import (
    IN_PERSON_FORMATS,
    ONLINE_FORMATS,
    HeadCount,
    Leadership,
    LeadershipPeriod,
    Meeting,
    MeetingStatusChange,
    NotHeldReason,
    Programme,
    Proposal,
    ProposalKind,
    ProposalStatus,
    SessionNotHeld,
    Status,
    Weekday,
)
from meetings.selectors import current_facilitator_ids, usual_attendance
from meetings.signals import facilitators_named, meeting_started
from partners.models import Organisation
from partners.selectors import staff_person_ids
from partners.validators import normalise_uk_postcode
from training.selectors import trained_facilitator_ids

# A head count above the meeting's usual size (``head_count_confirm_above``),
# and always above this, needs the recorder to confirm it; above the hard
# limit it is refused outright (no weekly meeting room holds that many).
HEAD_COUNT_CONFIRM_ABOVE = 200
HEAD_COUNT_MAX = 2000
# A week can be marked not held this far ahead (a holiday known in advance).
NOT_HELD_AHEAD_DAYS = 182

# What a facilitator or partner may propose to change (staff review it):
# the day, the time, the venue and the joining details.
VENUE_FIELDS = (
    "venue_name",
    "venue_address_line_1",
    "venue_address_line_2",
    "venue_town",
    "venue_postcode",
    "directions",
)
JOINING_FIELDS = ("conference_url", "conference_phone", "conference_notes")
CHANGE_FIELDS = ("weekday", "start_time", "end_time", *VENUE_FIELDS, *JOINING_FIELDS)

MEETING_FIELDS = (
    "name",
    "programme",
    "weekday",
    "start_time",
    "end_time",
    "format",
    "site",
    "venue_name",
    "venue_address_line_1",
    "venue_address_line_2",
    "venue_town",
    "venue_postcode",
    "venue_latitude",
    "venue_longitude",
    "directions",
    "wheelchair_access",
    "conference_url",
    "conference_phone",
    "conference_notes",
    "notes",
    "is_public",
    "host",
)

# Public URLs under /meetings/ that a meeting's slug must not shadow.
RESERVED_SLUGS = {"feed", "calendar", "regions"}

# Which lifecycle steps are allowed: from -> to.
TRANSITIONS = {
    Status.PROPOSED: {Status.ACTIVE, Status.CLOSED},
    Status.ACTIVE: {Status.PAUSED, Status.CLOSED},
    Status.PAUSED: {Status.ACTIVE, Status.CLOSED},
    Status.CLOSED: set(),
}


def phone_digits(value: str) -> int:
    return len(re.sub(r"\D", "", value or ""))


def meeting_errors(meeting: Meeting) -> dict[str, str]:
    """The bad-input rules for a meeting's details, as {field: message}."""
    errors: dict[str, str] = {}
    if not (meeting.name or "").strip():
        errors["name"] = "Give the meeting a name."
    if meeting.start_time and meeting.end_time and meeting.end_time <= meeting.start_time:
        errors["end_time"] = "The end time must be after the start time."
    if meeting.format in ONLINE_FORMATS:
        if not meeting.conference_url and not meeting.conference_phone:
            errors["conference_url"] = (
                "An online or hybrid meeting needs a joining link or a phone number."
            )
        elif meeting.conference_phone and phone_digits(meeting.conference_phone) < 10:
            errors["conference_phone"] = "A joining phone number needs at least 10 digits."
    if meeting.conference_url and urlsplit(meeting.conference_url).scheme.lower() != "https":
        errors["conference_url"] = (
            "The joining link must be a secure link starting with https:// "
            "(meeting apps and browsers refuse others)."
        )
    if meeting.format in IN_PERSON_FORMATS and not meeting.site_id:
        if not meeting.venue_postcode or not meeting.venue_address_line_1:
            errors["site"] = (
                "An in-person or hybrid meeting needs a venue: choose a partner site, "
                "or give the community venue's address and postcode."
            )
        elif not meeting.venue_town:
            errors["venue_town"] = "Give the town of the community venue."
    if meeting.venue_postcode:
        try:
            meeting.venue_postcode = normalise_uk_postcode(meeting.venue_postcode)
        except ValidationError:
            errors["venue_postcode"] = "Enter a UK postcode such as SW1A 1AA."
    if meeting.programme == Programme.PRISON and meeting.is_public:
        errors["is_public"] = "A prisons-programme meeting is never listed publicly."
    return errors


def _unique_slug(name: str, town: str, *, exclude_pk: int | None = None) -> str:
    base = slugify(f"{name} {town}".strip())[:56].strip("-") or "meeting"
    if base in RESERVED_SLUGS:
        base = f"{base}-meeting"
    slug, n = base, 2
    taken = Meeting.objects.all() if exclude_pk is None else Meeting.objects.exclude(pk=exclude_pk)
    while taken.filter(slug=slug).exists():
        slug = f"{base}-{n}"
        n += 1
    return slug


def _touch(meeting: Meeting) -> None:
    meeting.updated_at = timezone.now()
    transaction.on_commit(feeds_cache.invalidate)


def meeting_create(*, proposed_on: date, recorded_by=None, slug: str = "", **fields) -> Meeting:
    """Create a meeting in the *proposed* state (not listed until it is active)."""
    unknown = set(fields) - set(MEETING_FIELDS)
    if unknown:
        raise TypeError(f"unknown meeting fields: {sorted(unknown)}")
    meeting = Meeting(**fields)
    if meeting.programme == Programme.PRISON:
        meeting.is_public = False
    if meeting.site is not None and not meeting.host_id:
        meeting.host_id = meeting.site.organisation_id
    errors = meeting_errors(meeting)
    if slug and (Meeting.objects.filter(slug=slug).exists() or slug in RESERVED_SLUGS):
        errors["slug"] = "Another meeting already has this web address (slug)."
    if errors:
        raise ValidationError(errors)
    meeting.slug = slug or _unique_slug(meeting.name, meeting.town)
    meeting.status = Status.PROPOSED
    with transaction.atomic():
        _touch(meeting)
        meeting.full_clean()
        meeting.save()
        MeetingStatusChange.objects.create(
            meeting=meeting, status=Status.PROPOSED, on=proposed_on, recorded_by=recorded_by
        )
        geocoding.place_meeting_on_save(meeting)
    meeting.refresh_from_db(fields=["venue_latitude", "venue_longitude", "venue_unplaced"])
    return meeting


def meeting_update(*, meeting: Meeting, **fields) -> Meeting:
    """Change a meeting's details (not its lifecycle or leadership)."""
    unknown = set(fields) - set(MEETING_FIELDS)
    if unknown:
        raise TypeError(f"unknown meeting fields: {sorted(unknown)}")
    changed = Meeting.objects.get(pk=meeting.pk)
    old_point = (changed.venue_postcode, changed.venue_latitude, changed.venue_longitude)
    for name, value in fields.items():
        setattr(changed, name, value)
    # A new postcode with the old coordinates: find the new venue's point.
    if (
        changed.venue_postcode != old_point[0]
        and (changed.venue_latitude, changed.venue_longitude) == old_point[1:]
    ):
        changed.venue_latitude = changed.venue_longitude = None
        changed.venue_unplaced = False
    if changed.programme == Programme.PRISON:
        changed.is_public = False
    errors = meeting_errors(changed)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        _touch(changed)
        changed.full_clean()
        changed.save()
        geocoding.place_meeting_on_save(changed)
    changed.refresh_from_db(fields=["venue_latitude", "venue_longitude", "venue_unplaced"])
    return changed


def _change_status(
    *, meeting: Meeting, to: str, on: date, reason: str = "", by=None
) -> MeetingStatusChange:
    # Lock the row so two staff pressing the button at once take turns.
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if to not in TRANSITIONS[Status(locked.status)]:
        raise ValidationError(
            {
                "status": f"A {locked.get_status_display().lower()} meeting cannot become "
                f"{Status(to).label.lower()}."
            }
        )
    last = locked.status_changes.order_by("-on", "-pk").first()
    if last is not None and on < last.on:
        raise ValidationError(
            {
                "on": f"The date must be on or after {last.on:%d %B %Y}, when the meeting "
                f"last changed ({last.get_status_display().lower()}): history is not rewritten."
            }
        )
    locked.status = to
    if to == Status.CLOSED:
        locked.closure_reason = reason
    _touch(locked)
    locked.save(update_fields=["status", "closure_reason", "updated_at"])
    meeting.status = locked.status
    meeting.closure_reason = locked.closure_reason
    meeting.updated_at = locked.updated_at
    return MeetingStatusChange.objects.create(
        meeting=locked, status=to, on=on, reason=reason, recorded_by=by
    )


def meeting_activate(*, meeting: Meeting, on: date, by=None) -> MeetingStatusChange:
    """Open (or reopen) a meeting. The first time it opens, ``meeting_started`` is
    sent once: the claim is a conditional update of ``first_active_on`` whose
    row count is checked, so a repeat or a race sends nothing. It is sent inside
    the transaction, so what its receivers queue (an outbox row, sent after
    commit) commits with the change or not at all: no crash between the two
    can lose the starter pack."""
    with transaction.atomic():
        change = _change_status(meeting=meeting, to=Status.ACTIVE, on=on, by=by)
        claimed = Meeting.objects.filter(pk=meeting.pk, first_active_on__isnull=True).update(
            first_active_on=on
        )
        if claimed == 1:
            meeting.first_active_on = on
            meeting_started.send(
                sender=Meeting,
                meeting_id=meeting.pk,
                facilitator_person_ids=current_facilitator_ids(meeting_id=meeting.pk, on=on),
            )
    return change


def meeting_pause(*, meeting: Meeting, on: date, reason: str = "", by=None) -> MeetingStatusChange:
    """Pause an active meeting (it leaves the public listings until reopened)."""
    with transaction.atomic():
        return _change_status(meeting=meeting, to=Status.PAUSED, on=on, reason=reason, by=by)


def meeting_close(*, meeting: Meeting, on: date, reason: str, by=None) -> MeetingStatusChange:
    """Close a meeting for good, with a reason; its open leadership period ends that day."""
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the meeting is closing."})
    with transaction.atomic():
        change = _change_status(meeting=meeting, to=Status.CLOSED, on=on, reason=reason, by=by)
        period = LeadershipPeriod.objects.filter(meeting=meeting, end_date__isnull=True).first()
        if period is not None:
            if on < period.start_date:
                raise ValidationError(
                    {
                        "on": f"The meeting's current leadership began on {period.start_date}; "
                        "it cannot close before that."
                    }
                )
            period.end_date = on
            period.save(update_fields=["end_date"])
    return change


# Leadership that counts as peer leadership needs a peer among its facilitators.
PEER_KINDS = (Leadership.CO_FACILITATED, Leadership.PEER_LED)
KIND_WORDS = {Leadership.CO_FACILITATED: "co-facilitated", Leadership.PEER_LED: "peer-led"}


def peer_ids(*, meeting: Meeting, person_ids: Iterable[int], on: date) -> set[int]:
    """Those of ``person_ids`` who count as peers for ``meeting`` on ``on``: they
    hold facilitator status (training) by then and are not in a staff role of
    the meeting's host organisation that day. One owner for the rule."""
    ids = list(person_ids)
    if not ids:
        return set()
    trained = trained_facilitator_ids(person_ids=ids, on=on)
    host_id = meeting.partner_id
    staff = (
        staff_person_ids(organisation_id=host_id, person_ids=trained, on=on) if host_id else set()
    )
    return trained - staff


def leadership_facilitator_errors(
    *, meeting: Meeting, kind: str, start_date: date, facilitators: Iterable, field: str
) -> dict[str, str]:
    """Why the facilitators cannot lead a co-facilitated or peer-led period (empty
    when they can, and for professional leadership). The message names who is
    missing what."""
    if kind not in PEER_KINDS:
        return {}
    people = list(facilitators)
    words = KIND_WORDS[Leadership(kind)]
    host_id = meeting.partner_id
    host = Organisation.objects.filter(pk=host_id).first() if host_id else None
    host_name = host.name if host else "the host"
    rule = (
        f"A {words} period needs at least one facilitator who holds facilitator status "
        f"(trained by {start_date:%d %B %Y}) and is not in a staff role at {host_name} "
        "on that date"
    )
    if not people:
        return {field: f"{rule}: choose at least one facilitator."}
    ids = [p.pk for p in people]
    if peer_ids(meeting=meeting, person_ids=ids, on=start_date):
        return {}
    trained = trained_facilitator_ids(person_ids=ids, on=start_date)
    staff = (
        staff_person_ids(organisation_id=host.pk, person_ids=ids, on=start_date) if host else set()
    )
    reasons = []
    for person in people:
        missing = []
        if person.pk not in trained:
            missing.append("has no facilitator training by then")
        if person.pk in staff:
            missing.append(f"is in a staff role at {host_name}")
        reasons.append(f"{person.full_name} {' and '.join(missing)}")
    return {field: f"{rule}. " + "; ".join(reasons) + "."}


def _announce_facilitators(
    *, meeting: Meeting, kind: str, start_date: date, people: list, before: set[int]
) -> None:
    """Tell listeners (materials: the starter pack) who now leads a running
    meeting: every facilitator named, and the peers new to it."""
    if not people or Meeting.objects.filter(pk=meeting.pk, first_active_on__isnull=True).exists():
        return
    ids = [p.pk for p in people]
    new_peers = (
        sorted(peer_ids(meeting=meeting, person_ids=set(ids) - before, on=start_date))
        if kind in PEER_KINDS
        else []
    )
    facilitators_named.send(
        sender=Meeting,
        meeting_id=meeting.pk,
        facilitator_person_ids=ids,
        new_peer_person_ids=new_peers,
    )


def leadership_change(
    *,
    meeting: Meeting,
    kind: str,
    start_date: date,
    facilitators: Iterable = (),
    note: str = "",
    by=None,
) -> LeadershipPeriod:
    """Record a new leadership period from ``start_date``.

    The previous period is closed the day before; it is never edited
    otherwise (staff correct a wrong one with ``leadership_correct``). A start
    on or before the previous period's start would overlap it, and is refused
    (as is any change to a closed meeting). A co-facilitated or peer-led
    period needs a peer facilitator (``leadership_facilitator_errors``). A
    start after today is recorded as planned: it counts from its date.
    """
    if kind not in Leadership.values:
        raise ValidationError({"kind": "Choose professional, co-facilitated or peer led."})
    if meeting.status == Status.CLOSED:
        raise ValidationError({"kind": "This meeting is closed; its leadership cannot change."})
    people = list(facilitators)
    errors = leadership_facilitator_errors(
        meeting=meeting, kind=kind, start_date=start_date, facilitators=people, field="facilitators"
    )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        Meeting.objects.select_for_update().get(pk=meeting.pk)
        periods = list(LeadershipPeriod.objects.filter(meeting=meeting).order_by("start_date"))
        for period in periods:
            ends = period.end_date
            if start_date <= period.start_date or (ends is not None and start_date <= ends):
                raise ValidationError(
                    {
                        "start_date": f"A leadership period from {start_date:%d %B %Y} would "
                        f"overlap the {period.get_kind_display().lower()} period that began on "
                        f"{period.start_date:%d %B %Y}. Leadership history is never "
                        "overwritten: choose a later start date."
                    }
                )
        current = periods[-1] if periods and periods[-1].end_date is None else None
        before: set[int] = set()
        if current is not None:
            before = set(current.facilitators.values_list("pk", flat=True))
            current.end_date = start_date - timedelta(days=1)
            current.save(update_fields=["end_date"])
        new = LeadershipPeriod.objects.create(
            meeting=meeting, kind=kind, start_date=start_date, note=note, recorded_by=by
        )
        if people:
            new.facilitators.set(people)
        Meeting.objects.filter(pk=meeting.pk).update(updated_at=timezone.now())
        _announce_facilitators(
            meeting=meeting, kind=kind, start_date=start_date, people=people, before=before
        )
        transaction.on_commit(feeds_cache.invalidate)
    return new


def leadership_correct(
    *,
    period: LeadershipPeriod,
    kind: str,
    start_date: date,
    end_date: date | None,
    facilitators: Iterable,
    reason: str,
    by=None,
) -> LeadershipPeriod:
    """Staff correct a leadership period recorded wrongly: its dates, kind and
    facilitators, with a reason kept in its audit history (who, when, why).

    The same rules as a new period hold: it ends on or after it starts, it
    overlaps no other period of the meeting, only the latest may stay open,
    and a co-facilitated or peer-led period needs a peer facilitator. Every
    figure is computed from the periods, so the figures follow at once.
    """
    errors: dict[str, str] = {}
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = "Say why the period is being corrected."
    if kind not in Leadership.values:
        errors["kind"] = "Choose professional, co-facilitated or peer led."
    if end_date is not None and end_date < start_date:
        errors["end_date"] = "The period cannot end before it starts."
    if errors:
        raise ValidationError(errors)
    meeting = period.meeting
    people = list(facilitators)
    errors = leadership_facilitator_errors(
        meeting=meeting, kind=kind, start_date=start_date, facilitators=people, field="facilitators"
    )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        Meeting.objects.select_for_update().get(pk=meeting.pk)
        others = list(
            LeadershipPeriod.objects.filter(meeting=meeting)
            .exclude(pk=period.pk)
            .order_by("start_date")
        )
        for other in others:
            other_ends = other.end_date
            starts_before_other_ends = other_ends is None or start_date <= other_ends
            ends_after_other_starts = end_date is None or end_date >= other.start_date
            if starts_before_other_ends and ends_after_other_starts:
                to = f" to {other_ends:%d %B %Y}" if other_ends else " (still open)"
                raise ValidationError(
                    {
                        "start_date": f"These dates overlap the "
                        f"{other.get_kind_display().lower()} period from "
                        f"{other.start_date:%d %B %Y}{to}: correct that period first, "
                        "or choose dates that do not overlap it."
                    }
                )
        if end_date is None and any(o.start_date > start_date for o in others):
            raise ValidationError(
                {"end_date": "Only the latest period can stay open: give an end date."}
            )
        locked = LeadershipPeriod.objects.select_for_update().get(pk=period.pk)
        before = set(locked.facilitators.values_list("pk", flat=True))
        locked.kind = kind
        locked.start_date = start_date
        locked.end_date = end_date
        locked._change_reason = f"Corrected: {reason}"[:100]
        if by is not None:
            locked._history_user = by
        locked.save()
        locked.facilitators.set(people)
        Meeting.objects.filter(pk=meeting.pk).update(updated_at=timezone.now())
        if end_date is None or end_date >= timezone.localdate():
            _announce_facilitators(
                meeting=meeting, kind=kind, start_date=start_date, people=people, before=before
            )
        transaction.on_commit(feeds_cache.invalidate)
    return locked


def _weekday_on(meeting: Meeting, day: date) -> int:
    """The weekday ``meeting`` ran on at ``day``: from its history when it has
    moved since, else its weekday now."""
    end_of_day = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
    try:
        return meeting.history.as_of(end_of_day).weekday
    except Meeting.DoesNotExist:
        return meeting.weekday


def head_count_confirm_above(meeting: Meeting) -> int:
    """Above how many a head count of ``meeting`` asks the recorder to confirm
    it: three times its usual size (at least 15 over it), never above
    ``HEAD_COUNT_CONFIRM_ABOVE``; that limit alone while it has too few counts
    to have a usual size. One owner for the rule (the form's tick box says it)."""
    usual = usual_attendance(meeting_id=meeting.pk)
    if usual is None:
        return HEAD_COUNT_CONFIRM_ABOVE
    return min(HEAD_COUNT_CONFIRM_ABOVE, max(usual * 3, usual + 15))


def session_date_errors(*, meeting: Meeting, held_on: date, ahead_days: int = 0) -> dict[str, str]:
    """Why ``held_on`` is not a session of ``meeting`` ({"held_on": message}, or
    empty): after today (or more than ``ahead_days`` ahead), before the meeting
    opened, on or after the day it closed, or not on the weekday it ran on then."""
    latest = timezone.localdate() + timedelta(days=ahead_days)
    if held_on > latest:
        if not ahead_days:
            return {"held_on": "The session date cannot be in the future."}
        return {"held_on": f"The session date cannot be after {latest:%d %B %Y}."}
    if meeting.first_active_on is None:
        return {"held_on": "This meeting has not opened yet, so it has no sessions to count."}
    if held_on < meeting.first_active_on:
        return {
            "held_on": f"The meeting opened on {meeting.first_active_on:%d %B %Y}; "
            "the session date cannot be before that."
        }
    if meeting.status == Status.CLOSED:
        closed_on = (
            meeting.status_changes.filter(status=Status.CLOSED)
            .order_by("-on")
            .values_list("on", flat=True)
            .first()
        )
        if closed_on is not None and held_on >= closed_on:
            return {
                "held_on": f"The meeting closed on {closed_on:%d %B %Y}; "
                "the session date must be before that."
            }
    runs_on = _weekday_on(meeting, held_on) if held_on <= timezone.localdate() else meeting.weekday
    if held_on.weekday() != runs_on:
        return {
            "held_on": f"The meeting runs on {Weekday(runs_on).label}s; {held_on:%d %B %Y} is a "
            f"{held_on:%A}. Enter the date of one of its sessions."
        }
    return {}


def _session_taken(meeting: Meeting, held_on: date) -> dict[str, str]:
    """A session has one record: a head count, or a mark that it was not held.
    Call with the meeting's row locked, so the two cannot both be written."""
    if HeadCount.objects.filter(meeting=meeting, held_on=held_on).exists():
        return {
            "held_on": f"A head count for the session on {held_on:%d %B %Y} is already recorded."
        }
    if SessionNotHeld.objects.filter(meeting=meeting, held_on=held_on).exists():
        return {"held_on": f"The session on {held_on:%d %B %Y} is marked as not held."}
    return {}


def _record_session(model, *, meeting: Meeting, held_on: date, **fields):
    """Write one session's record (a ``HeadCount`` or a ``SessionNotHeld``) with
    the meeting's row locked, so a session never gets both; two of one kind at
    once are settled by its unique key (the loser is told what is there)."""
    try:
        with transaction.atomic():
            Meeting.objects.select_for_update().only("pk").get(pk=meeting.pk)
            taken = _session_taken(meeting, held_on)
            if taken:
                raise ValidationError(taken)
            return model.objects.create(meeting=meeting, held_on=held_on, **fields)
    except IntegrityError:
        raise ValidationError(
            _session_taken(meeting, held_on) or {"held_on": "This session is already recorded."}
        ) from None


def head_count_record(
    *,
    meeting: Meeting,
    held_on: date,
    attendance: int,
    new_attendees: int | None = None,
    confirmed: bool = False,
    by=None,
) -> HeadCount:
    """Record how many came to one session. Anonymous: a number, never a name.

    Refused: a negative number, more new than attending, a session in the
    future or on a day the meeting did not run, a second count for the same
    session, a session marked not held, a meeting never opened. Over
    ``head_count_confirm_above`` (the meeting's usual size) needs
    ``confirmed=True``.
    """
    errors: dict[str, str] = {}
    if attendance is None or attendance < 0:
        errors["attendance"] = "Attendance must be 0 or more."
    elif attendance > HEAD_COUNT_MAX:
        errors["attendance"] = f"Attendance of {attendance} is not possible for one session."
    elif attendance > (limit := head_count_confirm_above(meeting)) and not confirmed:
        usual = usual_attendance(meeting_id=meeting.pk)
        size = f"this meeting usually has {usual}" if usual is not None else f"over {limit}"
        errors["attendance"] = (
            f"Attendance of {attendance} is unusually high ({size}). "
            "Check the number and tick the box to confirm it."
        )
    if new_attendees is not None:
        if new_attendees < 0:
            errors["new_attendees"] = "The number of new people must be 0 or more."
        elif attendance is not None and new_attendees > attendance:
            errors["new_attendees"] = "More people cannot be new than attended."
    errors.update(session_date_errors(meeting=meeting, held_on=held_on))
    if errors:
        raise ValidationError(errors)
    return _record_session(
        HeadCount,
        meeting=meeting,
        held_on=held_on,
        attendance=attendance,
        new_attendees=new_attendees,
        recorded_by=by,
    )


def session_not_held_record(
    *, meeting: Meeting, held_on: date, reason: str, by=None
) -> SessionNotHeld:
    """Mark one week's session as not held (a holiday, the venue closed), up to
    ``NOT_HELD_AHEAD_DAYS`` ahead. It is then not missing a head count, and none
    can be recorded for it. Refused: no reason from the list, a date that is not
    one of the meeting's sessions, a session already counted or marked."""
    errors: dict[str, str] = {}
    if reason not in NotHeldReason.values:
        errors["reason"] = "Choose why the meeting did not run."
    errors.update(
        session_date_errors(meeting=meeting, held_on=held_on, ahead_days=NOT_HELD_AHEAD_DAYS)
    )
    if errors:
        raise ValidationError(errors)
    return _record_session(
        SessionNotHeld, meeting=meeting, held_on=held_on, reason=reason, recorded_by=by
    )


def proposal_new_meeting(*, organisation, proposed_on: date, by=None, **fields) -> Proposal:
    """A partner proposes a new meeting: it is created *proposed* (unlisted), hosted
    by the partner, and waits for staff to confirm (which opens it)."""
    site = fields.get("site")
    if site is not None and site.organisation_id != organisation.pk:
        raise ValidationError({"site": "Choose one of your own sites."})
    fields["host"] = organisation
    with transaction.atomic():
        meeting = meeting_create(proposed_on=proposed_on, recorded_by=by, **fields)
        return Proposal.objects.create(
            organisation=organisation,
            meeting=meeting,
            kind=ProposalKind.NEW_MEETING,
            start_date=proposed_on,
            proposed_by=by,
        )


def proposal_leadership_change(
    *,
    organisation,
    meeting: Meeting,
    kind: str,
    start_date: date,
    facilitators: Iterable = (),
    note: str = "",
    by=None,
) -> Proposal:
    """A partner proposes a leadership change; staff confirm it into the history."""
    if kind not in Leadership.values:
        raise ValidationError(
            {"leadership_kind": "Choose professional, co-facilitated or peer led."}
        )
    if meeting.status == Status.CLOSED:
        raise ValidationError({"leadership_kind": "This meeting is closed."})
    people = list(facilitators)
    errors = leadership_facilitator_errors(
        meeting=meeting, kind=kind, start_date=start_date, facilitators=people, field="facilitators"
    )
    if errors:
        raise ValidationError(errors)
    current = LeadershipPeriod.objects.filter(meeting=meeting).order_by("-start_date").first()
    if current is not None and start_date <= current.start_date:
        raise ValidationError(
            {
                "start_date": f"The current leadership began on {current.start_date:%d %B %Y}; "
                "a change must start after that."
            }
        )
    with transaction.atomic():
        proposal = Proposal.objects.create(
            organisation=organisation,
            meeting=meeting,
            kind=ProposalKind.LEADERSHIP,
            leadership_kind=kind,
            start_date=start_date,
            note=note,
            proposed_by=by,
        )
        if people:
            proposal.facilitators.set(people)
    return proposal


def _stored(value):
    """A proposed value as the proposal keeps it (JSON): times as "HH:MM"."""
    return value.strftime("%H:%M") if isinstance(value, time) else value


def proposal_change_values(proposal: Proposal) -> dict:
    """The proposal's proposed values, typed as the meeting's fields."""
    values = {}
    for name, value in (proposal.changes or {}).items():
        if name not in CHANGE_FIELDS:
            continue
        values[name] = time.fromisoformat(value) if name in ("start_time", "end_time") else value
    return values


def _with_changes(meeting: Meeting, values: dict) -> dict:
    """``values`` as ``meeting_update`` takes them: a new community venue for a
    meeting at a partner site replaces the site."""
    fields = dict(values)
    if meeting.site_id and any(fields.get(n) for n in VENUE_FIELDS if n != "directions"):
        fields["site"] = None
    return fields


def proposal_change(
    *, organisation, meeting: Meeting, changes: dict, note: str = "", by=None
) -> Proposal:
    """A facilitator or partner contact proposes a new day, time, venue or joining
    details; staff confirm it (``proposal_confirm``) into the meeting, the
    finder and the feeds. Only the values that differ from the meeting's are
    kept. Checked now as a staff edit would be (``meeting_errors``, the fields'
    own limits) and against the public-text rules (no markup, no e-mail
    addresses or phone numbers in text the public reads), naming the field."""
    unknown = set(changes) - set(CHANGE_FIELDS)
    if unknown:
        raise TypeError(f"fields that cannot be proposed: {sorted(unknown)}")
    if meeting.status == Status.CLOSED:
        raise ValidationError({"note": "This meeting is closed: there is nothing to change."})
    current = Meeting.objects.select_related("site").get(pk=meeting.pk)
    differ = {}
    for name, value in changes.items():
        if value is None and name in ("weekday", "start_time", "end_time"):
            continue
        value = (value or "").strip() if isinstance(value, str) or value is None else value
        if value != getattr(current, name):
            differ[name] = value
    errors: dict[str, str] = {}
    for name in set(differ) & set(public_text.PUBLIC_TEXT_FIELDS):
        problem = public_text.typed_text_problem(differ[name])
        if problem:
            errors[name] = problem
    note = (note or "").strip()
    if not differ and not errors:
        raise ValidationError(
            {"__all__": "Nothing would change: give the new day, time, venue or joining details."}
        )
    candidate = copy.copy(current)
    for name, value in _with_changes(current, differ).items():
        setattr(candidate, name, value)
    try:
        candidate.clean_fields(
            exclude=[f.name for f in Meeting._meta.fields if f.name not in differ],
        )
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, messages[0])
    for name, message in meeting_errors(candidate).items():
        errors.setdefault("venue_address_line_1" if name == "site" else name, message)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        return Proposal.objects.create(
            organisation=organisation,
            meeting=meeting,
            kind=ProposalKind.CHANGE,
            changes={name: _stored(value) for name, value in differ.items()},
            note=note,
            proposed_by=by,
        )


def proposal_confirm(*, proposal: Proposal, on: date, by=None) -> Proposal:
    """Staff accept a proposal: open the new meeting, record the leadership change,
    or apply the proposed details.
    A proposal already decided is left alone (claimed by a conditional update)."""
    with transaction.atomic():
        claimed = Proposal.objects.filter(pk=proposal.pk, status=ProposalStatus.PENDING).update(
            status=ProposalStatus.CONFIRMED, decided_by=by, decided_at=timezone.now()
        )
        if claimed != 1:
            raise ValidationError({"status": "This proposal has already been decided."})
        if proposal.kind == ProposalKind.NEW_MEETING:
            meeting_activate(meeting=proposal.meeting, on=on, by=by)
        elif proposal.kind == ProposalKind.CHANGE:
            # Checked again against the meeting as it is now (staff may have
            # edited it since); the update refreshes the finder and the feeds.
            meeting_update(
                meeting=proposal.meeting,
                **_with_changes(proposal.meeting, proposal_change_values(proposal)),
            )
        elif proposal.start_date is None:
            raise ValidationError({"start_date": "The proposal has no start date to record."})
        else:
            leadership_change(
                meeting=proposal.meeting,
                kind=proposal.leadership_kind,
                start_date=proposal.start_date,
                facilitators=list(proposal.facilitators.all()),
                note=proposal.note,
                by=by,
            )
    proposal.refresh_from_db()
    return proposal


def proposal_decline(*, proposal: Proposal, by=None) -> Proposal:
    """Staff decline a proposal; a proposed new meeting is closed with that reason."""
    with transaction.atomic():
        claimed = Proposal.objects.filter(pk=proposal.pk, status=ProposalStatus.PENDING).update(
            status=ProposalStatus.DECLINED, decided_by=by, decided_at=timezone.now()
        )
        if claimed != 1:
            raise ValidationError({"status": "This proposal has already been decided."})
        if proposal.kind == ProposalKind.NEW_MEETING and proposal.meeting.status == Status.PROPOSED:
            meeting_close(
                meeting=proposal.meeting,
                on=timezone.localdate(),
                reason="Proposal declined by staff",
                by=by,
            )
    proposal.refresh_from_db()
    return proposal


# --- Personal data (registered with partners.personal_data) -------------------------


def personal_data_export(person_id: int) -> dict:
    """The meetings a person facilitated: every leadership period naming them,
    the partners' proposals that named them as a facilitator, and the
    proposals they made themselves (what they typed)."""

    periods = (
        LeadershipPeriod.objects.filter(facilitators__id=person_id)
        .select_related("meeting")
        .order_by("start_date", "pk")
    )
    proposals = (
        Proposal.objects.filter(facilitators__id=person_id)
        .select_related("meeting", "organisation")
        .order_by("created_at", "pk")
    )
    made = (
        Proposal.objects.filter(proposed_by__person__id=person_id)
        .select_related("meeting")
        .order_by("created_at", "pk")
    )
    meetings: dict[int, str] = {}
    for period in periods:
        meetings.setdefault(period.meeting_id, period.meeting.name)
    return {
        "meetings_facilitated": [{"id": pk, "name": name} for pk, name in sorted(meetings.items())],
        "leadership_periods": [
            {
                "meeting": p.meeting.name,
                "kind": p.get_kind_display(),
                "start_date": p.start_date.isoformat(),
                "end_date": p.end_date.isoformat() if p.end_date else None,
                "note": p.note,
            }
            for p in periods
        ],
        "proposals_naming_them": [
            {
                "meeting": p.meeting.name,
                "organisation": p.organisation.name if p.organisation else None,
                "kind": p.get_kind_display(),
                "status": p.get_status_display(),
                "start_date": p.start_date.isoformat() if p.start_date else None,
            }
            for p in proposals
        ],
        "proposals_they_made": [
            {
                "meeting": p.meeting.name,
                "kind": p.get_kind_display(),
                "status": p.get_status_display(),
                "changes": p.changes,
                "note": p.note,
                "created_at": p.created_at.isoformat(),
            }
            for p in made
        ],
        "on_erasure": ERASURE_NOTE,
    }


ERASURE_NOTE = (
    "Nothing is deleted from meetings: leadership periods link to the person's "
    "record, which erasure anonymises (no name, e-mail or phone left), so the "
    "periods keep counting for peer-led figures without naming anyone. Their "
    "name, e-mail and phone typed into notes, directions or proposals (and the "
    "meetings' history) are replaced by the erasure's text sweep."
)


def personal_data_erase(person_id: int) -> dict[str, int]:
    """Meetings hold only links to the Person row, which
    ``partners.personal_data.person_erase`` anonymises, and free text, which its
    sweep cleans (see ERASURE_NOTE). What is left here: the public feeds, region
    PDFs and region counts are cached with text about the person in them, so
    the cache version is bumped once the erasure commits."""
    transaction.on_commit(feeds_cache.invalidate)
    return {}
