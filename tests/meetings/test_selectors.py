"""The network's figures on a hand-built history with known answers."""

import datetime
from decimal import Decimal

import pytest

from meetings import selectors, services
from meetings.models import Leadership
from tests.factories import OrganisationFactory, PersonFactory
from tests.meetings.factories import make_meeting
from tests.partners.factories import make_partner
from tests.training.factories import make_trained_facilitator

D = datetime.date


@pytest.fixture
def history(db):
    """Three partners and four meetings:

    - A (signed 2012-01-10): m1 opened 2012-03-05 professional, co-facilitated
      2012-09-03, peer led 2013-03-04, back to professional 2013-06-03.
    - A: m2 opened 2012-04-02, closed 2012-10-01.
    - B (signed 2012-02-01): m3 opened 2012-05-07 peer led from the start,
      paused 2013-02-04, reopened 2013-03-04.
    - C (signed 2012-06-01): never peer led; m4 proposed 2012-06-04, never opened.
    """
    a = OrganisationFactory(name="Alpha")
    b = OrganisationFactory(name="Beta")
    c = OrganisationFactory(name="Gamma")
    make_partner(a, signed_on=D(2012, 1, 10), start=D(2012, 1, 10), end=D(2015, 1, 9))
    make_partner(b, signed_on=D(2012, 2, 1), start=D(2012, 2, 1), end=D(2015, 1, 31))
    make_partner(c, signed_on=D(2012, 6, 1), start=D(2012, 6, 1), end=D(2015, 5, 31))
    peer = make_trained_facilitator(completed_on=D(2012, 1, 2))
    m1 = make_meeting(host=a, started_on=D(2012, 3, 5))
    services.leadership_change(
        meeting=m1, kind=Leadership.CO_FACILITATED, start_date=D(2012, 9, 3), facilitators=[peer]
    )
    services.leadership_change(
        meeting=m1, kind=Leadership.PEER_LED, start_date=D(2013, 3, 4), facilitators=[peer]
    )
    services.leadership_change(meeting=m1, kind=Leadership.PROFESSIONAL, start_date=D(2013, 6, 3))
    m2 = make_meeting(host=a, started_on=D(2012, 4, 2))
    services.meeting_close(meeting=m2, on=D(2012, 10, 1), reason="Room lost")
    m3 = make_meeting(host=b, started_on=D(2012, 5, 7), led=Leadership.PEER_LED)
    services.meeting_pause(meeting=m3, on=D(2013, 2, 4), reason="Facilitator away")
    services.meeting_activate(meeting=m3, on=D(2013, 3, 4))
    m4 = services.meeting_create(
        proposed_on=D(2012, 6, 4),
        name="Gamma proposed",
        weekday=2,
        start_time=datetime.time(10),
        end_time=datetime.time(11),
        format="online",
        conference_url="https://meet.example.org/g",
        host=c,
    )
    return {"a": a, "b": b, "c": c, "m1": m1, "m2": m2, "m3": m3, "m4": m4}


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (D(2012, 3, 4), 0),
        (D(2012, 3, 5), 1),
        (D(2012, 5, 7), 3),
        (D(2012, 9, 30), 3),
        (D(2012, 10, 1), 2),  # m2 closed that day
        (D(2013, 2, 10), 1),  # m3 paused
        (D(2013, 3, 4), 2),  # m3 back
        (D(2020, 1, 1), 2),
    ],
)
def test_meetings_per_week_on_a_date(history, on, expected):
    assert selectors.meetings_per_week(on=on) == expected


def test_series_agrees_with_single_dates(history):
    series = selectors.meetings_per_week_series(start=D(2012, 2, 1), end=D(2013, 12, 31))
    assert series[0][0] == D(2012, 1, 30)
    assert all(monday.weekday() == 0 for monday, _ in series)
    for monday, count in series:
        assert count == selectors.meetings_per_week(on=monday), monday


def test_series_is_one_query(history, django_assert_num_queries):
    with django_assert_num_queries(1):
        series = selectors.meetings_per_week_series(start=D(2010, 1, 1), end=D(2014, 1, 1))
    assert series[0][0] == D(2009, 12, 28) and series[-1][0] == D(2013, 12, 30)
    assert len(series) == (D(2013, 12, 30) - D(2009, 12, 28)).days // 7 + 1


