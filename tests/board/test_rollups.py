"""The dashboard's daily roll-ups (board.rollups): equal to the live figures on a
varied world, kept current by changes, rebuilt idempotently by the nightly job."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.db import IntegrityError, transaction

from board import dashboard, metrics, rollups, tasks
from board.models import DailyFigure
from meetings import selectors as meetings_selectors
from meetings import services as meetings_services
from partners import services as partners_services
from tests.board.factories import make_objective
from tests.factories import AffiliationFactory, PersonFactory
from tests.materials.factories import make_dispatch, make_item
from tests.meetings.factories import make_meeting
from tests.partners.factories import make_partner
from tests.training.factories import champion_course, make_trained_facilitator
from training import services as training_services

pytestmark = pytest.mark.django_db

TODAY = date(2014, 6, 4)  # a Wednesday


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


def varied_world() -> None:
    """Meetings opened, closed and peer led across two years, head counts,
    Champions, a facilitator, invoices and a dispatch."""
    late = make_partner(signed_on=date(2012, 1, 1), start=date(2012, 1, 1), end=date(2015, 1, 1))
    other = make_partner(signed_on=date(2013, 3, 1), start=date(2013, 3, 1), end=date(2015, 3, 1))
    for i in range(6):
        meeting = make_meeting(
            host=(late if i % 2 else other).organisation,
            started_on=date(2012, 9, 3) + timedelta(weeks=11 * i),
            led="peer_led" if i % 3 == 0 else "professional",
        )
        if i == 4:
            meetings_services.meeting_close(meeting=meeting, on=date(2014, 2, 3), reason="Venue")
        if i in (1, 2):
            for week in range(3):
                held = date(2014, 5, 6) + timedelta(weeks=week)
                meetings_services.head_count_record(
                    meeting=meeting, held_on=held, attendance=5 + i + week
                )
    course = champion_course()
    for completed in (date(2013, 2, 1), date(2014, 4, 1)):
        person = PersonFactory()
        AffiliationFactory(
            person=person, organisation=late.organisation, start_date=date(2012, 1, 1)
        )
        training_services.completion_record(person=person, course=course, completed_on=completed)
    make_trained_facilitator(completed_on=date(2013, 5, 1))
    line = partners_services.invoice_line(
        product_code="site_licence", description="Site licence", amount="500.00"
    )
    invoice = partners_services.invoice_draft(organisation=late.organisation, lines=[line])
    partners_services.invoice_issue(invoice=invoice, today=date(2014, 4, 10))
    make_dispatch({make_item("poster", stock=50): 3})
    make_objective(
        "Attendance",
        metric_key="average_attendance",
        baseline_value=0,
        baseline_date=date(2013, 1, 1),
        target_value=8,
        target_date=date(2016, 1, 1),
    )


def live(key: str, on: date):
    with metrics.shared_reads():
        return metrics.get(key).value(on)


def stored() -> dict[tuple[date, str], object]:
    return {(r.day, r.key): rollups._restore(r.value) for r in DailyFigure.objects.all()}


def test_the_nightly_rebuild_equals_the_live_figures():
    varied_world()
    done = rollups.rebuild(today=TODAY)
    rows = stored()
    assert done["figures"] == len(rows)
    for key in metrics.REGISTRY:
        assert rows[(TODAY, key)] == live(key, TODAY), key
    mondays = rollups.chart_mondays(TODAY)
    series = meetings_selectors.meetings_per_week_series(start=mondays[0], end=TODAY)
    assert [rows[(m, "meetings_per_week")] for m, _n in series] == [n for _m, n in series]
    assert any(n for _m, n in series) and len({n for _m, n in series}) > 2  # varied
    # The world has the figures the dashboard shows, not only zeros.
    assert rows[(TODAY, "peer_led_share")] == live("peer_led_share", TODAY) > 0
    assert rows[(TODAY, "average_attendance")] == live("average_attendance", TODAY) > 0
    assert rows[(TODAY, "licence_income_fy")] == Decimal("500.00")


def test_the_rebuild_is_idempotent_and_one_row_per_day_and_figure():
    varied_world()
    rollups.rebuild(today=TODAY)
    count = DailyFigure.objects.count()
    rollups.rebuild(today=TODAY)
    assert DailyFigure.objects.count() == count
    with pytest.raises(IntegrityError), transaction.atomic():
        DailyFigure.objects.create(day=TODAY, key="meetings_per_week", value=1)


def test_the_dashboard_reads_the_roll_ups_and_equals_the_live_computation(
    django_assert_max_num_queries,
):
    varied_world()
    live_figures = dashboard.compute_figures(today=TODAY)  # no roll-ups yet: filled live
    assert DailyFigure.objects.filter(day=TODAY).exists()
    DailyFigure.objects.all().delete()
    rollups.rebuild(today=TODAY)
    from_rollups = dashboard.compute_figures(today=TODAY)
    for name in ("meetings_per_week", "peer_led_share", "partners_behind", "objectives"):
        assert from_rollups[name] == live_figures[name], name

    # The same chart, drawn twice (each drawing numbers its element ids afresh).
    def drawn(figures):
        return re.sub(r"chart\d+", "chart", figures["growth_chart"].svg)

    assert drawn(from_rollups) == drawn(live_figures)


def test_a_change_drops_the_roll_ups_and_the_next_read_is_right(
    django_capture_on_commit_callbacks,
):
    varied_world()
    rollups.rebuild(today=TODAY)
    before = dashboard.compute_figures(today=TODAY)["meetings_per_week"]["value"]
    with django_capture_on_commit_callbacks(execute=True):
        make_meeting(started_on=date(2014, 5, 5))
    assert not DailyFigure.objects.filter(day=TODAY).exists()
    # A Monday long past is kept: the new meeting opened since.
    assert DailyFigure.objects.filter(day=date(2013, 6, 3), key="meetings_per_week").exists()
    after = dashboard.compute_figures(today=TODAY)["meetings_per_week"]["value"]
    assert after == before + 1 == live("meetings_per_week", TODAY)


def test_a_status_change_dated_back_drops_the_series_from_its_date(
    django_capture_on_commit_callbacks,
):
    varied_world()
    rollups.rebuild(today=TODAY)
    meeting = make_meeting(started_on=date(2013, 1, 7))
    rollups.rebuild(today=TODAY)
    with django_capture_on_commit_callbacks(execute=True):
        meetings_services.meeting_close(meeting=meeting, on=date(2014, 1, 6), reason="Moved")
    series_days = set(
        DailyFigure.objects.filter(key="meetings_per_week").values_list("day", flat=True)
    )
    assert max(series_days) < date(2014, 1, 6) and date(2013, 12, 30) in series_days
    values, series = rollups.read(
        today=TODAY, keys=["meetings_per_week"], mondays=rollups.chart_mondays(TODAY)
    )
    live_series = meetings_selectors.meetings_per_week_series(
        start=rollups.chart_mondays(TODAY)[0], end=TODAY
    )
    assert series == live_series
    assert values["meetings_per_week"] == live("meetings_per_week", TODAY)


def test_a_read_with_every_roll_up_stored_is_one_query(django_assert_num_queries):
    varied_world()
    rollups.rebuild(today=TODAY)
    with django_assert_num_queries(1):
        values, _series = rollups.read(
            today=TODAY, keys=list(metrics.REGISTRY), mondays=rollups.chart_mondays(TODAY)
        )
    assert values == {key: live(key, TODAY) for key in metrics.REGISTRY}


def test_the_command_and_the_task_rebuild_for_the_day(capsys):
    varied_world()
    call_command("rollup_figures", "--today", "2014-06-02")
    assert "roll-ups for 2014-06-02" in capsys.readouterr().out
    assert DailyFigure.objects.filter(day=date(2014, 6, 2)).count() == len(metrics.REGISTRY)
    done = tasks.rollup_figures.apply(args=["2014-06-03"]).get()
    assert done["day"] == "2014-06-03"
    again = tasks.rollup_figures.apply(args=["2014-06-03"]).get()
    assert again == done
    assert DailyFigure.objects.filter(day=date(2014, 6, 3)).count() == len(metrics.REGISTRY)
    entry = settings.CELERY_BEAT_SCHEDULE["board-rollup-figures"]
    assert entry["task"] == tasks.rollup_figures.name


def test_one_drop_is_queued_however_many_rows_a_block_saves(django_capture_on_commit_callbacks):
    meeting = make_meeting(started_on=date(2014, 5, 5))
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        for n in range(3):
            meeting.name = f"Renamed {n}"
            meeting.save()
    assert sum(isinstance(c, rollups._Drop) for c in callbacks) == 1
