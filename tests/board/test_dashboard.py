"""The staff dashboard at /staff/: its figures, their links, a fixed query count, the cache."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from board import dashboard, rollups
from board.models import DailyFigure
from partners import services as partner_services
from smartnet.roles import Role
from tests.board.factories import make_action, make_objective
from tests.factories import UserFactory
from tests.materials.factories import make_dispatch, make_item
from tests.meetings.factories import make_meeting
from tests.partners.factories import make_partner

pytestmark = pytest.mark.django_db

TODAY = date(2014, 3, 3)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(role=Role.FINANCE, full_name="Sam Staff"))
    return client


def grow(n: int) -> None:
    """n partners, each with a site and a meeting started in the last weeks, and requests."""
    poster = make_item(f"poster-{n}", stock=100)
    for i in range(n):
        agreement = make_partner(signed_on=date(2012, 1, 1), start=date(2013, 6, 1))
        make_meeting(host=agreement.organisation, started_on=TODAY - timedelta(days=7 * (i % 5)))
        make_dispatch({poster: 1})
    objective = make_objective(
        f"Meetings {n}",
        metric_key="meetings_per_week",
        baseline_value=0,
        baseline_date=date(2013, 1, 1),
        target_value=400,
        target_date=date(2016, 1, 1),
    )
    make_action(objective, due_date=TODAY + timedelta(days=3))


def test_the_dashboard_shows_each_figure_with_its_link(staff_client):
    grow(3)
    response = staff_client.get("/staff/")
    assert response.status_code == 200
    figures = response.context["figures"]
    assert figures["meetings_per_week"]["value"] == 3
    assert figures["meetings_per_week"]["target"] == 400
    # The trajectory: 0 -> 400 from 2013-01-01 to 2016-01-01; 426 of 1095 days in.
    assert figures["meetings_per_week"]["expected"] == round(400 * 426 / 1095)
    assert figures["meetings_per_week"]["behind_line"] is True
    assert figures["new_meetings"]["value"] == 3  # all three started in the last 4 weeks
    assert figures["materials_queue"]["value"] == 3
    assert figures["objectives"]["colour"] == "red"
    assert figures["partners_behind"]["value"] == 3  # signed 2012, none peer led
    html = response.content.decode()
    assert "Staff dashboard" in html and "<svg" in html
    assert 'href="/staff/meetings/"' in html
    assert 'href="/staff/materials/"' in html
    assert 'href="/staff/partners/renewals/"' in html
    assert 'href="/staff/partners/invoices/overdue/"' in html
    assert 'href="/staff/meetings/figures/"' in html
    assert 'href="/staff/board/?rag=red"' in html


@pytest.mark.parametrize("rolled_up", [True, False], ids=["from roll-ups", "filling them"])
def test_the_dashboard_query_count_does_not_grow_with_the_data(
    staff_client, django_assert_num_queries, rolled_up
):
    def ready():
        # The nightly job has run (or not: the page computes and stores them).
        DailyFigure.objects.all().delete()
        if rolled_up:
            rollups.rebuild(today=TODAY)
        cache.clear()

    grow(2)
    ready()
    staff_client.get("/staff/")  # warm up sessions, content types
    ready()
    with CaptureQueriesContext(connection) as small:
        staff_client.get("/staff/")
    grow(12)
    ready()
    with django_assert_num_queries(len(small.captured_queries)):
        # One more objective uses the same metric: still the same queries.
        staff_client.get("/staff/")


def test_figures_come_from_the_cache_until_the_board_changes(
    staff_client, django_capture_on_commit_callbacks
):
    grow(1)
    staff_client.get("/staff/")
    with CaptureQueriesContext(connection) as cached:
        staff_client.get("/staff/")
    # Only the session and user are read: the figures come from the cache.
    assert len(cached.captured_queries) <= 2
    assert cache.get(dashboard.CACHE_KEY.format(day=TODAY.isoformat())) is not None
    with django_capture_on_commit_callbacks(execute=True):
        make_objective("Another")  # a board change drops the cached figures on commit
    assert cache.get(dashboard.CACHE_KEY.format(day=TODAY.isoformat())) is None


def test_staff_see_the_meetings_chart_with_the_headline_figure_and_the_target(client):
    client.force_login(UserFactory(role=Role.STAFF_ADMIN))
    grow(3)
    html = client.get("/staff/").content.decode()
    # The chart ends on the headline figure, labelled, with the target as its own line.
    assert f"3 on {TODAY:%-d %b %Y}" in html and "Target: 400" in html
    assert 'class="chart-target"' in html
    assert "Meetings per week: 3 on 3 March 2014; target 400." in html
    assert "Money received by month" not in html


def test_finance_staff_see_money_charts_instead(staff_client):
    agreement = make_partner(signed_on=date(2013, 1, 1), start=date(2013, 6, 1), sites=2)
    period = agreement.periods.get()
    invoice = partner_services.invoice_draft(
        organisation=agreement.organisation,
        period=period,
        lines=partner_services.period_lines(period),
    )
    invoice = partner_services.invoice_issue(invoice=invoice, today=date(2013, 12, 1))
    partner_services.payment_record(
        invoice=invoice, amount=Decimal("400.00"), received_on=date(2014, 2, 10)
    )
    response = staff_client.get("/staff/")
    html = response.content.decode()
    money = response.context["money"]
    assert money["income_total"] == Decimal("400.00")
    assert money["owed_total"] == Decimal("600.00") and money["late_total"] == Decimal("600.00")
    assert "Money received by month, last 12 months" in html
    assert "Money owed by how late it is" in html
    assert "Received in the last 12 months: <strong>£400.00</strong>" in html
    assert "Trajectory to" not in html  # not the meetings chart
