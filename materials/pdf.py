"""Packing slips and address labels for a batch of dispatches, as PDF (WeasyPrint)."""

from collections.abc import Sequence

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from materials.models import Dispatch

# WeasyPrint's layout slows down more than linearly with the length of one
# document; rendering a batch in chunks and joining the pages keeps 500 slips
# to seconds. A chunk of slips is whole pages, so nothing changes on paper.
SLIPS_PER_CHUNK = 50
LABELS_PER_SHEET = 14


def _render(template: str, dispatches: Sequence[Dispatch], *, chunk: int, total: int) -> bytes:
    # Imported when first needed, as in smartnet.pdf: it loads Pango and fonts.
    from weasyprint import HTML  # noqa: PLC0415

    printed_at = timezone.localtime()
    documents = []
    for start in range(0, max(len(dispatches), 1), chunk):
        html = render_to_string(
            template,
            {
                "dispatches": dispatches[start : start + chunk],
                "first_number": start,
                "total": total,
                "printed_at": printed_at,
            },
        )
        documents.append(HTML(string=html, base_url=str(settings.BASE_DIR)).render())
    pages = [page for document in documents for page in document.pages]
    return documents[0].copy(pages).write_pdf()


def packing_slips(dispatches: Sequence[Dispatch]) -> bytes:
    """One page per dispatch: address, reference, each line asked for and packed."""
    dispatches = list(dispatches)
    return _render(
        "materials/pdf/packing_slips.html",
        dispatches,
        chunk=SLIPS_PER_CHUNK,
        total=len(dispatches),
    )


def address_labels(dispatches: Sequence[Dispatch]) -> bytes:
    """Sheets of 14 labels (2 x 7 on A4), one per dispatch."""
    dispatches = list(dispatches)
    return _render(
        "materials/pdf/labels.html",
        dispatches,
        chunk=LABELS_PER_SHEET * 4,
        total=len(dispatches),
    )
