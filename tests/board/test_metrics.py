"""Each board metric on a small hand-built dataset with known answers.

The data is made through the other apps' factories and services (never their
tables directly), as the metrics read it through their selectors.
"""

from datetime import date
from decimal import Decimal

import pytest
import time_machine

from board import metrics
from materials import services as materials_services
from meetings import services as meetings_services
from partners import services as partners_services
from partners.models import Nation, PeriodStatus
from tests.factories import AffiliationFactory, AreaFactory, PersonFactory
from tests.materials.factories import make_dispatch, make_item
from tests.meetings.factories import make_meeting
from tests.partners.factories import make_block, make_partner
from tests.training.factories import champion_course, make_trained_facilitator
from training import services as training_services

pytestmark = pytest.mark.django_db

D = date


def value(key: str, on: date):
    return metrics.get(key).value(on)


def test_the_registry_names_every_metric_of_the_issue_with_unit_and_direction():
    expected = {
        "meetings_per_week",
        "peer_led_share",
        "active_partners",
        "active_sites",
        "block_covered_sites",
        "block_population_covered",
        "block_population_share_england",
        "block_population_share_scotland",
        "block_population_share_wales",
        "block_population_share_northern_ireland",
        "champions_trained",
        "facilitators_trained",
        "renewal_rate",
        "licence_income_fy",
        "materials_dispatched_items",
        "materials_dispatched_cost",
        "partners_behind_on_peer_led",
        "online_meetings_per_week",
        "hybrid_meetings_per_week",
        "family_friends_per_week",
        "average_attendance",
        "trained_facilitators_active",
        "days_request_to_dispatch",
        "refreshers_overdue",
    }
    assert set(metrics.REGISTRY) == expected
    # Each metric says in one line how it is computed.
    for metric in metrics.REGISTRY.values():
        assert metric.description and "\n" not in metric.description, metric.key
    assert metrics.get("partners_behind_on_peer_led").higher_is_better is False
    assert metrics.get("meetings_per_week").higher_is_better is True
    assert metrics.get("licence_income_fy").unit == metrics.Unit.MONEY
    with pytest.raises(KeyError, match="No metric called 'nope'"):
        metrics.get("nope")


def test_financial_year_runs_april_to_march():
    assert metrics.financial_year_start(D(2014, 3, 31)) == D(2013, 4, 1)
    assert metrics.financial_year_start(D(2014, 4, 1)) == D(2014, 4, 1)
    assert metrics.financial_year_start(D(2014, 12, 25)) == D(2014, 4, 1)


def test_meetings_per_week_and_its_series():
    make_meeting(started_on=D(2014, 1, 6))
    make_meeting(started_on=D(2014, 1, 20))
    closing = make_meeting(started_on=D(2014, 1, 6))
    meetings_services.meeting_close(meeting=closing, on=D(2014, 2, 3), reason="Venue closed")
    assert value("meetings_per_week", D(2014, 1, 5)) == 0
    assert value("meetings_per_week", D(2014, 1, 13)) == 2
    assert value("meetings_per_week", D(2014, 1, 27)) == 3
    assert value("meetings_per_week", D(2014, 2, 10)) == 2
    days = [D(2014, 1, 13), D(2014, 1, 27), D(2014, 2, 10)]
    assert metrics.get("meetings_per_week").series(days) == [2, 3, 2]


def test_peer_led_share_is_a_percentage_of_active_meetings():
    assert value("peer_led_share", D(2014, 3, 1)) is None  # no meetings: no data
    make_meeting(started_on=D(2014, 1, 6), led="peer_led")
    make_meeting(started_on=D(2014, 1, 6))
    make_meeting(started_on=D(2014, 1, 6))
    make_meeting(started_on=D(2014, 1, 6))
    assert value("peer_led_share", D(2014, 3, 1)) == Decimal("25.0")


def test_active_partners_and_sites():
    make_partner(signed_on=D(2013, 3, 1), start=D(2013, 4, 1), sites=2)
    make_partner(signed_on=D(2013, 9, 1), start=D(2013, 10, 1), sites=1)
    assert value("active_partners", D(2013, 6, 1)) == 1
    assert value("active_sites", D(2013, 6, 1)) == 2
    assert value("active_partners", D(2013, 12, 1)) == 2
    assert value("active_sites", D(2013, 12, 1)) == 3


