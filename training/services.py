"""Writes of training data: enrolments, completions, events, profiles.

Every completion goes through ``completions_record`` (one or many at once),
which checks the course's access rule on the completion day, refuses dates in
the future, works out the derived Champion organisation and refresher date,
inserts in bulk, and announces new trained facilitators after commit.

Who may take which course is ``training.eligibility`` (the one owner of that
policy); these functions ask it.
"""

from __future__ import annotations

import calendar
import functools
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from psycopg2.extras import execute_values

from partners.models import Person
from partners.validators import normalise_uk_postcode
from smartnet.queue import enqueue
from training import moodle
from training.eligibility import Eligibility, PartnerCalendar, may_take
from training.models import (
    Award,
    Completion,
    Course,
    Enrolment,
    EventPlace,
    ImportJob,
    ImportRejection,
    ImportStatus,
    MoodleCourse,
    Source,
    TrainingEvent,
    TrainingProfile,
    new_certificate_number,
    new_verification_code,
)
from training.signals import facilitator_trained

logger = logging.getLogger(__name__)


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months (31 Jan + 1 month = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


# --- Profiles and enrolments ---------------------------------------------------------


def profile_for(*, person: Person) -> TrainingProfile:
    profile, _ = TrainingProfile.objects.get_or_create(person=person)
    return profile


@transaction.atomic
def profile_update(*, person: Person, **values) -> TrainingProfile:
    """Change training's facts about a person (peer flag, consent, address, Moodle ids)."""

    profile = profile_for(person=person)
    if values.get("postcode"):
        values["postcode"] = normalise_uk_postcode(values["postcode"])
    if values.get("consent_to_contact") and not profile.consent_to_contact:
        values.setdefault("consent_recorded_on", timezone.localdate())
    for name, value in values.items():
        setattr(profile, name, value)
    profile.full_clean()
    profile.save()
    return profile


@transaction.atomic
def enrolment_create(*, person: Person, course: Course, on: date | None = None) -> Enrolment:
    """Enrol a person, checking the access rule today; ValidationError says why not."""
    on = on or timezone.localdate()
    if not course.is_active:
        raise ValidationError({"course": f"Course {course.code} is no longer offered."})
    decision = may_take(course=course, person=person, on=on)
    if not decision.allowed:
        raise ValidationError({"course": f"{person.full_name} cannot enrol: {decision.reason}."})
    enrolment, _ = Enrolment.objects.get_or_create(
        person=person,
        course=course,
        defaults={"enrolled_on": on, "organisation_id": decision.organisation_id},
    )
    return enrolment


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


def _insert_completions(rows: list[tuple]) -> None:
    """Insert completion value tuples, skipping any already there (a concurrent
    import of the same rows inserts them once).

    On PostgreSQL one multi-row ``INSERT ... ON CONFLICT DO NOTHING`` per 1,000
    rows through psycopg2's ``execute_values``: building 100,000 model instances
    and letting ``bulk_create`` prepare every value was most of an import's time.
    Elsewhere (SQLite in tests and dev) ``bulk_create`` does the same.
    """
    if not rows:
        return
    if connection.vendor != "postgresql":
        Completion.objects.bulk_create(
            [Completion(**dict(zip(_INSERT_FIELDS, row, strict=True))) for row in rows],
            batch_size=1000,
            ignore_conflicts=True,
        )
        return

    meta = Completion._meta
    quote = connection.ops.quote_name
    column_of = {f.attname: f.column for f in meta.concrete_fields}
    columns = ", ".join(quote(column_of[name]) for name in _INSERT_FIELDS)
    # Identifiers from the model, values passed as parameters.
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES %s ON CONFLICT DO NOTHING"  # noqa: S608
    with connection.cursor() as cursor:
        execute_values(cursor.cursor, sql, rows, page_size=1000)


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
            person_id__in=person_ids
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
        _insert_completions(to_create)
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
        Completion.objects.filter(person_id__in=person_ids, course__awards=Award.FACILITATOR)
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
    return changed


# --- Face-to-face events ----------------------------------------------------------------


@transaction.atomic
def event_create(
    *, course: Course, held_on: date, venue: str, capacity: int, trainer_ids: Iterable[int] = ()
) -> TrainingEvent:
    if capacity < 1:
        raise ValidationError({"capacity": "Capacity must be at least 1."})
    event = TrainingEvent.objects.create(
        course=course, held_on=held_on, venue=venue, capacity=capacity
    )
    event.trainers.set(list(trainer_ids))
    return event


@transaction.atomic
def event_book(*, event: TrainingEvent, person: Person) -> EventPlace:
    """Book a place, checking capacity (under a row lock) and the access rule."""
    TrainingEvent.objects.select_for_update().get(pk=event.pk)
    if EventPlace.objects.filter(event=event, person=person).exists():
        return EventPlace.objects.get(event=event, person=person)
    if EventPlace.objects.filter(event=event).count() >= event.capacity:
        raise ValidationError({"person": f"The event is full ({event.capacity} places)."})
    decision = may_take(course=event.course, person=person, on=event.held_on)
    if not decision.allowed:
        raise ValidationError({"person": f"{person.full_name} cannot book: {decision.reason}."})
    return EventPlace.objects.create(event=event, person=person)


@transaction.atomic
def event_record_attendance(
    *, event: TrainingEvent, attended_ids: Iterable[int], today: date | None = None
) -> RecordResult:
    """Mark who attended (everyone else booked did not) and record their completions."""
    today = today or timezone.localdate()
    if event.held_on > today:
        raise ValidationError(
            {"attended": "Attendance can be recorded once the event has taken place."}
        )
    attended = set(attended_ids)
    places = list(EventPlace.objects.filter(event=event))
    booked = {p.person_id for p in places}
    unknown = attended - booked
    if unknown:
        raise ValidationError({"attended": "Only people booked on the event can attend it."})
    for place in places:
        place.attended = place.person_id in attended
    EventPlace.objects.bulk_update(places, ["attended"])
    drafts = [
        CompletionDraft(
            person_id=pid,
            course=event.course,
            completed_on=event.held_on,
            source=Source.EVENT,
            source_id=f"event:{event.pk}:{pid}",
            event_id=event.pk,
        )
        for pid in sorted(attended)
    ]
    return completions_record(drafts, today=today)


# --- Moodle import ---------------------------------------------------------------------


def _check_import_file(*, data: bytes, course: Course | None) -> str:
    """The layout of an upload, or ValidationError on ``file``/``course`` saying why."""

    limit = settings.TRAINING_IMPORT_MAX_BYTES
    if len(data) > limit:
        raise ValidationError(
            {
                "file": f"The file is {len(data) / 1_048_576:.1f} MB; the limit is "
                f"{limit / 1_048_576:.1f} MB (TRAINING_IMPORT_MAX_BYTES). Split the export."
            }
        )
    try:
        layout, _ = moodle.open_rows(moodle.decode(data))
    except moodle.ImportFileError as exc:
        raise ValidationError({"file": str(exc)}) from exc
    if layout.kind == moodle.WIDE and course is None:
        raise ValidationError(
            {
                "course": "This is Moodle's course completion report, which is for one course "
                "and does not name it: choose the course."
            }
        )
    return layout.kind


def import_prepare(*, name: str, data: bytes, course: Course | None = None, user=None) -> ImportJob:
    """Check an uploaded export and store it as a pending ImportJob.

    The whole-file checks (empty, too large, not CSV, wrong columns, wide report
    without a course) refuse the upload at once with nothing stored; row-level
    problems are reported per line by ``import_run``.
    """

    layout = _check_import_file(data=data, course=course)
    job = ImportJob(
        original_name=name[:255],
        size_bytes=len(data),
        layout=layout,
        course=course,
        uploaded_by=user if user is not None and user.is_authenticated else None,
    )
    job.file.save(f"moodle-{timezone.now():%Y%m%d-%H%M%S}.csv", ContentFile(data), save=False)
    job.save()
    return job


def import_create(*, name: str, data: bytes, course: Course | None = None, user=None) -> ImportJob:
    """``import_prepare`` and queue the import as a Celery task (after commit)."""

    with transaction.atomic():
        job = import_prepare(name=name, data=data, course=course, user=user)
        enqueue("training.tasks.run_import", job.pk)
    return job


@functools.lru_cache(maxsize=65_536)
def _email_is_valid(email: str) -> bool:
    """Django's e-mail check, remembered: an export repeats each address once per course."""

    try:
        validate_email(email)
    except ValidationError:
        return False
    return True


def _row_drafts(rows, *, layout: str, job: ImportJob, courses: dict, today: date):
    """Turn parsed rows into drafts; returns (drafts, rejections, skipped)."""

    drafts: list[tuple[object, CompletionDraft]] = []
    rejected: list[tuple[int, str, str]] = []
    skipped = 0
    for row in rows:
        if row.excerpt.startswith("unreadable:"):
            rejected.append((row.line, row.excerpt, ""))
            continue
        if layout == moodle.WIDE and moodle.is_not_completed(row.completed):
            skipped += 1
            continue
        if not row.email and not row.idnumber:
            rejected.append((row.line, "no e-mail address and no ID number", row.excerpt))
            continue
        if row.email and not _email_is_valid(row.email):
            rejected.append((row.line, f"e-mail address {row.email!r} is not valid", row.excerpt))
            continue
        course: Course | None
        if layout == moodle.WIDE and job.course is not None:
            course = job.course
            shortname = course.code
        else:
            shortname = row.shortname
            course = courses.get(shortname.lower())
            if course is None:
                reason = (
                    "no course short name"
                    if not shortname
                    else f"unknown course {shortname!r}: map this Moodle short name to a "
                    "course on the courses page"
                )
                rejected.append((row.line, reason, row.excerpt))
                continue
            if moodle.is_not_completed(row.completed):
                skipped += 1
                continue
        try:
            completed_on = moodle.parse_completed(row.completed)
            score = moodle.parse_grade(row.grade)
        except ValueError as exc:
            rejected.append((row.line, str(exc), row.excerpt))
            continue
        user_key = row.userid or row.username or row.idnumber or row.email.lower()
        drafts.append(
            (
                row,
                CompletionDraft(
                    person_id=0,
                    course=course,
                    completed_on=completed_on,
                    score=score,
                    source=Source.MOODLE,
                    source_id=f"{user_key}|{shortname.lower()}|{completed_on.isoformat()}"[:200],
                    line=row.line,
                ),
            )
        )
    return drafts, rejected, skipped


def _import_batch(rows, *, job: ImportJob, courses: dict, partners: PartnerCalendar, today: date):
    """Check and record one batch of rows in one transaction; returns counts."""

    drafts, rejected, skipped = _row_drafts(
        rows, layout=job.layout, job=job, courses=courses, today=today
    )
    emails = {row.email.lower() for row, _ in drafts if row.email}
    idnumbers = {row.idnumber for row, _ in drafts if row.idnumber}
    by_email = dict(
        Person.objects.filter(email__in=emails, anonymised_at__isnull=True).values_list(
            "email", "pk"
        )
    )
    by_idnumber = dict(
        TrainingProfile.objects.filter(moodle_idnumber__in=idnumbers).values_list(
            "moodle_idnumber", "person_id"
        )
    )
    matched: list[CompletionDraft] = []
    excerpts = {}
    for row, draft in drafts:
        person_id = by_email.get(row.email.lower()) or by_idnumber.get(row.idnumber)
        if person_id is None:
            who = " or ".join(
                part
                for part in (
                    f"e-mail {row.email!r}" if row.email else "",
                    f"ID number {row.idnumber!r}" if row.idnumber else "",
                )
                if part
            )
            rejected.append((row.line, f"no person in the directory with {who}", row.excerpt))
            continue
        draft.person_id = person_id
        matched.append(draft)
        excerpts[row.line] = row.excerpt
    with transaction.atomic():
        result = completions_record(matched, today=today, import_job=job, partners=partners)
        for line, reason in result.rejected:
            rejected.append((line, reason, excerpts.get(line, "")))
        ImportRejection.objects.bulk_create(
            [
                ImportRejection(job=job, line=line, reason=reason[:500], excerpt=excerpt[:300])
                for line, reason, excerpt in sorted(rejected)
            ],
            batch_size=1000,
        )
        ImportJob.objects.filter(pk=job.pk).update(
            processed_rows=F("processed_rows") + len(rows),
            created_count=F("created_count") + len(result.created),
            already_count=F("already_count") + result.already,
            rejected_count=F("rejected_count") + len(rejected),
            skipped_count=F("skipped_count") + skipped,
        )


def import_run(*, job_id: int, today: date | None = None) -> ImportJob:
    """Import a stored Moodle export, in batches that each commit.

    Good rows are kept even when others are rejected (every rejection is listed
    with its line and reason). Claimed by a conditional update from PENDING, so
    running the task twice imports once; the completions' unique keys make
    importing the same file again (a new job) add nothing.
    """

    claimed = ImportJob.objects.filter(pk=job_id, status=ImportStatus.PENDING).update(
        status=ImportStatus.RUNNING
    )
    job = ImportJob.objects.select_related("course").get(pk=job_id)
    if claimed != 1:
        return job
    today = today or timezone.localdate()
    try:
        with job.file.open("rb") as handle:
            text = moodle.decode(handle.read())
        total = moodle.count_rows(text)
        ImportJob.objects.filter(pk=job.pk).update(total_rows=total, layout=job.layout)
        layout, rows = moodle.open_rows(text)
        job.layout = layout.kind
        if layout.kind == moodle.WIDE and job.course is None:
            raise moodle.ImportFileError(
                "This is Moodle's course completion report: choose the course it is for."
            )
    except (moodle.ImportFileError, OSError) as exc:
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportStatus.FAILED, error=str(exc), finished_at=timezone.now()
        )
        job.refresh_from_db()
        return job
    courses = {m.shortname.lower(): m.course for m in MoodleCourse.objects.select_related("course")}
    partners = PartnerCalendar()
    batch_size = settings.TRAINING_IMPORT_BATCH_ROWS
    batch = []
    try:
        for row in rows:
            batch.append(row)
            if len(batch) >= batch_size:
                _import_batch(batch, job=job, courses=courses, partners=partners, today=today)
                batch = []
        if batch:
            _import_batch(batch, job=job, courses=courses, partners=partners, today=today)
    except Exception as exc:
        # Batches already committed stay; the page says where it stopped.
        logger.exception("Moodle import %s failed", job.pk)
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportStatus.FAILED,
            error=f"Stopped by an unexpected error ({type(exc).__name__}); rows counted as "
            "processed were imported, the rest were not. Importing the file again is safe.",
            finished_at=timezone.now(),
        )
        raise
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.DONE, finished_at=timezone.now())
    job.refresh_from_db()
    return job


