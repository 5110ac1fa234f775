"""The board's metrics: one registry of named figures, computed from live data.

Every metric is a function ``(on: date) -> value`` that reads the other apps
through their selectors (never their models), so the figure for any past date
is what the history says it was. Each one also says its unit, whether higher
is better (the RAG rule needs the direction) and the staff list behind it
(a URL name; the link is dropped when that list does not exist).

Scalar metrics return ``int``, ``Decimal`` or ``None`` (no data: a share of
nothing). ``block_population_by_nation`` is a breakdown (nation -> covered,
total) shown on pages and in the report; objectives target one of the scalar
per-nation shares derived from it.

Board reads every app through its selectors, and nothing reads board.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.urls import reverse

from materials import selectors as materials_selectors
from meetings import selectors as meetings_selectors
from partners import selectors as partners_selectors
from smartnet.templatetags.numbers import format_money, format_whole, percent
from training import selectors as training_selectors

Value = int | Decimal | None

HUNDRED = Decimal(100)


class Unit:
    COUNT = "count"
    PERCENT = "percent"
    MONEY = "money"


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    unit: str
    higher_is_better: bool
    compute: Callable[[date], Value]
    list_url_name: str = ""
    description: str = ""
    # A faster way to compute many dates at once (meetings per week has one).
    compute_series: Callable[[list[date]], list[Value]] | None = None

    def value(self, on: date) -> Value:
        return self.compute(on)

    def series(self, dates: list[date]) -> list[Value]:
        if self.compute_series is not None:
            return self.compute_series(dates)
        return [self.compute(d) for d in dates]

    @property
    def list_url(self) -> str | None:
        if not self.list_url_name:
            return None
        return reverse(self.list_url_name)

    def format(self, value: Value) -> str:
        return format_value(value, self.unit)


def format_value(value: Value | str, unit: str) -> str:
    """A figure as people read it, by its unit: 1,234 (counts are whole) / 61.5% /
    £12,500.00 / "no data". The number filters do the printing."""
    if value is None or value == "":
        return "no data"
    if unit == Unit.PERCENT:
        return percent(value, 1)
    if unit == Unit.MONEY:
        return format_money(value)
    return format_whole(value)


def financial_year_start(on: date) -> date:
    """1 April of the financial year (April-March) that ``on`` falls in."""
    year = on.year if on.month >= 4 else on.year - 1
    return date(year, 4, 1)


def _percent(share: Decimal | None) -> Decimal | None:
    """Selectors give shares as fractions (0.615); the board reads percentages."""
    if share is None:
        return None
    return (Decimal(share) * HUNDRED).quantize(Decimal("0.1"))


# --- reads shared between metrics ----------------------------------------------------
# Several metrics derive from one read (the per-nation shares from one breakdown,
# items and cost from one materials total). Inside ``shared_reads`` each such read
# is made once per day; outside it, every call reads afresh.
_shared: ContextVar[dict | None] = ContextVar("board_metrics_shared", default=None)


@contextmanager
def shared_reads(memo: dict | None = None) -> Iterator[dict]:
    memo = {} if memo is None else memo
    token = _shared.set(memo)
    try:
        yield memo
    finally:
        _shared.reset(token)


def _once(name: str, read: Callable, *args):
    memo = _shared.get()
    if memo is None:
        return read(*args)
    key = (name, *args)
    if key not in memo:
        memo[key] = read(*args)
    return memo[key]


# --- the metrics -------------------------------------------------------------------


def meetings_per_week(on: date) -> int:
    return meetings_selectors.meetings_per_week(on=on)


def meetings_per_week_many(dates: list[date]) -> list[Value]:
    """One series query instead of one per date: the weekly points are Mondays,
    so each date takes the value of the Monday of its week."""
    if not dates:
        return []
    start = min(dates) - timedelta(days=min(dates).weekday())
    points = dict(meetings_selectors.meetings_per_week_series(start=start, end=max(dates)))
    values: list[Value] = []
    for d in dates:
        monday = d - timedelta(days=d.weekday())
        values.append(
            points[monday] if monday in points else meetings_selectors.meetings_per_week(on=d)
        )
    return values


def peer_led_share(on: date) -> Decimal | None:
    return _percent(meetings_selectors.peer_led_share(on=on))


def active_partners(on: date) -> int:
    return partners_selectors.active_partner_count(on=on)


def active_sites(on: date) -> int:
    return partners_selectors.active_site_count(on=on)


def block_covered_sites(on: date) -> int:
    return partners_selectors.block_covered_site_count(on=on)


def block_population_by_nation(on: date) -> dict[str, tuple[int, int]]:
    """Breakdown: nation -> (population covered by block agreements, total population)."""
    return dict(
        _once("block_population", lambda d: partners_selectors.block_population_by_nation(on=d), on)
    )


def block_population_covered(on: date) -> int:
    return sum(covered for covered, _total in block_population_by_nation(on).values())


def _nation_share(nation: str) -> Callable[[date], Decimal | None]:
    def compute(on: date) -> Decimal | None:
        covered, total = block_population_by_nation(on).get(nation, (0, 0))
        if not total:
            return None
        return (Decimal(covered) * HUNDRED / Decimal(total)).quantize(Decimal("0.1"))

    return compute


def champions_trained(on: date) -> int:
    return training_selectors.champion_count(on=on)


def facilitators_trained(on: date) -> int:
    return training_selectors.facilitator_count(on=on)


def renewal_rate(on: date) -> Decimal | None:
    return _percent(partners_selectors.renewal_rate(on=on))


def licence_income_financial_year(on: date) -> Decimal:
    """Net licence and block income invoiced from 1 April to ``on`` inclusive."""
    income = partners_selectors.licence_income(start=financial_year_start(on), end=on)
    return Decimal(income).quantize(Decimal("0.01"))


def _dispatched_totals(start: date, end: date) -> tuple[int, Decimal]:
    return _once(
        "dispatched_totals",
        lambda s, e: materials_selectors.dispatched_totals(start=s, end=e),
        start,
        end,
    )


def materials_dispatched_items(on: date) -> int:
    """Items dispatched in the financial year to ``on``."""
    items, _cost = _dispatched_totals(financial_year_start(on), on)
    return items


def materials_dispatched_cost(on: date) -> Decimal:
    """Cost of the items dispatched in the financial year to ``on``."""
    _items, cost = _dispatched_totals(financial_year_start(on), on)
    return Decimal(cost).quantize(Decimal("0.01"))


def partners_behind_on_peer_led(on: date) -> int:
    """Partners signed over 12 months ago with no peer-led meeting yet."""
    return len(meetings_selectors.partners_behind_on_peer_led(on=on))


def online_meetings_per_week(on: date) -> int:
    return meetings_selectors.meetings_per_week_where(on=on, format="online")


def hybrid_meetings_per_week(on: date) -> int:
    return meetings_selectors.meetings_per_week_where(on=on, format="hybrid")


def family_friends_per_week(on: date) -> int:
    return meetings_selectors.meetings_per_week_where(on=on, programme="family_friends")


ATTENDANCE_WEEKS = 12


def average_attendance(on: date) -> Decimal | None:
    """Mean head count per session over the 12 weeks to ``on``."""
    return meetings_selectors.average_attendance(
        start=on - timedelta(weeks=ATTENDANCE_WEEKS) + timedelta(days=1), end=on
    )


def trained_facilitators_active(on: date) -> int:
    """Trained facilitators (by ``on``) leading a meeting active on ``on``."""
    leading = meetings_selectors.active_facilitator_ids(on=on)
    if not leading:
        return 0
    return len(training_selectors.trained_facilitator_ids(person_ids=leading, on=on))


def days_request_to_dispatch(on: date) -> Decimal | None:
    """Median days from request to dispatch, requests dispatched in the 12 months to ``on``."""
    return materials_selectors.days_request_to_dispatch(start=on - timedelta(days=364), end=on)


def refreshers_overdue(on: date) -> int:
    return training_selectors.refreshers_overdue_count(on=on)


# --- the registry --------------------------------------------------------------------

NATIONS = [
    ("england", "England"),
    ("scotland", "Scotland"),
    ("wales", "Wales"),
    ("northern_ireland", "Northern Ireland"),
]


def _build() -> dict[str, Metric]:
    metrics = [
        Metric(
            "meetings_per_week",
            "Meetings per week",
            Unit.COUNT,
            True,
            meetings_per_week,
            "meetings_staff:list",
            "Active weekly meetings on the day.",
            compute_series=meetings_per_week_many,
        ),
        Metric(
            "peer_led_share",
            "Peer-led share of meetings",
            Unit.PERCENT,
            True,
            peer_led_share,
            "meetings_staff:figures",
            "Share of active meetings led by trained peer facilitators.",
        ),
        Metric(
            "active_partners",
            "Active partners",
            Unit.COUNT,
            True,
            active_partners,
            "partners_staff:partner_list",
            "Organisations holding an active site licence.",
        ),
        Metric(
            "active_sites",
            "Active sites",
            Unit.COUNT,
            True,
            active_sites,
            "partners_staff:partner_list",
            "Sites covered by an active licence or block agreement.",
        ),
        Metric(
            "block_covered_sites",
            "Sites under block agreements",
            Unit.COUNT,
            True,
            block_covered_sites,
            "partners_staff:coverage",
            "Sites inside an area covered by an active block agreement.",
        ),
        Metric(
            "block_population_covered",
            "Population covered by block agreements",
            Unit.COUNT,
            True,
            block_population_covered,
            "partners_staff:coverage",
            "People living in areas covered by an active block agreement (all nations).",
        ),
        *[
            Metric(
                f"block_population_share_{code}",
                f"Population covered by block agreements: {name}",
                Unit.PERCENT,
                True,
                _nation_share(code),
                "partners_staff:coverage",
                f"Share of {name}'s population living in areas with an active block agreement.",
            )
            for code, name in NATIONS
        ],
        Metric(
            "champions_trained",
            "Champions trained (cumulative)",
            Unit.COUNT,
            True,
            champions_trained,
            "training_staff:champions",
            "Professionals who have become SMART Recovery Champions, to date.",
        ),
        Metric(
            "facilitators_trained",
            "Facilitators trained (cumulative)",
            Unit.COUNT,
            True,
            facilitators_trained,
            "training_staff:people",
            "People trained as meeting facilitators, to date.",
        ),
        Metric(
            "renewal_rate",
            "Partner renewal rate (12 months)",
            Unit.PERCENT,
            True,
            renewal_rate,
            "partners_staff:renewals",
            "Share of agreements ending in the last 12 months that renewed.",
        ),
        Metric(
            "licence_income_fy",
            "Licence income this financial year",
            Unit.MONEY,
            True,
            licence_income_financial_year,
            "partners_staff:partner_list",
            "Net licence and block income invoiced since 1 April.",
        ),
        Metric(
            "materials_dispatched_items",
            "Materials dispatched this financial year",
            Unit.COUNT,
            True,
            materials_dispatched_items,
            "materials_staff:economics",
            "Items of free materials dispatched since 1 April.",
        ),
        Metric(
            "materials_dispatched_cost",
            "Cost of materials dispatched this financial year",
            Unit.MONEY,
            False,
            materials_dispatched_cost,
            "materials_staff:economics",
            "Cost of the free materials dispatched since 1 April.",
        ),
        Metric(
            "online_meetings_per_week",
            "Online meetings per week",
            Unit.COUNT,
            True,
            online_meetings_per_week,
            "meetings_staff:list",
            "Active weekly meetings on the day whose format is online (hybrid counted apart).",
        ),
        Metric(
            "hybrid_meetings_per_week",
            "Hybrid meetings per week",
            Unit.COUNT,
            True,
            hybrid_meetings_per_week,
            "meetings_staff:list",
            "Active weekly meetings on the day held in person and online at once.",
        ),
        Metric(
            "family_friends_per_week",
            "Family & Friends meetings per week",
            Unit.COUNT,
            True,
            family_friends_per_week,
            "meetings_staff:list",
            "Active weekly meetings on the day in the Family & Friends programme.",
        ),
        Metric(
            "average_attendance",
            "Average attendance per session",
            Unit.COUNT,
            True,
            average_attendance,
            "meetings_staff:figures",
            f"Mean head count of the sessions recorded in the {ATTENDANCE_WEEKS} weeks to the day.",
        ),
        Metric(
            "trained_facilitators_active",
            "Trained facilitators leading a meeting",
            Unit.COUNT,
            True,
            trained_facilitators_active,
            "training_staff:people",
            "People trained as facilitators by the day who lead an active meeting that day.",
        ),
        Metric(
            "days_request_to_dispatch",
            "Days from request to dispatch",
            Unit.COUNT,
            False,
            days_request_to_dispatch,
            "materials_staff:queue",
            "Median days from a materials request to its dispatch, for requests dispatched "
            "in the 12 months to the day.",
        ),
        Metric(
            "refreshers_overdue",
            "Refreshers overdue",
            Unit.COUNT,
            False,
            refreshers_overdue,
            "training_staff:people",
            "People whose Champion or facilitator training lapsed by the day with no "
            "refresher since (one per person and course).",
        ),
        Metric(
            "partners_behind_on_peer_led",
            "Partners 12 months in without a peer-led meeting",
            Unit.COUNT,
            False,
            partners_behind_on_peer_led,
            "meetings_staff:figures",
            "Partners that signed over a year ago and have no peer-led meeting yet.",
        ),
    ]
    return {m.key: m for m in metrics}


REGISTRY: dict[str, Metric] = _build()

# The breakdown shown beside the scalar metrics (not an objective's metric).
BREAKDOWNS: dict[str, tuple[str, Callable[[date], dict]]] = {
    "block_population_by_nation": (
        "Population covered by block agreements, by nation",
        block_population_by_nation,
    ),
}


def get(key: str) -> Metric:
    try:
        return REGISTRY[key]
    except KeyError:
        raise KeyError(f"No metric called {key!r}; known: {', '.join(sorted(REGISTRY))}") from None


def choices() -> list[tuple[str, str]]:
    return [(m.key, m.label) for m in REGISTRY.values()]


def compute_all(on: date, keys: Iterable[str] | None = None) -> dict[str, Value]:
    """Every metric (or those named) as of ``on``."""
    return {key: get(key).value(on) for key in (keys or REGISTRY)}