def test_block_agreement_metrics_by_nation():
    glasgow = AreaFactory(nation=Nation.SCOTLAND, population=600_000)
    AreaFactory(nation=Nation.SCOTLAND, population=400_000)
    AreaFactory(nation=Nation.ENGLAND, population=1_000_000)
    make_block(areas=[glasgow], signed_on=D(2013, 3, 1), start=D(2013, 4, 1))
    make_partner(signed_on=D(2013, 3, 1), start=D(2013, 4, 1), sites=2, area=glasgow)
    make_partner(signed_on=D(2013, 3, 1), start=D(2013, 4, 1), sites=1)
    on = D(2013, 6, 1)
    assert value("block_covered_sites", on) == 2
    assert value("block_population_covered", on) == 600_000
    assert value("block_population_share_scotland", on) == Decimal("60.0")
    assert value("block_population_share_wales", on) is None  # no areas: no data
    breakdown = metrics.block_population_by_nation(on)
    assert breakdown[Nation.SCOTLAND] == (600_000, 1_000_000)
    # Before the block agreement starts nothing is covered.
    assert value("block_covered_sites", D(2013, 3, 1)) == 0


def test_champions_and_facilitators_trained_are_cumulative():
    make_trained_facilitator(completed_on=D(2013, 5, 1))
    make_trained_facilitator(completed_on=D(2013, 9, 1))
    assert value("facilitators_trained", D(2013, 4, 30)) == 0
    assert value("facilitators_trained", D(2013, 6, 1)) == 1
    assert value("facilitators_trained", D(2014, 1, 1)) == 2


def test_champions_trained_counts_champion_completions():
    course = champion_course()
    agreement = make_partner(signed_on=D(2013, 1, 1), start=D(2013, 1, 1))
    for completed in (D(2013, 2, 1), D(2013, 3, 1), D(2013, 8, 1)):
        person = PersonFactory()
        AffiliationFactory(
            person=person, organisation=agreement.organisation, start_date=D(2012, 1, 1)
        )
        training_services.completion_record(person=person, course=course, completed_on=completed)
    assert value("champions_trained", D(2013, 1, 31)) == 0
    assert value("champions_trained", D(2013, 6, 1)) == 2
    assert value("champions_trained", D(2013, 9, 1)) == 3


def test_renewal_rate_is_a_percentage_over_the_last_twelve_months():
    assert value("renewal_rate", D(2014, 6, 1)) is None
    for status in (PeriodStatus.RENEWED, PeriodStatus.RENEWED, PeriodStatus.LAPSED):
        make_partner(signed_on=D(2013, 1, 1), start=D(2013, 1, 1)).periods.update(status=status)
    assert value("renewal_rate", D(2014, 6, 1)) == Decimal("66.7")


def _issue_invoice(organisation, amount: str, on: date):
    line = partners_services.invoice_line(
        product_code="site_licence", description="Site licence", amount=amount
    )
    invoice = partners_services.invoice_draft(organisation=organisation, lines=[line])
    return partners_services.invoice_issue(invoice=invoice, today=on)


def test_licence_income_covers_the_financial_year_to_date_less_credit_notes():
    org = make_partner(signed_on=D(2013, 1, 1), start=D(2013, 1, 1)).organisation
    _issue_invoice(org, "500.00", D(2014, 3, 31))  # last financial year
    invoice = _issue_invoice(org, "1000.00", D(2014, 4, 1))
    _issue_invoice(org, "500.00", D(2014, 6, 1))
    partners_services.credit_note_create(
        invoice=invoice, amount="200.00", reason="Site closed", today=D(2014, 5, 1)
    )
    assert value("licence_income_fy", D(2014, 3, 31)) == Decimal("500.00")
    assert value("licence_income_fy", D(2014, 5, 15)) == Decimal("800.00")
    assert value("licence_income_fy", D(2014, 7, 1)) == Decimal("1300.00")


def _send(dispatch, on: date):

    with time_machine.travel(on):
        materials_services.dispatch_pack(dispatch_id=dispatch.pk)
        materials_services.dispatch_send(dispatch_id=dispatch.pk, tracking_reference="TRK1")


def test_materials_dispatched_and_their_cost_in_the_financial_year():
    poster = make_item("poster", stock=100, unit_cost="0.50")
    handbook = make_item("handbook", stock=100, unit_cost="4.00")
    _send(make_dispatch({poster: 10}), D(2014, 3, 20))  # last financial year
    _send(make_dispatch({poster: 4, handbook: 2}), D(2014, 4, 10))
    _send(make_dispatch({handbook: 1}), D(2014, 5, 10))
    make_dispatch({handbook: 50})  # approved, not sent: not counted
    assert value("materials_dispatched_items", D(2014, 3, 31)) == 10
    assert value("materials_dispatched_cost", D(2014, 3, 31)) == Decimal("5.00")
    assert value("materials_dispatched_items", D(2014, 6, 1)) == 7
    assert value("materials_dispatched_cost", D(2014, 6, 1)) == Decimal("14.00")