# --- Personal data (registered with partners.personal_data) -------------------------------


def personal_data_export(person_id: int) -> dict:
    """What training holds about a person, for a subject access request."""
    profile = TrainingProfile.objects.filter(person_id=person_id).first()
    return {
        "profile": None
        if profile is None
        else {
            "peer": profile.is_peer,
            "consent_to_contact": profile.consent_to_contact,
            "consent_recorded_on": profile.consent_recorded_on.isoformat()
            if profile.consent_recorded_on
            else None,
            "address": [
                profile.address_line_1,
                profile.address_line_2,
                profile.town,
                profile.postcode,
            ],
            "moodle_idnumber": profile.moodle_idnumber,
            "moodle_username": profile.moodle_username,
        },
        "completions": [
            {
                "course": c.course.title,
                "completed_on": c.completed_on.isoformat(),
                "score": str(c.score) if c.score is not None else None,
                "source": c.get_source_display(),
                "certificate_number": c.certificate_number,
            }
            for c in Completion.objects.filter(person_id=person_id).select_related("course")
        ],
        "enrolments": [
            {"course": e.course.title, "enrolled_on": e.enrolled_on.isoformat()}
            for e in Enrolment.objects.filter(person_id=person_id).select_related("course")
        ],
    }


def personal_data_erase(person_id: int) -> dict[str, int]:
    """Remove the address, Moodle ids and peer status, and the raw rows of Moodle
    imports that were theirs (a rejected row's excerpt holds their whole line:
    name, e-mail, ids); completions stay (counted in figures) but no longer name
    anyone once partners blanks the Person."""
    person = Person.objects.get(pk=person_id)
    profile = TrainingProfile.objects.filter(person_id=person_id).first()
    # The e-mail and the Moodle username pick out their rows; an ID number is
    # too short to search for without catching other people's lines.
    marks = [person.email, profile.moodle_username if profile is not None else ""]
    theirs = Q()
    for mark in (m.strip() for m in marks if m and len(m.strip()) > 3):
        theirs |= Q(excerpt__icontains=mark)
    excerpts = ImportRejection.objects.filter(theirs).update(excerpt="") if theirs else 0
    profiles = TrainingProfile.objects.filter(person_id=person_id).update(
        is_peer=False,
        consent_to_contact=False,
        consent_recorded_on=None,
        address_line_1="",
        address_line_2="",
        town="",
        postcode="",
        moodle_user_id=None,
        moodle_username="",
        moodle_idnumber="",
    )
    return {"training profile": profiles, "Moodle import rows": excerpts}
