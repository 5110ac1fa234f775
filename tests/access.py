"""The role matrix harness.

Every URL pattern of the site has a Case saying what each kind of visitor
gets: anonymous, one user of each role, and a partner contact of *another*
organisation. Each app lists its cases in ``tests/<app>/access_cases.py`` as
``CASES = {"namespace:name": Case(...)}``; ``tests/test_access_matrix.py``
fails when a URL has no case, and checks every visitor against every case.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import URLPattern, URLResolver, get_resolver

import tests
from partners.models import Organisation
from smartnet.models import User
from smartnet.roles import PEER_VIEW_ROLES, PORTAL_ROLES, STAFF_ROLES, Role
from tests.factories import (
    CommissionerFactory,
    OrganisationFactory,
    PersonFactory,
    UserFactory,
    portal_user,
)

ANONYMOUS = "anonymous"
OTHER_PARTNER = "other_partner_contact"
# A facilitator who does not lead the meetings the cases are about (the world's
# "facilitator" leads them when a case's path makes one: ``facilitated_meeting``).
OTHER_FACILITATOR = "other_facilitator"
VISITORS = [ANONYMOUS, *[r.value for r in Role], OTHER_PARTNER, OTHER_FACILITATOR]
FACILITATORS = frozenset({Role.FACILITATOR.value, OTHER_FACILITATOR})

STAFF = frozenset(STAFF_ROLES)
# The roles that may see who is a peer (``smartnet.roles.PEER_VIEW_ROLES``).
PEER_VIEWERS = frozenset(r.value for r in PEER_VIEW_ROLES)
PORTAL = frozenset(PORTAL_ROLES) | {OTHER_PARTNER}
EVERYONE = frozenset(VISITORS)
SIGNED_IN = EVERYONE - {ANONYMOUS}


@dataclass
class World:
    users: dict[str, User]
    org_a: Organisation  # the partner whose objects the cases are about
    org_b: Organisation  # another partner: its contact must never see org_a's objects
    commissioner: Organisation


@dataclass(frozen=True)
class Case:
    """What each visitor gets from one URL.

    ``path`` is a string or a function of the World (which may create the
    object the URL is about, owned by ``world.org_a``). Visitors in ``allow``
    get ``ok``; signed-in visitors outside it get ``denied``; anonymous gets a
    redirect to sign in unless allowed. ``overrides`` sets any visitor's
    status outright (e.g. ``{OTHER_PARTNER: 404}`` for an org_a object).
    ``peer_names`` are the roles that may see a peer's name on the page (health
    data: ``smartnet.access.may_see_peers``); every other role must find none
    there (``tests/trust/test_peer_names.py`` renders every staff page as each
    role and looks).
    """

    path: str | Callable[[World], str]
    allow: frozenset[str]
    ok: int = 200
    denied: int = 403
    method: str = "get"
    data: dict | None = None
    overrides: dict[str, int] = field(default_factory=dict)
    peer_names: frozenset[str] = frozenset()

    def expected(self, visitor: str) -> int:
        if visitor in self.overrides:
            return self.overrides[visitor]
        if visitor in self.allow:
            return self.ok
        if visitor == ANONYMOUS:
            return 302
        return self.denied

    def url(self, world: World) -> str:
        return self.path(world) if callable(self.path) else self.path


def build_world() -> World:

    org_a = OrganisationFactory(name="Alpha Recovery", slug="alpha-recovery")
    org_b = OrganisationFactory(name="Beta Treatment", slug="beta-treatment")
    commissioner = CommissionerFactory(name="Gamma County Council", slug="gamma-county")
    users: dict[str, User] = {}
    for role in Role:
        email = f"{role.value}@example.org"
        if role == Role.PARTNER_CONTACT:
            users[role.value] = portal_user(org_a, email=email)
        elif role == Role.COMMISSIONER_CONTACT:
            users[role.value] = portal_user(commissioner, role=role, email=email)
        else:
            users[role.value] = UserFactory(email=email, role=role)
    users[OTHER_PARTNER] = portal_user(org_b, email="other-partner@example.org")
    users[OTHER_FACILITATOR] = UserFactory(
        email="other-facilitator@example.org", role=Role.FACILITATOR
    )
    # Facilitators sign in as a person on our records (their account bears the name).
    names = {
        Role.FACILITATOR.value: ("Robin", "Quillfeather"),
        OTHER_FACILITATOR: ("Sky", "Brackenridge"),
    }
    for key, (first, last) in names.items():
        users[key].full_name = f"{first} {last}"
        users[key].save(update_fields=["full_name"])
        PersonFactory(first_name=first, last_name=last, email=users[key].email, user=users[key])
    return World(users=users, org_a=org_a, org_b=org_b, commissioner=commissioner)


def url_names() -> set[str]:
    """Every named URL pattern of the site as 'namespace:name' (admin aside)."""
    names: set[str] = set()

    def walk(patterns, prefix: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace == "admin":
                    continue
                ns = f"{prefix}{p.namespace}:" if p.namespace else prefix
                walk(p.url_patterns, ns)
            elif isinstance(p, URLPattern) and p.name:
                names.add(f"{prefix}{p.name}")

    walk(get_resolver().url_patterns, "")
    return names


def patterns_under(route_prefix: str) -> list[tuple[str, list[str]]]:
    """Every URL pattern whose route starts with ``route_prefix`` ("portal/",
    "staff/"), as ("namespace:name", [keyword arguments]): the leak walks read
    the resolver, so a new page is walked without being listed."""
    found = []

    def walk(patterns, route: str, namespace: str) -> None:
        for p in patterns:
            here = route + str(p.pattern)
            if isinstance(p, URLResolver):
                ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
                walk(p.url_patterns, here, ns)
            elif here.startswith(route_prefix):
                assert p.name, f"the URL {here!r} has no name: the walk cannot reverse it"
                found.append((namespace + p.name, sorted(p.pattern.regex.groupindex)))

    walk(get_resolver().url_patterns, "", "")
    return sorted(found)


def all_cases() -> dict[str, Case]:
    """Every app's CASES, merged; a name listed twice is an error."""

    cases: dict[str, Case] = {}
    for info in pkgutil.iter_modules(tests.__path__):
        if not info.ispkg:
            continue
        try:
            module = importlib.import_module(f"tests.{info.name}.access_cases")
        except ModuleNotFoundError as exc:
            if exc.name == f"tests.{info.name}.access_cases":
                continue
            raise
        for name, case in module.CASES.items():
            if name in cases:
                raise AssertionError(f"{name} has a case in two files")
            cases[name] = case
    return cases
