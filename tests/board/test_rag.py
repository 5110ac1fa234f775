"""The RAG rule at its boundaries (board/rag.py)."""

from datetime import date
from decimal import Decimal

import pytest

from board import rag
from board.rag import Colour, Thresholds, action_colour, expected_value, objective_colour, roll_up

T = Thresholds(tolerance_percent=Decimal(5), amber_band_percent=Decimal(10), due_soon_days=14)
# 40 -> 400 over 2010-01-01..2013-01-01 (1096 days); halfway point by days below.
PLAN = {
    "baseline": Decimal(40),
    "baseline_date": date(2010, 1, 1),
    "target": Decimal(400),
    "target_date": date(2013, 1, 1),
}
# Planned change 360: tolerance 5% = 18, amber band 10% = 36.


def colour(value, on, **kw):
    return objective_colour(value=value, on=on, higher_is_better=True, thresholds=T, **(PLAN | kw))


def test_expected_value_is_on_the_straight_line_and_clamped():
    assert expected_value(on=date(2009, 6, 1), **PLAN) == 40
    assert expected_value(on=date(2010, 1, 1), **PLAN) == 40
    assert expected_value(on=date(2013, 1, 1), **PLAN) == 400
    assert expected_value(on=date(2014, 1, 1), **PLAN) == 400
    # 2011-07-02 is 547 of 1096 days in.
    assert expected_value(on=date(2011, 7, 2), **PLAN) == Decimal(40) + Decimal(360) * 547 / 1096


@pytest.mark.parametrize(
    "value, expected",
    [
        (None, Colour.GREY),
        (Decimal(400), Colour.BLUE),  # target met
        (Decimal(401), Colour.BLUE),
        (Decimal(220), Colour.GREEN),  # on the line
        (Decimal(300), Colour.GREEN),  # ahead
        (Decimal(202), Colour.GREEN),  # exactly the tolerance below: still green
        (Decimal("201.99"), Colour.AMBER),
        (Decimal(166), Colour.AMBER),  # exactly tolerance + band below: still amber
        (Decimal("165.99"), Colour.RED),
        (Decimal(0), Colour.RED),
    ],
)
def test_objective_boundaries_higher_is_better(value, expected):
    # Expected value 220 exactly: pick a plan with an even day count.
    plan = PLAN | {"target_date": date(2012, 1, 1)}  # 730 days; halfway 2011-01-01 (365 days)
    assert (
        objective_colour(
            value=value, on=date(2011, 1, 1), higher_is_better=True, thresholds=T, **plan
        )
        == expected
    )


@pytest.mark.parametrize(
    "value, expected",
    [
        (Decimal(0), Colour.BLUE),
        (Decimal(5), Colour.GREEN),  # on the line (10 -> 0, halfway)
        (Decimal("5.5"), Colour.GREEN),  # tolerance 5% of 10 = 0.5
        (Decimal("5.51"), Colour.AMBER),
        (Decimal("6.5"), Colour.AMBER),  # + band 1.0
        (Decimal("6.51"), Colour.RED),
        (Decimal(2), Colour.GREEN),  # ahead (fewer is better)
    ],
)
def test_objective_boundaries_lower_is_better(value, expected):
    plan = {
        "baseline": Decimal(10),
        "baseline_date": date(2011, 1, 1),
        "target": Decimal(0),
        "target_date": date(2012, 12, 31),  # 730 days; 2012-01-01 is exactly half
    }
    assert (
        objective_colour(
            value=value, on=date(2012, 1, 1), higher_is_better=False, thresholds=T, **plan
        )
        == expected
    )


def test_an_objectives_own_tolerance_replaces_the_default():
    plan = PLAN | {"target_date": date(2012, 1, 1)}
    on = date(2011, 1, 1)  # expected 220
    value = Decimal(190)  # 30 below: amber with the default 5% (18), green with 10% (36)
    assert colour(value, on, target_date=plan["target_date"]) == Colour.AMBER
    assert (
        objective_colour(
            value=value,
            on=on,
            higher_is_better=True,
            thresholds=T,
            tolerance_percent=Decimal(10),
            **plan,
        )
        == Colour.GREEN
    )


def test_before_the_baseline_date_the_baseline_is_expected():
    assert colour(Decimal(40), date(2009, 1, 1)) == Colour.GREEN
    assert colour(Decimal(22), date(2009, 1, 1)) == Colour.GREEN  # 18 below: tolerance
    assert colour(Decimal(21), date(2009, 1, 1)) == Colour.AMBER
    assert colour(Decimal(-15), date(2009, 1, 1)) == Colour.RED  # 55 below: past the band


def test_the_rule_reads_its_defaults_from_settings(settings):
    settings.BOARD_RAG_TOLERANCE_PERCENT = 50
    settings.BOARD_RAG_AMBER_BAND_PERCENT = 10
    plan = PLAN | {"target_date": date(2012, 1, 1)}
    # 220 expected; 100 is 120 below: green with 50% of 360 = 180.
    assert (
        objective_colour(value=Decimal(100), on=date(2011, 1, 1), higher_is_better=True, **plan)
        == Colour.GREEN
    )


@pytest.mark.parametrize(
    "done, due, at_risk, expected",
    [
        (True, date(2014, 1, 1), False, Colour.BLUE),  # done, even when late
        (False, date(2014, 2, 28), False, Colour.RED),  # one day overdue
        (False, date(2014, 3, 1), False, Colour.AMBER),  # due today
        (False, date(2014, 3, 15), False, Colour.AMBER),  # exactly 14 days ahead
        (False, date(2014, 3, 16), False, Colour.GREEN),  # 15 days ahead
        (False, date(2014, 6, 1), True, Colour.AMBER),  # far ahead but at risk
    ],
)
def test_action_boundaries(done, due, at_risk, expected):
    assert (
        action_colour(done=done, due_date=due, at_risk=at_risk, on=date(2014, 3, 1), thresholds=T)
        == expected
    )


def test_roll_up_shows_the_worst_colour_and_every_count():
    result = roll_up(["green"] * 9 + ["red"])
    assert result.colour == Colour.RED  # an average would say green
    assert result.counts == {"red": 1, "amber": 0, "grey": 0, "green": 9, "blue": 0}
    assert roll_up(["blue", "green"]).colour == Colour.GREEN
    assert roll_up(["blue", "grey"]).colour == Colour.GREY
    assert roll_up(["amber", "grey"]).colour == Colour.AMBER
    assert roll_up([]).colour is None


# --- lights in words -----------------------------------------------------------------


def test_counts_read_best_first_in_words():
    counts = {"red": 8, "amber": 6, "grey": 0, "green": 6, "blue": 0}
    assert rag.counts_in_words(counts) == "Green: 6, Amber: 6, Red: 8"
    assert rag.counts_in_words({"blue": 3, "green": 2}) == "Complete: 3, Green: 2"
    assert rag.counts_in_words({}) == "none"
    assert [c["word"] for c in rag.counts_in_order(counts)] == ["Green", "Amber", "Red"]


def test_an_override_is_explained_in_words():
    assert rag.override_in_words(
        shown="amber", computed="red", by="Sam Lee", reason="Export late"
    ) == ("Set to Amber by Sam Lee; the rule gives Red. Reason: Export late")
    assert rag.override_in_words(shown="amber", computed="amber") == (
        "Set to Amber by staff, the same as the rule gives."
    )


def test_every_light_has_a_word_and_a_meaning():
    for colour in rag.Colour:
        assert rag.word(colour) and rag.word(colour) != rag.word(colour).upper()
        assert rag.MEANINGS[colour]
