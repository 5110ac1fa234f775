"""Certificates: one PDF per completion, checked at /training/certificates/<code>/."""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from training.models import Completion


def verify_url(completion: Completion) -> str:
    return settings.SITE_URL + reverse(
        "training:certificate_verify", args=[completion.verification_code]
    )


def certificate_pdf(completion: Completion) -> bytes:
    """The certificate of one completion as PDF bytes (WeasyPrint)."""
    from weasyprint import HTML

    html = render_to_string(
        "training/certificate_pdf.html",
        {"completion": completion, "verify_url": verify_url(completion)},
    )
    return HTML(string=html, base_url=settings.SITE_URL).write_pdf()
