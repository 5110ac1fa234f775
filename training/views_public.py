import re

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from smartnet.access import public
from smartnet.ratelimit import rate_limited
from training.models import Completion

# What a typed code may be: letters and digits (codes are 12 of them; a longer
# or shorter one is looked up and simply not found).
_CODE = re.compile(r"[A-Z0-9]{1,20}")


@public
@rate_limited("training-certificates", lambda: settings.PUBLIC_RATE_LIMIT_PER_MINUTE)
def certificate_lookup(request: HttpRequest) -> HttpResponse:
    """A form to type a verification code; it sends you to the check page."""
    code = request.GET.get("code", "").strip().upper().replace(" ", "").replace("-", "")
    if code and _CODE.fullmatch(code):
        return redirect("training:certificate_verify", code=code)
    if code:
        # A slash or any other character no code has would not even make a URL.
        error = "Verification code: enter the letters and digits printed on the certificate."
        return render(request, "training/certificate_lookup.html", {"error": error}, status=400)
    return render(request, "training/certificate_lookup.html")


@public
@rate_limited("training-certificates", lambda: settings.PUBLIC_RATE_LIMIT_PER_MINUTE)
@never_cache
def certificate_verify(request: HttpRequest, code: str) -> HttpResponse:
    """Confirms a certificate: holder's name, course and date, nothing else."""
    completion = (
        Completion.objects.select_related("person", "course")
        .filter(verification_code=code.upper())
        .first()
    )
    if completion is None:
        raise Http404("No certificate has this verification code.")
    return render(request, "training/certificate_verify.html", {"completion": completion})