def test_partners_past_twelve_months_without_a_peer_led_meeting():
    late = make_partner(signed_on=D(2012, 1, 1), start=D(2012, 1, 1), end=D(2015, 1, 1))
    good = make_partner(signed_on=D(2012, 1, 1), start=D(2012, 1, 1), end=D(2015, 1, 1))
    make_partner(signed_on=D(2013, 10, 1), start=D(2013, 10, 1))  # too new to be behind
    make_meeting(host=good.organisation, started_on=D(2012, 9, 3), led="peer_led")
    make_meeting(host=late.organisation, started_on=D(2012, 9, 3))  # professionally led
    assert value("partners_behind_on_peer_led", D(2012, 12, 1)) == 0
    assert value("partners_behind_on_peer_led", D(2014, 1, 1)) == 1


def test_compute_all_gives_every_metric_on_an_empty_database():
    values = metrics.compute_all(D(2014, 1, 1))
    assert set(values) == set(metrics.REGISTRY)
    assert values["meetings_per_week"] == 0
    assert values["peer_led_share"] is None
    assert values["licence_income_fy"] == Decimal("0.00")


def test_format_value():
    assert metrics.format_value(None, metrics.Unit.COUNT) == "no data"
    assert metrics.format_value(1234, metrics.Unit.COUNT) == "1,234"
    assert metrics.format_value(Decimal("61.54"), metrics.Unit.PERCENT) == "61.5%"
    assert metrics.format_value("12500", metrics.Unit.MONEY) == "£12,500.00"


def test_the_figures_that_were_typed_in_are_computed_from_the_register():
    """Against a register built for 1 October 2014, with known answers."""
    on = D(2014, 10, 1)
    online = [
        make_meeting(
            started_on=D(2014, 3, 3),
            format="online",
            conference_url=f"https://zoom.us/j/{n}",
            site=None,
        )
        for n in range(3)
    ]
    meetings_services.meeting_close(meeting=online[0], on=D(2014, 9, 1), reason="Ended")
    make_meeting(
        started_on=D(2014, 3, 3), format="hybrid", conference_url="https://meet.google.com/a-b-c"
    )
    make_meeting(started_on=D(2014, 11, 3), format="online", conference_url="https://zoom.us/j/9")
    family = make_meeting(started_on=D(2014, 3, 3), programme="family_friends")
    make_meeting(started_on=D(2014, 3, 3), programme="family_friends", name="FF two")
    peer = make_trained_facilitator(completed_on=D(2013, 1, 7))
    untrained = PersonFactory()
    led = make_meeting(started_on=D(2014, 3, 3), led="peer_led", facilitators=[peer, untrained])
    with time_machine.travel(D(2014, 10, 1), tick=False):
        for held_on, count in [(D(2014, 9, 2), 6), (D(2014, 9, 9), 9), (D(2014, 5, 6), 30)]:
            meetings_services.head_count_record(meeting=family, held_on=held_on, attendance=count)
        meetings_services.head_count_record(meeting=led, held_on=D(2014, 9, 30), attendance=6)
    assert value("online_meetings_per_week", on) == 2  # one closed, one not open yet
    assert value("hybrid_meetings_per_week", on) == 1
    assert value("family_friends_per_week", on) == 2
    assert value("average_attendance", on) == Decimal("7.0")  # (6 + 9 + 6) / 3; May is older
    assert value("trained_facilitators_active", on) == 1  # the untrained one is not counted
    assert value("trained_facilitators_active", D(2014, 1, 1)) == 0

    item = make_item("leaflet", stock=100)
    with time_machine.travel(D(2014, 9, 1), tick=False):
        fast = make_dispatch({item: 1}, status="dispatched", tracking_reference="T1")
        slow = make_dispatch({item: 1}, status="dispatched", tracking_reference="T2")
        auto = make_dispatch(
            {item: 1}, status="dispatched", tracking_reference="T3", reason="starter_pack"
        )
    type(fast).objects.filter(pk=fast.pk).update(dispatched_on=D(2014, 9, 3))
    type(slow).objects.filter(pk=slow.pk).update(dispatched_on=D(2014, 9, 11))
    type(auto).objects.filter(pk=auto.pk).update(dispatched_on=D(2014, 9, 30))
    assert value("days_request_to_dispatch", on) == Decimal("6.0")  # median of 2 and 10
    assert value("days_request_to_dispatch", D(2014, 8, 1)) is None

    lapsed = PersonFactory()
    training_services.profile_update(person=lapsed, is_peer=True)
    make_trained_facilitator(lapsed, completed_on=D(2011, 6, 1))  # valid 24 months
    renewed = make_trained_facilitator(completed_on=D(2011, 6, 1))
    make_trained_facilitator(renewed, completed_on=D(2013, 5, 1))
    assert value("refreshers_overdue", on) == 1
    assert value("refreshers_overdue", D(2013, 1, 1)) == 0
