"""PDFs from HTML templates, and the response that carries them.

Every app renders its PDFs here, so they all resolve static files from the
project folder (never over HTTP from SITE_URL, which would make WeasyPrint
fetch the site's own assets through the network) and answer alike.
"""

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string


def render_pdf(template: str, context: dict) -> bytes:
    """Render a template to HTML, then to PDF with WeasyPrint."""
    # Imported when first needed: it loads Pango and fonts, which a process
    # that never draws a PDF (a worker, a page) should not pay for at start.
    from weasyprint import HTML  # noqa: PLC0415

    html = render_to_string(template, context)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def pdf_response(content: bytes, filename: str, *, attachment: bool = False) -> HttpResponse:
    """A PDF shown in the browser, or downloaded when ``attachment``."""
    response = HttpResponse(content, content_type="application/pdf")
    disposition = "attachment" if attachment else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response
