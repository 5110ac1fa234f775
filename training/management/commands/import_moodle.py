"""``python manage.py import_moodle FILE [--course CODE]``: import a Moodle export now.

The same checks and service as the staff import page (training.services), run
in this process; prints what was added and every rejected row.
"""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from training import services
from training.models import Course, ImportStatus


class Command(BaseCommand):
    help = "Import a Moodle completion export (CSV) into training records."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--course", help="course code, for the wide course completion report (one course)"
        )

    def handle(self, *args, file: Path, course: str | None, **options):
        if not file.is_file():
            raise CommandError(f"{file}: no such file")
        course_obj = None
        if course:
            course_obj = Course.objects.filter(code=course).first()
            if course_obj is None:
                codes = ", ".join(Course.objects.values_list("code", flat=True))
                raise CommandError(f"--course: no course with code {course!r} (codes: {codes})")
        try:
            job = services.import_prepare(name=file.name, data=file.read_bytes(), course=course_obj)
        except ValidationError as exc:
            raise CommandError(
                " ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
            ) from exc
        job = services.import_run(job_id=job.pk)
        if job.status == ImportStatus.FAILED:
            raise CommandError(job.error)
        self.stdout.write(
            f"{job.created_count} completions added, {job.already_count} already recorded, "
            f"{job.skipped_count} not completed, {job.rejected_count} rejected "
            f"(good rows are committed; import {job.pk})."
        )
        for rejection in job.rejections.all():
            self.stdout.write(f"  line {rejection.line}: {rejection.reason}")
