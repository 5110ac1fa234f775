"""The contract selectors other apps read (dispatched_totals, queue_size, spend_by_quarter)."""

from datetime import date
from decimal import Decimal

import pytest

from materials import selectors, services
from materials.models import Dispatch, Status
from tests.factories import PersonFactory
from tests.materials.factories import make_dispatch, make_item

pytestmark = pytest.mark.django_db


def _send(dispatch, on: date):
    services.dispatch_pack(dispatch_id=dispatch.pk)
    services.dispatch_send(dispatch_id=dispatch.pk, tracking_reference="T1")
    Dispatch.objects.filter(pk=dispatch.pk).update(dispatched_on=on)


def test_totals_and_spend_count_what_was_packed_at_its_cost_by_dispatch_date():
    poster = make_item("poster", stock=100, unit_cost="1.20")
    leaflet = make_item("leaflet", stock=1000, unit_cost="0.05")
    _send(make_dispatch({poster: 10, leaflet: 100}), date(2014, 2, 10))  # 12 + 5
    _send(make_dispatch({poster: 5}), date(2014, 5, 1))  # 6
    _send(make_dispatch({poster: 200}), date(2014, 5, 2))  # only 85 left: 102
    make_dispatch({poster: 1}, status=Status.SUBMITTED)  # not sent: not counted

    assert selectors.dispatched_totals(start=date(2014, 1, 1), end=date(2014, 3, 31)) == (
        110,
        Decimal("17.00"),
    )
    assert selectors.dispatched_totals(start=date(2014, 1, 1), end=date(2014, 12, 31)) == (
        200,
        Decimal("125.00"),
    )
    assert selectors.spend_by_quarter(start=date(2014, 1, 1), end=date(2014, 9, 30)) == [
        ("2014 Q1", Decimal("17.00")),
        ("2014 Q2", Decimal("108.00")),
        ("2014 Q3", Decimal("0.00")),
    ]
    assert selectors.dispatched_totals(start=date(2015, 1, 1), end=date(2015, 12, 31)) == (
        0,
        Decimal("0.00"),
    )


def test_queue_size_counts_what_is_neither_dispatched_nor_rejected():
    poster = make_item("poster", stock=100)
    for status in (Status.AWAITING_VERIFICATION, Status.SUBMITTED, Status.APPROVED, Status.PACKED):
        make_dispatch({poster: 1}, status=status)
    make_dispatch({poster: 1}, status=Status.REJECTED)
    make_dispatch({poster: 1}, status=Status.DELIVERED, tracking_reference="T")
    assert selectors.queue_size() == 4


def test_quarters_cross_the_year_end():
    labels = [q[0] for q in selectors.quarters(start=date(2013, 11, 5), end=date(2014, 4, 1))]
    assert labels == ["2013 Q4", "2014 Q1", "2014 Q2"]


def test_dispatches_for_person_lists_what_was_sent_to_them_latest_first():

    poster = make_item("poster", stock=100, unit_cost="1.20")
    person = PersonFactory()
    earlier = make_dispatch({poster: 1}, person=person)
    _send(earlier, date(2014, 2, 10))
    later = make_dispatch({poster: 2}, person=person)
    _send(later, date(2015, 3, 1))
    make_dispatch({poster: 1}, person=person, status=Status.SUBMITTED)  # not sent yet
    _send(make_dispatch({poster: 1}), date(2015, 4, 1))  # someone else's

    sent = list(selectors.dispatches_for_person(person_id=person.pk))
    assert [d.pk for d in sent] == [later.pk, earlier.pk]
    assert [line.quantity for line in sent[0].lines.all()] == [2]
    assert list(selectors.dispatches_for_person(person_id=PersonFactory().pk)) == []
