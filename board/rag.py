"""The traffic-light (RAG) rule, in one place.

Colours, best to worst: BLUE (complete), GREEN (on track), GREY (no data),
AMBER (a little behind / needs attention), RED (behind / overdue).

Objectives with a metric (or a manual value)
--------------------------------------------
The plan is a straight line from the baseline (value, date) to the target
(value, date); the *expected* value on a day is read off that line (before the
baseline date it is the baseline, after the target date it is the target).
The *planned change* is ``|target - baseline|``. With ``tolerance`` and
``amber band`` given as percentages of the planned change:

- no value (no data, or a share of nothing) -> GREY;
- the value has reached the target (at or above it when higher is better, at
  or below it when lower is better) -> BLUE;
- the value is at or better than ``expected - tolerance`` -> GREEN;
- the value is at or better than ``expected - tolerance - amber band`` -> AMBER;
- anything worse -> RED.

"Better" follows the metric's direction: for a lower-is-better metric the
line runs downwards and a value above it is behind. Percentages of the
planned change (not of the value) keep the rule sensible when the target is
zero ("no partner behind on peer-led meetings").

Defaults: tolerance ``BOARD_RAG_TOLERANCE_PERCENT`` (each objective may set its
own), amber band ``BOARD_RAG_AMBER_BAND_PERCENT``.

Actions
-------
- done -> BLUE;
- due date passed and not done -> RED;
- due within ``BOARD_ACTION_DUE_SOON_DAYS`` days (today included) or marked at
  risk -> AMBER;
- otherwise -> GREEN.

Overrides and roll-ups
----------------------
Staff may override any light, only with a written reason; reports show the
computed colour, the override and the reason. A roll-up (an objective over
itself and its actions, the summary over objectives) shows the *worst* colour
and the count of each colour - never an average, so one red is never hidden.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import models


class Colour(models.TextChoices):
    BLUE = "blue", "Complete"
    GREEN = "green", "Green"
    GREY = "grey", "No data"
    AMBER = "amber", "Amber"
    RED = "red", "Red"


# Worst first: roll-ups take the first colour of this order that is present.
SEVERITY = [Colour.RED, Colour.AMBER, Colour.GREY, Colour.GREEN, Colour.BLUE]

# The word printed beside every light, so it never rests on colour alone.
WORDS = {
    Colour.BLUE: "Complete",
    Colour.GREEN: "Green",
    Colour.GREY: "No data",
    Colour.AMBER: "Amber",
    Colour.RED: "Red",
}
# What each light means, for keys and hover text.
MEANINGS = {
    Colour.BLUE: "target met",
    Colour.GREEN: "on track",
    Colour.GREY: "no figure yet",
    Colour.AMBER: "a little behind, or an action due soon or at risk",
    Colour.RED: "behind, or an action overdue",
}
# The order counts are read in: best first, as in "Green: 6, Amber: 6, Red: 8".
READING_ORDER = [Colour.BLUE, Colour.GREEN, Colour.AMBER, Colour.RED, Colour.GREY]


def word(colour: str) -> str:
    return WORDS[Colour(colour)]


def counts_in_order(counts: dict[str, int]) -> list[dict]:
    """The non-zero counts, best first: [{"colour", "word", "count"}, ...]."""
    return [
        {"colour": c.value, "word": WORDS[c], "count": counts[c.value]}
        for c in READING_ORDER
        if counts.get(c.value)
    ]


def counts_in_words(counts: dict[str, int]) -> str:
    """``{"green": 6, "amber": 6, "red": 8}`` -> ``Green: 6, Amber: 6, Red: 8``."""
    shown = counts_in_order(counts)
    return ", ".join(f"{c['word']}: {c['count']}" for c in shown) or "none"


def override_in_words(*, shown: str, computed: str, by: str = "", reason: str = "") -> str:
    """Why a light is not the rule's: ``Set to Amber by Sam Lee; the rule gives Red.
    Reason: ...`` (or ``..., the same as the rule gives``)."""
    who = f" by {by}" if by else " by staff"
    if Colour(shown) == Colour(computed):
        text = f"Set to {word(shown)}{who}, the same as the rule gives."
    else:
        text = f"Set to {word(shown)}{who}; the rule gives {word(computed)}."
    return f"{text} Reason: {reason}" if reason else text


@dataclass(frozen=True)
class Thresholds:
    tolerance_percent: Decimal
    amber_band_percent: Decimal
    due_soon_days: int

    @classmethod
    def from_settings(cls) -> Thresholds:
        return cls(
            tolerance_percent=Decimal(str(settings.BOARD_RAG_TOLERANCE_PERCENT)),
            amber_band_percent=Decimal(str(settings.BOARD_RAG_AMBER_BAND_PERCENT)),
            due_soon_days=int(settings.BOARD_ACTION_DUE_SOON_DAYS),
        )


def expected_value(
    *, baseline: Decimal, baseline_date: date, target: Decimal, target_date: date, on: date
) -> Decimal:
    """The value the straight line from baseline to target expects on ``on``."""
    if on <= baseline_date:
        return baseline
    if on >= target_date:
        return target
    elapsed = Decimal((on - baseline_date).days)
    span = Decimal((target_date - baseline_date).days)
    return baseline + (target - baseline) * elapsed / span


def objective_colour(
    *,
    value: Decimal | int | None,
    baseline: Decimal,
    baseline_date: date,
    target: Decimal,
    target_date: date,
    on: date,
    higher_is_better: bool,
    tolerance_percent: Decimal | None = None,
    thresholds: Thresholds | None = None,
) -> Colour:
    """The light of a metric (or manual) objective on ``on``; see the module docstring."""
    if value is None:
        return Colour.GREY
    thresholds = thresholds or Thresholds.from_settings()
    tolerance = (
        thresholds.tolerance_percent if tolerance_percent is None else Decimal(tolerance_percent)
    )
    value = Decimal(value)
    sign = Decimal(1) if higher_is_better else Decimal(-1)
    if (value - target) * sign >= 0:
        return Colour.BLUE
    expected = expected_value(
        baseline=baseline,
        baseline_date=baseline_date,
        target=target,
        target_date=target_date,
        on=on,
    )
    planned_change = abs(target - baseline)
    # How far the value is behind the line, in the "better" direction (negative = ahead).
    shortfall = (expected - value) * sign
    green_limit = planned_change * tolerance / 100
    amber_limit = green_limit + planned_change * thresholds.amber_band_percent / 100
    if shortfall <= green_limit:
        return Colour.GREEN
    if shortfall <= amber_limit:
        return Colour.AMBER
    return Colour.RED


def action_colour(
    *,
    done: bool,
    due_date: date,
    at_risk: bool,
    on: date,
    thresholds: Thresholds | None = None,
) -> Colour:
    """The light of a work-plan action on ``on``; see the module docstring."""
    if done:
        return Colour.BLUE
    if due_date < on:
        return Colour.RED
    thresholds = thresholds or Thresholds.from_settings()
    if at_risk or (due_date - on).days <= thresholds.due_soon_days:
        return Colour.AMBER
    return Colour.GREEN


def effective(computed: str, override: str | None) -> Colour:
    """The light shown: the override when staff set one, otherwise the computed one."""
    return Colour(override or computed)


@dataclass(frozen=True)
class RollUp:
    colour: Colour | None  # None when there is nothing to roll up
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def as_dict(self) -> dict:
        return {"colour": self.colour.value if self.colour else None, "counts": self.counts}


def roll_up(colours: Iterable[str]) -> RollUp:
    """The worst colour present and the count of each (every colour listed, worst first)."""
    counted = Counter(Colour(c) for c in colours)
    worst = next((c for c in SEVERITY if counted[c]), None)
    return RollUp(colour=worst, counts={c.value: counted[c] for c in SEVERITY})
