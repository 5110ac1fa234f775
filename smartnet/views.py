from typing import cast

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from smartnet import health, jobs, navigation, search, selectors, services
from smartnet.access import public, role_required
from smartnet.forms import EmailAuthenticationForm
from smartnet.models import JobRun, User
from smartnet.queue import enqueue
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


@public
@never_cache
def healthz_jobs(request: HttpRequest) -> JsonResponse:
    """200 while every scheduled job succeeded within its period plus margin,
    503 naming the overdue ones (smartnet.jobs) for an uptime monitor.

    The names, last successes and due times only for staff and the allowed
    monitoring addresses (as /healthz); anyone else gets the status and count.
    A 503 also nudges the watch, so the staff admins are e-mailed even when
    beat itself is what stopped (once per incident: the watch's claim)."""
    try:
        statuses = jobs.statuses()
    except DatabaseError:
        # Where the runs are recorded is down: nothing can be said to be on time.
        return JsonResponse({"status": "down", "overdue_count": None}, status=503)
    late = [s for s in statuses if s.overdue]
    if late and cache.add("smartnet:jobs-watch-nudged", 1, 600):
        enqueue("smartnet.tasks.watch_jobs")
    body: dict = {"status": "overdue" if late else "ok", "overdue_count": len(late)}
    if health.may_see_details(request):
        body["overdue"] = [s.name for s in late]
        body["jobs"] = {
            s.name: {
                "task": s.job.task,
                "ok": not s.overdue,
                "last_success": s.last_success.isoformat() if s.last_success else None,
                "next_due": s.next_due.isoformat(),
            }
            for s in statuses
        }
    return JsonResponse(body, status=503 if late else 200)


@role_required(Role.STAFF_ADMIN)
def staff_jobs(request: HttpRequest) -> HttpResponse:
    """The scheduled jobs (last success, next due, overdue) and the tasks that
    failed after their retries, with their error and a button to run again."""
    return render(
        request,
        "smartnet/jobs_staff.html",
        {"statuses": jobs.statuses(), "failed": jobs.failed_runs()[:200]},
    )


@require_POST
@role_required(Role.STAFF_ADMIN)
def staff_job_rerun(request: HttpRequest, run_id: int) -> HttpResponse:
    get_object_or_404(JobRun, pk=run_id)
    try:
        run = jobs.rerun(run_id=run_id, by=cast(User, request.user))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{run.job} was queued to run again.")
    return redirect("jobs_staff")


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
