"""Who may see a page.

Every view declares the roles it admits with ``@role_required(...)`` (or
``@public`` for pages anyone may see). Anonymous visitors are sent to sign in;
a signed-in user of another role, or of no recognised role, gets a refusal
page with status 403. Object-level checks (another organisation's invoice)
are the job of each app's access helpers, which answer 404.
"""

from collections.abc import Callable, Iterable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import resolve, reverse

from smartnet.roles import PEER_VIEW_ROLES, Role
from smartnet.two_factor import needs_second_factor, redirect_to_second_factor


def refuse(request: HttpRequest, reason: str, *, status: int = 403) -> HttpResponse:
    """A clear refusal page that says why, never another organisation's data."""
    return render(request, "smartnet/refused.html", {"reason": reason}, status=status)


def role_required(*roles: Role | str) -> Callable:
    allowed = frozenset(str(r) for r in roles)

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user.is_active:
                return refuse(
                    request,
                    "This account has been deactivated. Please contact the central team.",
                )
            if not user.has_known_role:
                return refuse(
                    request,
                    "Your account has no recognised role, so no page is open to it yet. "
                    "Please ask the central team to set your role.",
                )
            if user.role not in allowed:
                return refuse(request, "This page is not available to your role.")
            if needs_second_factor(request):
                return redirect_to_second_factor(request)
            return view(request, *args, **kwargs)

        wrapped.allowed_roles = allowed  # type: ignore[attr-defined]
        return wrapped

    return decorator


def public(view: Callable) -> Callable:
    """Mark a view as open to everyone, the anonymous public included."""
    view.allowed_roles = None  # type: ignore[attr-defined]
    return view


def roles_label(roles: Iterable[str]) -> str:
    return ", ".join(Role(r).label for r in sorted(roles))


def may_see_peers(user) -> bool:
    """The one rule for peer status (health data): may this user see who is a
    peer, which is any person's name beside a meeting's leadership, a proposal
    to lead one, a peer role or a training course or event? Other staff see a
    count instead (``{% people_count %}`` in ``smartnet.templatetags.peers``)."""
    return bool(user.is_authenticated and user.role in PEER_VIEW_ROLES)


def may_use(user, view: Callable) -> bool:
    """Would ``view``'s ``@role_required`` admit ``user``? A page asks this before
    it offers a form or button that posts to ``view``, so what a page offers and
    what its action admits are one rule, the one the access matrix checks."""
    if not hasattr(view, "allowed_roles"):
        raise TypeError(f"{view.__qualname__} declares no roles")
    allowed = view.allowed_roles
    if allowed is None:  # @public
        return True
    return bool(user.is_authenticated and user.is_active and user.role in allowed)


def may_open(user, url_name: str, *args) -> bool:
    """``may_use`` for the view behind a URL name (a link to another app's page)."""
    return may_use(user, resolve(reverse(url_name, args=args)).func)
