from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from smartnet import health
from smartnet.access import public


@public
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "smartnet/home.html")


@public
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 while the database answers (the app can serve), 503 when it does not.

    The status of each part for everyone; what failed and why (smartnet.health)
    only for staff and the allowed monitoring addresses."""
    parts = {
        "database": health.check_database(),
        "cache": health.check_cache(),
        "broker": health.check_broker(),
    }
    database_ok = parts["database"]["ok"]
    if database_ok and all(p["ok"] for p in parts.values()):
        status = "ok"
    else:
        status = "degraded" if database_ok else "down"
    if not health.may_see_details(request):
        parts = {name: health.public_part(part) for name, part in parts.items()}
    return JsonResponse({"status": status, **parts}, status=200 if database_ok else 503)
