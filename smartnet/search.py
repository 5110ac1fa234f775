"""The header search: one box for staff that finds partners, people, meetings,
invoices and dispatches.

The core knows no domain app: each app registers a provider in its
``AppConfig.ready`` (as ``partners.personal_data`` does for erasure), and the
provider alone decides what the searching user may see, through the app's own
access helpers (training's ``people_for_staff`` leaves peers out for the roles
that may not see them). A provider answers with at most ``limit`` hits in a
bounded number of queries, whatever the data holds, and marks a hit ``exact``
when the query is that object's reference (``INV-000851``), so the search
jumps straight to it.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from smartnet.roles import STAFF_ROLES

# Hits shown per kind; a provider is asked for one more to know there are more.
LIMIT = 10
MIN_LENGTH = 2
MAX_LENGTH = 100


@dataclass(frozen=True)
class Hit:
    label: str
    url: str
    detail: str = ""
    exact: bool = False


@dataclass(frozen=True)
class Provider:
    kind: str
    title: str
    roles: frozenset
    find: Callable  # (user, query, limit) -> list[Hit]
    order: int


@dataclass
class Group:
    title: str
    hits: list[Hit]
    more: bool


@dataclass
class Results:
    query: str
    groups: list[Group] = field(default_factory=list)
    too_short: bool = False

    @property
    def exact(self) -> Hit | None:
        """The one object whose reference the query is, if exactly one is."""
        exact = [hit for group in self.groups for hit in group.hits if hit.exact]
        return exact[0] if len(exact) == 1 else None

    @property
    def count(self) -> int:
        return sum(len(group.hits) for group in self.groups)


_providers: dict[str, Provider] = {}


def register(
    kind: str,
    *,
    title: str,
    roles: frozenset,
    find: Callable,
    order: int,
) -> None:
    """Add (or replace, on a second ``ready``) the provider for one kind of object."""
    _providers[kind] = Provider(
        kind=kind, title=title, roles=frozenset(roles), find=find, order=order
    )


def providers_for(user) -> list[Provider]:
    if user is None or not user.is_authenticated:
        return []
    return sorted((p for p in _providers.values() if user.role in p.roles), key=lambda p: p.order)


def may_search(user) -> bool:
    """The header search is for staff roles, and only where a provider admits them."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.role in STAFF_ROLES
        and providers_for(user)
    )


def normalise(query: str) -> str:
    return " ".join(query.split())[:MAX_LENGTH]


def search(user, query: str) -> Results:
    query = normalise(query)
    results = Results(query=query)
    if len(query) < MIN_LENGTH:
        results.too_short = bool(query)
        return results
    for provider in providers_for(user):
        hits = list(provider.find(user, query, LIMIT + 1))
        if hits:
            results.groups.append(
                Group(title=provider.title, hits=hits[:LIMIT], more=len(hits) > LIMIT)
            )
    return results
