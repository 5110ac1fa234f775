"""The report PDF: cover, summary, a page per objective, actions, changes; RAG as words."""

import io
import re
from datetime import date
from decimal import Decimal

import pytest
from pypdf import PdfReader

from board import services
from board.pdf import render_report_pdf
from smartnet.roles import Role
from tests.board.factories import make_action, make_board_meeting, make_objective
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(data))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def page_texts(data: bytes) -> list[str]:
    """Each page's text with its line breaks folded, so a wrapped cell reads whole."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages]


def test_the_cover_is_full_and_summary_rows_never_split_across_pages():
    titles = [
        f"Objective {n:02d}: grow the network of weekly peer-led meetings across region {n}"
        for n in range(1, 31)
    ]
    for title in titles:
        make_objective(title, manual_value=100)
    report, _ = services.board_report_generate(
        meeting=make_board_meeting(date(2014, 3, 8), "Spring board"), today=date(2014, 3, 1)
    )
    pages = page_texts(render_report_pdf(report))
    first_summary = next(i for i, p in enumerate(pages) if p.startswith("Summary: all objectives"))
    cover = " ".join(pages[:first_summary])
    # The cover carries the lights at a glance, the contents with page numbers and the key.
    assert pages[0].startswith("SMART Recovery network Board report Spring board")
    assert "At a glance" in pages[0] and "Contents" in pages[0]
    assert re.search(rf"Summary: all objectives[ .]*page {first_summary + 1}\b", cover)
    assert "Every traffic light is printed as a word" in cover
    # The summary's pages: its header row is repeated on each.
    summary = [p for p in pages[1:] if "Objective Now Expected Target Light Actions" in p]
    assert len(summary) >= 2  # thirty long rows do not fit one page
    for title in titles:
        # Each row's title is whole on one page of the summary: no row is split.
        assert any(title in p for p in summary), title


def test_the_pdf_holds_every_title_and_the_rag_words():
    staff = UserFactory(role=Role.STAFF_ADMIN)
    on_track = make_objective("Grow to 400 meetings a week", manual_value=400)  # target met
    behind = make_objective("Train 3000 Champions", manual_value=50, target_value=3000)
    make_action(on_track, "Open the Wales hub", due_date=date(2014, 2, 1))  # overdue: RED
    make_action(behind, "Run regional events", due_date=date(2014, 3, 10))  # soon: AMBER
    services.objective_override_rag(
        objective=behind, colour="amber", reason="Moodle export late", by=staff
    )
    report, _ = services.board_report_generate(
        meeting=make_board_meeting(date(2014, 3, 8), "Spring board"), today=date(2014, 3, 1)
    )
    pages, text = pdf_text(render_report_pdf(report))
    # Cover, summary, one page per objective (a chart each), what changed.
    assert pages >= 5
    assert "Board report" in text and "Spring board" in text and "DRAFTED" in text
    for title in ("Grow to 400 meetings a week", "Train 3000 Champions"):
        assert text.count(title) >= 2  # summary row and its own page
    # Lights read as words with their counts, and an override is explained in words.
    assert "Amber: 1" in text and "Complete" in text and "Red: 1" in text
    assert "Set to Amber by" in text and "the rule gives" in text
    assert "Moodle export late" in text  # the override's reason is printed
    assert "Open the Wales hub" in text and "Run regional events" in text
    assert "What changed since the last report" in text


def test_an_issued_report_serves_the_pdf_frozen_at_issue():
    staff = UserFactory(role=Role.STAFF_ADMIN)
    objective = make_objective("Sites in the scheme", manual_value=120)
    report, _ = services.board_report_generate(
        meeting=make_board_meeting(date(2014, 3, 8)), today=date(2014, 3, 1)
    )
    services.board_report_review(report=report, by=staff)
    report = services.board_report_issue(report=report, by=staff)
    services.objective_update(objective=objective, manual_value=Decimal(999), title="Changed")
    report.refresh_from_db()
    first = render_report_pdf(report)
    assert first == bytes(report.pdf)
    _, text = pdf_text(first)
    assert "Sites in the scheme" in text and "ISSUED" in text
    assert "Changed" not in text and "999" not in text
