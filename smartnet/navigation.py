"""The header's navigation, grouped by area.

The core knows no domain app: each app's ``AppConfig`` lists its own entries
as ``nav_items = [NavItem(...), ...]``, each naming its area, and
:func:`areas_for` groups the ones the signed-in user's role admits, in the
order of :data:`AREAS`. An area that holds one link for this user is shown as
that link alone; an item with no area stands on its own in the bar.

Each role's home (where signing in lands) is declared the same way: an app
names the page it owns as ``role_homes = {role: url_name}`` and
:func:`home_url_for` is the one function that decides.
"""

from dataclasses import dataclass
from itertools import chain

from django.apps import apps
from django.urls import reverse

from smartnet.roles import STAFF_ROLES, Role

# The areas, in the order the bar shows them.
AREAS = ("Partners", "Finance", "Meetings", "Training", "Materials", "Board", "Admin")


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset
    area: str | None = None
    # A page whose URL is the root of others (the dashboard at /staff/) is
    # current only on itself, not on every page below it.
    exact: bool = False

    def __post_init__(self) -> None:
        if self.area is not None and self.area not in AREAS:
            raise ValueError(f"navigation item {self.label!r}: unknown area {self.area!r}")


# Staff land on the dashboard, which the core owns.
CORE_HOMES = dict.fromkeys(STAFF_ROLES, "staff_dashboard")

CORE_ITEMS = [
    NavItem("Dashboard", "staff_dashboard", STAFF_ROLES, exact=True),
    NavItem("Second factors", "two_factor_staff", frozenset({Role.STAFF_ADMIN}), "Admin"),
    NavItem("Scheduled jobs", "jobs_staff", frozenset({Role.STAFF_ADMIN}), "Admin"),
]


@dataclass
class Link:
    label: str
    url: str
    current: bool = False


@dataclass
class Area:
    """One entry of the bar: a dropdown of ``links``, or one link when it holds one."""

    label: str
    links: list[Link]

    @property
    def current(self) -> bool:
        return any(link.current for link in self.links)

    @property
    def single(self) -> Link | None:
        return self.links[0] if len(self.links) == 1 else None


def home_url_for(user) -> str:
    """Where this user starts: their role's home page, or the public home page
    for a role without one (or no role, or not signed in)."""
    if user is None or not user.is_authenticated:
        return reverse("home")
    homes = dict(CORE_HOMES)
    for config in apps.get_app_configs():
        homes.update(getattr(config, "role_homes", {}))
    url_name = homes.get(user.role)
    return reverse(url_name) if url_name else reverse("home")


def items_for(user) -> list[NavItem]:
    """Every item the user's role admits, the core's first, then each app's."""
    if user is None or not user.is_authenticated:
        return []
    declared = chain(
        CORE_ITEMS,
        *(getattr(config, "nav_items", []) for config in apps.get_app_configs()),
    )
    return [item for item in declared if user.role in item.roles]


def _current(items: list[tuple[NavItem, str]], path: str) -> str | None:
    """The URL of the item the page belongs to: the longest URL the path is
    under (a partner's page belongs to "Partners"), exact items only on themselves."""
    matching = [
        url for item, url in items if path == url or (not item.exact and path.startswith(url))
    ]
    return max(matching, key=len, default=None)


def areas_for(user, path: str) -> list[Area]:
    items = [(item, reverse(item.url_name)) for item in items_for(user)]
    current = _current(items, path)
    standalone: list[Area] = []
    grouped: dict[str, Area] = {}
    for item, url in items:
        link = Link(item.label, url, current=url == current)
        if item.area is None:
            standalone.append(Area(item.label, [link]))
        else:
            grouped.setdefault(item.area, Area(item.area, [])).links.append(link)
    # The first standalone page (the dashboard) leads, the areas follow in
    # their fixed order, then the other standalone pages.
    return standalone[:1] + [grouped[a] for a in AREAS if a in grouped] + standalone[1:]
