"""Completions: every one goes through ``completions_record`` (one or many at
once), which checks the course's access rule on the completion day, refuses
dates in the future, works out the derived Champion organisation and refresher
date, inserts in bulk, and announces new trained facilitators (inside the
transaction, so what the receivers queue commits with the completions).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Min, Q
from django.utils import timezone

from partners.models import Person
from smartnet.bulk import insert_rows
from training.eligibility import Eligibility, PartnerCalendar
from training.models import (
    Award,
    Completion,
    Course,
    ImportJob,
    Source,
    TrainingEvent,
    TrainingProfile,
    new_certificate_number,
    new_verification_code,
)
from training.signals import facilitator_trained


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months (31 Jan + 1 month = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


# --- Completions --------------------------------------------------------------------


@dataclass
class CompletionDraft:
    """One completion to record; ``line`` is where it came from (for reports)."""

    person_id: int
    course: Course
    completed_on: date
    source: str
    source_id: str
    score: Decimal | None = None
    event_id: int | None = None
    line: int = 0


class Recorded(NamedTuple):
    """A completion ``completions_record`` inserted (plain values, no model instance)."""

    person_id: int
    course_id: int
    completed_on: date


# The columns ``completions_record`` fills, in the order of its value tuples.
_INSERT_FIELDS = (
    "person_id",
    "course_id",
    "completed_on",
    "score",
    "source",
    "source_id",
    "event_id",
    "import_job_id",
    "champion_organisation_id",
    "valid_until",
    "certificate_number",
    "verification_code",
    "created_at",
)


@dataclass
class RecordResult:
    created: list[Recorded] = field(default_factory=list)
    already: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)


def completions_record(
    drafts: list[CompletionDraft],
    *,
    today: date | None = None,
    import_job: ImportJob | None = None,
    partners: PartnerCalendar | None = None,
) -> RecordResult:
    """Record many completions in a few queries; idempotent.

    A draft already recorded (same source and source id, or same person, course
    and day) counts as ``already``; one that breaks the access rule or lies in
    the future is rejected with its reason; the rest are inserted together.
    New trained facilitators are announced after commit.
    """
    today = today or timezone.localdate()
    partners = partners or PartnerCalendar()
    result = RecordResult()
    if not drafts:
        return result
    with transaction.atomic():
        person_ids = {d.person_id for d in drafts}
        # One read through the person index: what these people already have.
        # (A source id recorded for someone else is left to the unique key.)
        existing_keys: set[tuple[str, str]] = set()
        existing_days: set[tuple[int, int, date]] = set()
        for source, source_id, pid, course_id, day in Completion.objects.filter(
            person_id__any=list(person_ids)
        ).values_list("source", "source_id", "person_id", "course_id", "completed_on"):
            existing_keys.add((source, source_id))
            existing_days.add((pid, course_id, day))
        eligibility = Eligibility.load(person_ids, partners=partners)
        to_create: list[tuple] = []
        facilitator_people: set[int] = set()
        job_id = import_job.pk if import_job else None
        now = timezone.now()
        for d in drafts:
            key = (d.source, d.source_id)
            day_key = (d.person_id, d.course.pk, d.completed_on)
            if key in existing_keys or day_key in existing_days:
                result.already += 1
                continue
            if d.completed_on > today:
                result.rejected.append(
                    (d.line, f"completion date {d.completed_on:%d/%m/%Y} is in the future")
                )
                continue
            decision = eligibility.decide(course=d.course, person_id=d.person_id, on=d.completed_on)
            if not decision.allowed:
                result.rejected.append((d.line, decision.reason))
                continue
            existing_keys.add(key)
            existing_days.add(day_key)
            validity = d.course.validity_months
            course_id = d.course.pk
            to_create.append(
                (
                    d.person_id,
                    course_id,
                    d.completed_on,
                    d.score,
                    d.source,
                    d.source_id,
                    d.event_id,
                    job_id,
                    decision.organisation_id if d.course.awards == Award.CHAMPION else None,
                    add_months(d.completed_on, validity) if validity else None,
                    new_certificate_number(d.completed_on),
                    new_verification_code(),
                    now,
                )
            )
            result.created.append(Recorded(d.person_id, course_id, d.completed_on))
            if d.course.awards == Award.FACILITATOR:
                facilitator_people.add(d.person_id)
        # Plain tuples through one multi-row INSERT per 1,000 (building 100,000
        # model instances for bulk_create was most of an import's time); a
        # concurrent import of the same rows inserts them once.
        insert_rows(Completion, _INSERT_FIELDS, to_create, skip_conflicts=True)
        champion_since_refresh(
            person_ids={row[0] for row in to_create if row[8] is not None}  # a Champion's
        )
        if facilitator_people:
            _announce_facilitators(facilitator_people)
    return result


def _announce_facilitators(person_ids: set[int]) -> None:
    """Send ``facilitator_trained`` once per person.

    The claim is a conditional update of the profile (``facilitator_announced_at``
    from null), so two imports at once, or a re-run, announce nobody twice. The
    signal is sent inside the caller's transaction: what its receivers queue
    goes to the outbox in the same transaction, so it commits with the
    completions or not at all.
    """
    TrainingProfile.objects.bulk_create(
        [TrainingProfile(person_id=pid) for pid in person_ids], ignore_conflicts=True
    )
    now = timezone.now()
    first = dict(
        Completion.objects.filter(person_id__any=list(person_ids), course__awards=Award.FACILITATOR)
        .order_by("person_id", "-completed_on", "-pk")
        .values_list("person_id", "pk")
    )  # the earliest completion wins: rows are ordered latest first, later keys overwrite
    for pid in sorted(person_ids):
        claimed = TrainingProfile.objects.filter(
            person_id=pid, facilitator_announced_at__isnull=True
        ).update(facilitator_announced_at=now)
        if claimed == 1 and pid in first:
            facilitator_trained.send(sender=Completion, person_id=pid, completion_id=first[pid])


def completion_record(
    *,
    person: Person,
    course: Course,
    completed_on: date,
    source: str = Source.MANUAL,
    source_id: str = "",
    score: Decimal | None = None,
    event: TrainingEvent | None = None,
) -> Completion:
    """Record one completion; ValidationError (naming the field) when refused.

    Recording the same completion again returns the one already there.
    """
    source_id = source_id or f"{person.pk}:{course.code}:{completed_on.isoformat()}"
    draft = CompletionDraft(
        person_id=person.pk,
        course=course,
        completed_on=completed_on,
        source=source,
        source_id=source_id,
        score=score,
        event_id=event.pk if event else None,
    )
    with transaction.atomic():
        result = completions_record([draft])
        if result.rejected:
            reason = result.rejected[0][1]
            field_name = "completed_on" if "future" in reason else "course"
            raise ValidationError({field_name: f"{person.full_name}: {reason}."})
        return Completion.objects.get(
            Q(source=source, source_id=source_id)
            | Q(person=person, course=course, completed_on=completed_on)
        )


def champions_refresh(*, course_ids: Iterable[int] | None = None) -> int:
    """Recompute ``champion_organisation`` of Champion-course completions (after
    agreements were entered late); returns how many changed."""
    qs = Completion.objects.filter(course__awards=Award.CHAMPION).select_related("course")
    if course_ids is not None:
        qs = qs.filter(course_id__in=list(course_ids))
    changed = 0
    completions = list(qs)
    eligibility = Eligibility.load(c.person_id for c in completions)
    updates = []
    for c in completions:
        org = eligibility.partner_employer(person_id=c.person_id, on=c.completed_on)
        if org != c.champion_organisation_id:
            c.champion_organisation_id = org
            updates.append(c)
            changed += 1
    Completion.objects.bulk_update(updates, ["champion_organisation"], batch_size=1000)
    champion_since_refresh(person_ids={c.person_id for c in updates})
    return changed


def champion_since_refresh(*, person_ids: Iterable[int]) -> int:
    """Set each person's ``TrainingProfile.champion_since`` to the day of their
    earliest Champion completion (``training.selectors.champions``: a Champion
    course completed at a partner), or clear it when they have none; a profile
    is made for a new Champion. Called wherever completions change: recorded
    (one, many, an import, an event), their Champion partner recomputed,
    deleted, or moved by a merge of two records. Two queries and one update per
    changed date; returns how many profiles changed."""
    person_ids = set(person_ids)
    if not person_ids:
        return 0
    earliest = dict(
        Completion.objects.filter(
            person_id__in=person_ids,
            course__awards=Award.CHAMPION,
            champion_organisation__isnull=False,
        )
        .order_by()
        .values("person_id")
        .annotate(first=Min("completed_on"))
        .values_list("person_id", "first")
    )
    TrainingProfile.objects.bulk_create(
        [TrainingProfile(person_id=pid) for pid in earliest], ignore_conflicts=True
    )
    stale = [
        (pid, earliest.get(pid))
        for pid, since in TrainingProfile.objects.filter(person_id__in=person_ids).values_list(
            "person_id", "champion_since"
        )
        if since != earliest.get(pid)
    ]
    by_day: dict[date | None, list[int]] = {}
    for pid, since in stale:
        by_day.setdefault(since, []).append(pid)
    for since, pids in by_day.items():
        TrainingProfile.objects.filter(person_id__in=pids).update(champion_since=since)
    return len(stale)
