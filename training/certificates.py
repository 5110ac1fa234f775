"""Certificates: one PDF per completion, checked at /training/certificates/<code>/."""

from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse

from smartnet.pdf import pdf_response, render_pdf
from training.models import Completion


def verify_url(completion: Completion) -> str:
    return settings.SITE_URL + reverse(
        "training:certificate_verify", args=[completion.verification_code]
    )


def certificate_pdf(completion: Completion) -> bytes:
    """The certificate of one completion as PDF bytes (WeasyPrint)."""
    return render_pdf(
        "training/certificate_pdf.html",
        {"completion": completion, "verify_url": verify_url(completion)},
    )


def certificate_response(completion: Completion) -> HttpResponse:
    """The certificate PDF, shown in the browser."""
    return pdf_response(
        certificate_pdf(completion), f"certificate-{completion.certificate_number}.pdf"
    )
