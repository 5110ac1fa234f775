from typing import cast

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from smartnet import health, navigation, search, selectors, services
from smartnet.access import public, role_required
from smartnet.forms import EmailAuthenticationForm
from smartnet.models import User
from smartnet.roles import STAFF_ROLES, Role


@public
def home(request: HttpRequest) -> HttpResponse:
    """The public welcome; a signed-in user is sent on to their role's home."""
    target = navigation.home_url_for(request.user)
    if target != request.path:
        return redirect(target)
    return render(request, "smartnet/home.html")


class SignInView(auth_views.LoginView):
    """Sign in by e-mail; a safe ``next`` wins, else the role's home."""

    authentication_form = EmailAuthenticationForm

    def get_default_redirect_url(self) -> str:
        return navigation.home_url_for(self.request.user)


@role_required(*STAFF_ROLES)
def staff_search(request: HttpRequest) -> HttpResponse:
    """The header search: results by kind, or straight to the one object whose
    reference was typed."""
    results = search.search(request.user, request.GET.get("q", ""))
    if results.exact is not None:
        return redirect(results.exact.url)
    return render(
        request,
        "smartnet/search.html",
        {"results": results, "search_query": results.query},
    )


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
