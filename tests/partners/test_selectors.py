import datetime
from decimal import Decimal

import pytest

from partners import selectors
from partners.models import AgreementKind, Nation, PeriodStatus
from tests.factories import AreaFactory, OrganisationFactory, SiteFactory
from tests.partners.factories import make_block, make_partner

pytestmark = pytest.mark.django_db

D = datetime.date


def test_is_partner_on_covers_current_and_grace_not_before_or_after():
    agreement = make_partner(signed_on=D(2024, 3, 20), start=D(2024, 4, 1))
    org = agreement.organisation.pk
    assert not selectors.is_partner_on(organisation_id=org, on=D(2024, 3, 31))
    assert selectors.is_partner_on(organisation_id=org, on=D(2024, 4, 1))
    assert selectors.is_partner_on(organisation_id=org, on=D(2025, 3, 31))
    # grace: 30 days after the end by default
    assert selectors.is_partner_on(organisation_id=org, on=D(2025, 4, 30))
    assert not selectors.is_partner_on(organisation_id=org, on=D(2025, 5, 1))
    assert selectors.partner_ids_on(on=D(2024, 6, 1)) == {org}
    assert selectors.active_partner_count(on=D(2024, 6, 1)) == 1


def test_draft_and_terminated_periods_do_not_count():
    draft = make_partner(signed_on=None, start=D(2024, 1, 1), status=PeriodStatus.DRAFT)
    assert not selectors.is_partner_on(organisation_id=draft.organisation_id, on=D(2024, 2, 1))
    ended = make_partner(signed_on=D(2024, 1, 1), start=D(2024, 1, 1))
    ended.periods.update(status=PeriodStatus.TERMINATED, terminated_on=D(2024, 6, 1))
    assert selectors.is_partner_on(organisation_id=ended.organisation_id, on=D(2024, 5, 31))
    assert not selectors.is_partner_on(organisation_id=ended.organisation_id, on=D(2024, 6, 1))


def test_first_signed_on_is_the_earliest_site_licence():
    org = OrganisationFactory()
    make_partner(org, signed_on=D(2015, 5, 1), start=D(2015, 6, 1))
    make_partner(org, signed_on=D(2013, 2, 1), start=D(2013, 3, 1))
    make_block(signed_on=D(2010, 1, 1), start=D(2010, 1, 1))
    assert selectors.first_signed_on_by_organisation() == {org.pk: D(2013, 2, 1)}


def test_site_counts_and_block_coverage():
    area = AreaFactory(nation=Nation.SCOTLAND, population=100_000)
    AreaFactory(nation=Nation.SCOTLAND, population=300_000)
    make_partner(signed_on=D(2024, 1, 1), start=D(2024, 1, 1), sites=3)
    make_partner(signed_on=D(2024, 1, 1), start=D(2024, 1, 1), sites=2, area=area)
    make_block(areas=[area], signed_on=D(2024, 1, 1), start=D(2024, 1, 1))
    on = D(2024, 6, 1)
    assert selectors.active_site_count(on=on) == 5
    assert selectors.block_covered_site_count(on=on) == 2
    by_nation = selectors.block_population_by_nation(on=on)
    assert by_nation["scotland"] == (100_000, 400_000)
    assert by_nation["england"][0] == 0
    # a site that left no longer counts
    site = SiteFactory()
    agreement = make_partner(signed_on=D(2024, 1, 1), start=D(2024, 1, 1), sites=0)
    agreement.periods.get().coverage.create(
        site=site, joined_on=D(2024, 1, 1), left_on=D(2024, 3, 1)
    )
    assert selectors.active_site_count(on=on) == 5


def test_renewal_rate_and_renewals_due():
    on = D(2025, 6, 1)
    assert selectors.renewal_rate(on=on) is None
    renewed = make_partner(signed_on=D(2024, 1, 1), start=D(2024, 1, 1))
    renewed.periods.update(status=PeriodStatus.RENEWED)
    lapsed = make_partner(signed_on=D(2024, 1, 1), start=D(2024, 1, 1))
    lapsed.periods.update(status=PeriodStatus.LAPSED)
    assert selectors.renewal_rate(on=on) == Decimal("0.5")
    soon = make_partner(signed_on=D(2024, 7, 1), start=D(2024, 7, 1))
    make_partner(signed_on=D(2025, 1, 1), start=D(2025, 1, 1))
    due = list(selectors.renewals_due(on=on))
    assert [p.agreement for p in due] == [soon]
    assert due[0].agreement.kind == AgreementKind.SITE_LICENCE


def test_partner_intervals_match_partner_ids_on_day_by_day(django_assert_num_queries):
    """One query gives every organisation's ranges; each day agrees with partner_ids_on."""
    current = make_partner(signed_on=D(2024, 3, 20), start=D(2024, 4, 1))
    ended = make_partner(signed_on=D(2024, 1, 1), start=D(2024, 1, 1))
    ended.periods.update(status=PeriodStatus.TERMINATED, terminated_on=D(2024, 6, 1))
    renewed = make_partner(signed_on=D(2023, 1, 1), start=D(2023, 1, 1), end=D(2023, 12, 31))
    renewed.periods.update(status=PeriodStatus.RENEWED)
    draft = make_partner(signed_on=None, start=D(2024, 1, 1), status=PeriodStatus.DRAFT)
    make_block(signed_on=D(2024, 1, 1), start=D(2024, 1, 1))

    with django_assert_num_queries(1):
        intervals = selectors.partner_intervals()
    assert intervals[current.organisation_id] == [(D(2024, 4, 1), D(2025, 4, 30))]
    assert intervals[ended.organisation_id] == [(D(2024, 1, 1), D(2024, 5, 31))]
    assert intervals[renewed.organisation_id] == [(D(2023, 1, 1), D(2023, 12, 31))]
    assert draft.organisation_id not in intervals
    assert set(intervals) == {
        current.organisation_id,
        ended.organisation_id,
        renewed.organisation_id,
    }

    day = D(2022, 12, 1)
    while day <= D(2025, 6, 1):
        from_ranges = {
            org for org, spans in intervals.items() if any(a <= day <= b for a, b in spans)
        }
        assert from_ranges == selectors.partner_ids_on(on=day), day
        day += datetime.timedelta(days=7)
    # The boundary days themselves.
    for day in [D(2024, 5, 31), D(2024, 6, 1), D(2025, 4, 30), D(2025, 5, 1), D(2024, 1, 1)]:
        from_ranges = {
            org for org, spans in intervals.items() if any(a <= day <= b for a, b in spans)
        }
        assert from_ranges == selectors.partner_ids_on(on=day), day

    only = selectors.partner_intervals(organisation_ids=[current.organisation_id])
    assert set(only) == {current.organisation_id}


def test_partner_intervals_merge_back_to_back_periods():
    org = OrganisationFactory()
    make_partner(org, signed_on=D(2020, 1, 1), start=D(2020, 1, 1), end=D(2020, 12, 31))
    make_partner(org, signed_on=D(2021, 1, 1), start=D(2021, 1, 1), end=D(2021, 12, 31))
    make_partner(org, signed_on=D(2023, 1, 1), start=D(2023, 1, 1), end=D(2023, 12, 31))
    assert selectors.partner_intervals()[org.pk] == [
        (D(2020, 1, 1), D(2022, 1, 30)),
        (D(2023, 1, 1), D(2024, 1, 30)),
    ]
