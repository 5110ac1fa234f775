"""python manage.py board_report [--date YYYY-MM-DD] [--out FILE.pdf]"""

from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from board.models import BoardReport
from tests.board.factories import make_board_meeting, make_objective

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("board_report", *args, stdout=out)
    return out.getvalue()


def test_it_drafts_the_report_due_once_and_writes_its_pdf(tmp_path):
    make_objective("Weekly meetings")
    meeting = make_board_meeting(date(2014, 3, 8))
    target = tmp_path / "report.pdf"
    output = run("--date", "2014-03-01", "--out", str(target))
    assert "drafted: Board report for Board meeting 8 March 2014" in output
    assert target.read_bytes().startswith(b"%PDF")
    assert BoardReport.objects.get().meeting == meeting
    assert "no report due" in run("--date", "2014-03-01")
    assert BoardReport.objects.count() == 1


def test_with_no_meeting_ahead_it_writes_a_preview_and_stores_nothing(tmp_path):
    make_objective("Weekly meetings")
    target = tmp_path / "preview.pdf"
    output = run("--date", "2014-03-01", "--out", str(target))
    assert "a preview as of 2014-03-01" in output
    assert target.read_bytes().startswith(b"%PDF")
    assert not BoardReport.objects.exists()


def test_bad_arguments_are_refused_clearly(tmp_path):
    with pytest.raises(CommandError, match="--date: '1 March' is not a date"):
        run("--date", "1 March")
    with pytest.raises(CommandError, match="should be a .pdf"):
        run("--out", str(tmp_path / "report.txt"))
