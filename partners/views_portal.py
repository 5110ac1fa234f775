from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from partners.access import portal_required


@portal_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "partners/portal/home.html", {"organisations": request.organisations})
