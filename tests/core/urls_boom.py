"""The project's URLs plus two that fail, for the error-report tests."""

from django.http import HttpRequest
from django.urls import include, path

from smartnet.access import public


@public
def boom(request: HttpRequest):
    # What a careless error message carries: the value that failed.
    name = request.POST.get("full_name", "")
    email = request.POST.get("email", "")
    raise ValueError(f"could not save {name!r} <{email}>")


urlpatterns = [
    path("boom/", boom),
    path("", include("smartnet.urls")),
]

handler404 = "smartnet.errors.not_found"
handler500 = "smartnet.errors.server_error"
