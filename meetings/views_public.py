from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from smartnet.access import public


@public
def finder(request: HttpRequest) -> HttpResponse:
    return render(request, "meetings/finder.html", {})
