"""``python manage.py board_report [--date YYYY-MM-DD] [--out FILE.pdf]``

The board-report job by hand: drafts the report of every board meeting due
within the lead time of ``--date`` (default today) and e-mails staff to review
it, exactly as the scheduled job does. With ``--out`` it also writes a PDF: the
report of the next board meeting on or after the date (as it stands: issued,
reviewed or drafted), or a preview as of the date when no meeting is ahead
(not stored).
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from board import services
from board.models import BoardReport
from board.pdf import render_report_pdf, render_snapshot_pdf
from smartnet.management import day_option


class Command(BaseCommand):
    help = "Draft board reports due (7 days before each board meeting); optionally write a PDF."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Run as if today were this date (YYYY-MM-DD).")
        parser.add_argument("--out", help="Write the report PDF to this file.")

    def handle(self, *args, date=None, out=None, **options):
        on = day_option(date, "--date") or timezone.localdate()
        if out and not out.lower().endswith(".pdf"):
            raise CommandError(f"--out: {out!r} should be a .pdf file name")

        drafted = services.draft_board_reports(today=on)
        for report in drafted:
            self.stdout.write(f"drafted: {report} (figures as of {report.as_of})")
        if not drafted:
            self.stdout.write(f"no report due on {on} (drafted {services.lead_days()} days ahead)")
        if not out:
            return

        meeting = services.next_meeting(today=on)
        report = BoardReport.objects.filter(meeting=meeting).first() if meeting else None
        if report is not None:
            pdf = render_report_pdf(report)
            what = f"{report} ({report.get_status_display().lower()})"
        else:
            pdf = render_snapshot_pdf(
                services.preview_snapshot(on=on), status_label="PREVIEW - NOT A BOARD REPORT"
            )
            what = f"a preview as of {on} (no report drafted for a meeting ahead)"
        try:
            Path(out).write_bytes(pdf)
        except OSError as exc:
            raise CommandError(f"--out: cannot write {out}: {exc}") from None
        self.stdout.write(f"wrote {out}: {what}, {len(pdf):,} bytes")
