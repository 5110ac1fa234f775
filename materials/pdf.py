"""Packing slips and address labels for a batch of dispatches, as PDF (WeasyPrint)."""

from collections.abc import Sequence

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from materials.models import Dispatch


def _render(template: str, dispatches: Sequence[Dispatch]) -> bytes:
    from weasyprint import HTML

    html = render_to_string(
        template, {"dispatches": dispatches, "printed_at": timezone.localtime()}
    )
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def packing_slips(dispatches: Sequence[Dispatch]) -> bytes:
    """One page per dispatch: address, reference, each line asked for and packed."""
    return _render("materials/pdf/packing_slips.html", dispatches)


def address_labels(dispatches: Sequence[Dispatch]) -> bytes:
    """A sheet of 14 labels (2 x 7, A4) per page, one per dispatch."""
    return _render("materials/pdf/labels.html", dispatches)