def test_new_and_closed_meetings(history):
    assert selectors.new_meetings_count(start=D(2012, 1, 1), end=D(2012, 12, 31)) == 3
    # Reopening after a pause is not a new meeting.
    assert selectors.new_meetings_count(start=D(2013, 1, 1), end=D(2013, 12, 31)) == 0
    assert selectors.closed_meetings_count(start=D(2012, 10, 1), end=D(2012, 10, 7)) == 1
    weeks = selectors.weekly_openings_and_closures(start=D(2012, 3, 5), end=D(2012, 10, 7))
    by_week = {monday: (new, closed) for monday, new, closed in weeks}
    assert by_week[D(2012, 3, 5)] == (1, 0)
    assert by_week[D(2012, 10, 1)] == (0, 1)


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (D(2012, 1, 1), None),
        (D(2012, 5, 7), Decimal("0.3333")),  # m3 of m1, m2, m3
        (D(2012, 10, 1), Decimal("0.5000")),  # m3 of m1, m3
        (D(2013, 2, 10), Decimal("0.0000")),  # m3 paused; m1 co-facilitated
        (D(2013, 3, 4), Decimal("1.0000")),  # m1 peer led, m3 back
        (D(2013, 6, 3), Decimal("0.5000")),  # m1 back to professional
    ],
)
def test_peer_led_share(history, on, expected):
    assert selectors.peer_led_share(on=on) == expected


def test_peer_led_lag(history):
    lag = selectors.peer_led_lag()
    a, b = history["a"].pk, history["b"].pk
    # A: signed 2012-01-10, first peer led 2013-03-04 = 419 days; B: 2012-02-01 -> 2012-05-07 = 96.
    assert lag["days"] == {a: 419, b: 96}
    assert lag["median_days"] == (419 + 96) / 2
    assert dict(lag["distribution"]) == {
        "under 6 months": 1,
        "6 to 12 months": 0,
        "12 to 18 months": 1,
        "18 to 24 months": 0,
        "over 24 months": 0,
    }
    assert lag["never"] == 1


def test_partners_behind(history):
    # On 2013-01-09 A (signed 2012-01-10) is not yet 12 months in.
    assert selectors.partners_behind_on_peer_led(on=D(2013, 1, 9)) == []
    # On 2013-02-01 A is over 12 months with no peer-led meeting; B has one; C is too new.
    rows = selectors.partners_behind_on_peer_led(on=D(2013, 2, 1))
    assert rows == [
        {
            "organisation_id": history["a"].pk,
            "name": "Alpha",
            "signed_on": D(2012, 1, 10),
            "months_since": 12,
        }
    ]
    # A's peer-led start on 2013-03-04 takes it off the list, for good (history),
    # even though m1 went back to professional leadership.
    on = D(2013, 7, 1)
    names = [r["name"] for r in selectors.partners_behind_on_peer_led(on=on)]
    assert names == ["Gamma"]


def test_facilitator_meetings_and_materials(history):
    peer = history["m1"].leadership.get(kind=Leadership.PEER_LED).facilitators.get()
    # m1 is now professionally led (no facilitators): the peer no longer facilitates.
    assert list(selectors.meetings_for_facilitator(person_id=peer.pk)) == []
    person = PersonFactory()
    m = make_meeting(started_on=D(2014, 1, 6), facilitators=[person])
    assert list(selectors.meetings_for_facilitator(person_id=person.pk)) == [m]
    assert selectors.meeting_accepts_materials(meeting_id=m.pk, person_id=person.pk)
    assert selectors.meeting_accepts_materials(meeting_id=m.pk, person_id=None)
    assert not selectors.meeting_accepts_materials(meeting_id=m.pk, person_id=peer.pk)
    assert not selectors.meeting_accepts_materials(meeting_id=history["m4"].pk, person_id=None)
    assert not selectors.meeting_accepts_materials(meeting_id=history["m2"].pk, person_id=None)


def test_transitioned_on_is_kept_after_going_back(history):
    assert selectors.transitioned_on(meeting_id=history["m1"].pk) == D(2013, 3, 4)
    assert selectors.transitioned_on(meeting_id=history["m2"].pk) is None
