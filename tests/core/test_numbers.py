"""The one set of number filters: money, counts, shares and durations read right."""

import re
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.template import Context, Template

from smartnet.templatetags.numbers import days, days_since, money, percent, pounds, whole


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("878.090000000000"), "£878.09"),
        (Decimal("12500.00"), "£12,500.00"),
        (12500, "£12,500.00"),
        (Decimal("1234567.5"), "£1,234,567.50"),
        (Decimal("0.005"), "£0.01"),
        (Decimal("-42.1"), "-£42.10"),
        (0, "£0.00"),
        ("1000", "£1,000.00"),
        (None, "-"),
        ("", "-"),
        ("not money", "-"),
        (Decimal("NaN"), "-"),
    ],
)
def test_money(value, expected):
    assert money(value) == expected


def test_pounds_rounds_to_whole_pounds():
    assert pounds(Decimal("12499.50")) == "£12,500"
    assert pounds(None) == "-"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (331.78, "332"),
        (Decimal("2892.12"), "2,892"),
        (16769404.59, "16,769,405"),
        (0, "0"),
        (7, "7"),
        (None, "-"),
        (True, "-"),
    ],
)
def test_whole(value, expected):
    assert whole(value) == expected


def test_percent():
    assert percent(45.6) == "46%"
    assert percent(Decimal("45.64"), 1) == "45.6%"
    assert percent(None) == "-"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (timedelta(days=58), "58 days"),
        (timedelta(days=1, hours=5), "1 day"),
        (1, "1 day"),
        (0, "0 days"),
        (Decimal("2.6"), "3 days"),
        (1200, "1,200 days"),
        (None, "-"),
    ],
)
def test_days(value, expected):
    assert days(value) == expected


def test_days_since_counts_whole_days_to_the_given_date():
    assert days_since(date(2026, 10, 4), date(2026, 12, 1)) == "58 days"
    assert days_since(None, date(2026, 12, 1)) == "-"


def test_filters_load_in_a_template():
    out = Template(
        "{% load numbers %}{{ a|money }} {{ b|whole }} {{ c|days }} {{ d|days_since:today }}"
    ).render(
        Context(
            {
                "a": Decimal("878.09"),
                "b": 2892.12,
                "c": 58,
                "d": date(2026, 11, 30),
                "today": date(2026, 12, 1),
            }
        )
    )
    assert out == "£878.09 2,892 58 days 1 day"


TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
# Formatting by hand that the number filters replace: a pound sign before a raw
# value, Django's humanize and floatformat for counts, and "1 month, 4 weeks".
BY_HAND = [
    (re.compile(r"£\s*\{[{%]"), "£ before a raw value: use |money or |pounds"),
    (re.compile(r"\|\s*intcomma"), "intcomma: use |whole or |money"),
    (re.compile(r"\|\s*timesince|\|\s*timeuntil"), "timesince: use |days or |days_since"),
    (re.compile(r"floatformat:\s*\"?0"), "floatformat:0 for a count: use |whole"),
]


def test_no_template_formats_a_number_by_hand():
    found = []
    for path in sorted(TEMPLATES.rglob("*")):
        if path.suffix not in {".html", ".txt"}:
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            for pattern, why in BY_HAND:
                if pattern.search(line):
                    found.append(f"{path.relative_to(TEMPLATES)}:{number}: {why}")
    assert not found, "\n".join(found)


def test_the_scan_catches_a_pound_sign_before_a_raw_value():
    assert BY_HAND[0][0].search("<td>£{{ invoice.total }}</td>")
    assert BY_HAND[0][0].search("£{% if x %}")
    assert not BY_HAND[0][0].search("<td>{{ invoice.total|money }}</td>")
