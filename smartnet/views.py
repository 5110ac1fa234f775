from typing import cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from smartnet import health, selectors, services
from smartnet.access import public, role_required
from smartnet.models import User
from smartnet.roles import Role


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


@role_required(Role.STAFF_ADMIN)
def staff_two_factor(request: HttpRequest) -> HttpResponse:
    """Each staff account: second factor set up or not, backup codes left, its history."""
    return render(
        request,
        "smartnet/two_factor_staff.html",
        {"accounts": selectors.staff_two_factor_accounts()},
    )


@require_POST
@role_required(Role.STAFF_ADMIN)
def staff_two_factor_reset(request: HttpRequest, user_id: int) -> HttpResponse:
    user = get_object_or_404(User, pk=user_id)
    try:
        services.two_factor_reset(user=user, by=cast(User, request.user))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, f"The second factor of {user} was reset; they will set it up again."
        )
    return redirect("two_factor_staff")
