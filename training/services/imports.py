"""The Moodle import: a file checked and queued, then run in batches of rows
matched to people and courses, recorded through ``completions_record``."""

from __future__ import annotations

import functools
import logging
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Lower
from django.utils import timezone

from partners.models import Person, PersonSource
from smartnet.bulk import create_with_history, insert_values
from smartnet.queue import enqueue
from training import moodle
from training.eligibility import PartnerCalendar
from training.models import (
    AccessRule,
    Course,
    ImportJob,
    ImportRejection,
    ImportStatus,
    MoodleCourse,
    PossibleMatch,
    Source,
    TrainingProfile,
)
from training.services.completions import CompletionDraft, completions_record

logger = logging.getLogger(__name__)

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


# Courses a learner new to the directory may have taken: the open course, and
# the facilitator course, free to peers (someone not in the directory is no
# partner's staff, so on that course they are a peer).
NEWCOMER_RULES = {AccessRule.OPEN: False, AccessRule.PEERS_OR_PARTNER_STAFF: True}


def _learner_key(row) -> str:
    """One key per Moodle learner across the rows of a file."""
    if row.email:  # one person per e-mail
        return f"e:{row.email.lower()}"
    if row.userid:
        return f"u:{row.userid}"
    return f"i:{row.idnumber}"


def _who(row) -> str:
    return " or ".join(
        part
        for part in (
            f"e-mail {row.email!r}" if row.email else "",
            f"ID number {row.idnumber!r}" if row.idnumber else "",
        )
        if part
    )


def _new_learners(newcomers: dict, *, job: ImportJob) -> dict[str, int]:
    """Add the learners new to the directory (one Person and profile each,
    marked new from Moodle for staff review, with their Moodle ids), and list
    each whose name matches someone already there with another e-mail as a
    possible match. Returns learner key -> person id. A fixed number of
    queries per batch."""
    if not newcomers:
        return {}
    # Plain value rows, not model instances: building and preparing instances of
    # a person, its history record and its profile was most of this step's time.
    learners = list(newcomers.items())
    person_ids = create_with_history(
        Person,
        [
            {
                "first_name": row.first_name,
                "last_name": row.last_name,
                "email": row.email.lower(),
                "source": PersonSource.MOODLE,
            }
            for _, (row, _) in learners
        ],
    )
    ids = {key: pk for (key, _), pk in zip(learners, person_ids, strict=True)}
    insert_values(
        TrainingProfile,
        [
            {
                "person_id": pk,
                "is_peer": is_peer,
                "moodle_user_id": int(row.userid) if row.userid.isdigit() else None,
                "moodle_username": row.username[:100],
                "moodle_idnumber": row.idnumber[:100],
            }
            for (_, (row, is_peer)), pk in zip(learners, person_ids, strict=True)
        ],
    )
    names = {
        f"{row.first_name} {row.last_name}".lower(): pk
        for (_, (row, _)), pk in zip(learners, person_ids, strict=True)
    }
    namesakes = (
        Person.objects.annotate(name_key=Lower(Concat("first_name", Value(" "), "last_name")))
        .filter(name_key__any=list(names), anonymised_at__isnull=True)
        .exclude(pk__any=person_ids)
        .values_list("name_key", "pk")
    )
    PossibleMatch.objects.bulk_create(
        [
            PossibleMatch(person_id=names[name], candidate_id=pk, import_job=job)
            for name, pk in namesakes
        ],
        ignore_conflicts=True,
        batch_size=1000,
    )
    return ids


def _import_batch(rows, *, job: ImportJob, courses: dict, partners: PartnerCalendar, today: date):
    """Check and record one batch of rows in one transaction; returns counts."""

    drafts, rejected, skipped = _row_drafts(
        rows, layout=job.layout, job=job, courses=courses, today=today
    )
    emails = {row.email.lower() for row, _ in drafts if row.email}
    idnumbers = {row.idnumber for row, _ in drafts if row.idnumber}
    userids = {int(row.userid) for row, _ in drafts if row.userid.isdigit()}
    # Through the index on lower(email) (stored lower-cased already), not a scan.
    by_email = dict(
        Person.objects.annotate(email_key=Lower("email"))
        .filter(email_key__any=list(emails), anonymised_at__isnull=True)
        .values_list("email_key", "pk")
    )
    by_idnumber = dict(
        TrainingProfile.objects.filter(moodle_idnumber__any=list(idnumbers)).values_list(
            "moodle_idnumber", "person_id"
        )
    )
    by_userid = dict(
        TrainingProfile.objects.filter(moodle_user_id__any=list(userids)).values_list(
            "moodle_user_id", "person_id"
        )
    )
    matched: list[CompletionDraft] = []
    waiting: list[tuple[str, CompletionDraft]] = []
    newcomers: dict[str, tuple] = {}
    excerpts = {}
    for row, draft in drafts:
        person_id = (
            by_email.get(row.email.lower())
            or by_idnumber.get(row.idnumber)
            or (by_userid.get(int(row.userid)) if row.userid.isdigit() else None)
        )
        excerpts[row.line] = row.excerpt
        if person_id is not None:
            draft.person_id = person_id
            matched.append(draft)
            continue
        is_peer = NEWCOMER_RULES.get(draft.course.access_rule)
        if is_peer is None:
            rejected.append(
                (
                    row.line,
                    f"no person in the directory with {_who(row)}, and course "
                    f"{draft.course.code} is only for staff of a partner with an active "
                    "agreement",
                    row.excerpt,
                )
            )
            continue
        if not (row.first_name and row.last_name):
            rejected.append(
                (
                    row.line,
                    f"no person in the directory with {_who(row)}, and no first and last "
                    "name to add them with",
                    row.excerpt,
                )
            )
            continue
        key = _learner_key(row)
        row_seen = newcomers.get(key)
        # A learner on the facilitator course in any row of the batch is a peer.
        newcomers[key] = (
            row_seen[0] if row_seen else row,
            bool(row_seen and row_seen[1]) or is_peer,
        )
        waiting.append((key, draft))
    with transaction.atomic():
        new_ids = _new_learners(newcomers, job=job)
        for key, draft in waiting:
            draft.person_id = new_ids[key]
            matched.append(draft)
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
            new_people_count=F("new_people_count") + len(newcomers),
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
