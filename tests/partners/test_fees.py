"""Fee arithmetic: what a site owes for a term (partners.services.fees)."""

import datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from partners import services
from partners.models import (
    FeeRate,
    Invoice,
    InvoiceStatus,
)
from tests.factories import (
    AreaFactory,
    SiteFactory,
)
from tests.partners.factories import (
    make_block,
    new_licence,
    term_invoice,
)

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.mark.parametrize("sites, total", [(1, "500.00"), (3, "1500.00"), (12, "6000.00")])
def test_full_term_fee_is_500_per_site(sites, total):
    agreement = new_licence(sites=sites)
    invoice = term_invoice(agreement)
    assert invoice.total == Decimal(total)
    assert invoice.lines.count() == sites
    assert invoice.status == InvoiceStatus.DRAFT and invoice.number is None


def test_mid_term_site_is_charged_pro_rata_by_day(settings):
    settings.PARTNERS_MID_TERM_CHARGING = "pro_rata"
    agreement = new_licence(sites=1)
    period = agreement.periods.get()
    services.agreement_send(period=period, today=D(2025, 4, 1))
    services.agreement_activate(period=period, today=D(2025, 4, 2))
    site = SiteFactory(organisation=agreement.organisation)
    # 1 Oct 2025 to 31 Mar 2026 is 182 of the term's 365 days.
    services.site_add(period=period, site=site, joins_on=D(2025, 10, 1), today=D(2025, 10, 1))
    invoice = Invoice.objects.get(purpose="site_addition")
    assert invoice.total == (Decimal(500) * 182 / 365).quantize(Decimal("0.01"))
    assert invoice.total == Decimal("249.32")
    assert invoice.number == "INV-000002"


def test_mid_term_site_full_year_setting(settings):
    settings.PARTNERS_MID_TERM_CHARGING = "full_year"
    agreement = new_licence(sites=1)
    period = agreement.periods.get()
    services.agreement_activate(period=period, today=D(2025, 4, 2))
    site = SiteFactory(organisation=agreement.organisation)
    services.site_add(period=period, site=site, joins_on=D(2025, 10, 1), today=D(2025, 10, 1))
    assert Invoice.objects.get(purpose="site_addition").total == Decimal("500.00")


def test_site_under_block_agreement_not_charged_for_the_overlap():
    area = AreaFactory()
    # Block covers 1 Apr 2025 - 30 Sep 2025 (183 days) of the licence's 365.
    make_block(areas=[area], signed_on=D(2025, 3, 1), start=D(2025, 4, 1), end=D(2025, 9, 30))
    agreement = new_licence(sites=2, area=area)
    invoice = term_invoice(agreement)
    per_site = (Decimal(500) * (365 - 183) / 365).quantize(Decimal("0.01"))
    assert invoice.total == per_site * 2
    assert "paid by a block agreement" in invoice.lines.first().description
    # a site outside the block's area pays in full
    assert term_invoice(new_licence(sites=1)).total == Decimal("500.00")


def test_site_under_whole_term_block_costs_nothing():
    area = AreaFactory()
    make_block(areas=[area], signed_on=D(2025, 3, 1), start=D(2025, 1, 1), end=D(2026, 12, 31))
    agreement = new_licence(sites=1, area=area)
    assert term_invoice(agreement).total == Decimal("0.00")


def test_fee_schedule_change_between_terms_keeps_old_price_for_old_term():
    agreement = new_licence(sites=2, start=D(2025, 4, 1))
    period = agreement.periods.get()
    services.agreement_activate(period=period, today=D(2025, 4, 1))
    FeeRate.objects.create(effective_from=D(2026, 4, 1), site_fee=Decimal("550.00"))
    renewal = services.renewal_draft(period=period, today=D(2026, 3, 2))
    assert renewal.site_fee == Decimal("550.00")
    assert renewal.invoices.get().total == Decimal("1100.00")
    period.refresh_from_db()
    assert period.site_fee == Decimal("500.00")
    assert term_invoice(agreement).total == Decimal("1000.00")


def test_coverage_fee_counts_overlapping_block_windows_once():
    windows = [(D(2025, 1, 1), D(2025, 1, 10)), (D(2025, 1, 5), D(2025, 1, 20))]
    amount, chargeable, block = services.coverage_fee(
        site_fee=Decimal(365),
        term_start=D(2025, 1, 1),
        term_end=D(2025, 12, 31),
        joined_on=D(2025, 1, 1),
        windows=windows,
        charging="pro_rata",
    )
    assert block == 20 and chargeable == 345 and amount == Decimal("345.00")


@given(
    join=st.integers(min_value=0, max_value=364),
    block_start=st.integers(min_value=-30, max_value=400),
    block_days=st.integers(min_value=0, max_value=400),
)
def test_fee_properties(join, block_start, block_days):
    """Never negative, never above the annual fee, less for a later join, and
    a block window only ever lowers it."""
    term_start, term_end = D(2025, 1, 1), D(2025, 12, 31)
    joined = term_start + datetime.timedelta(days=join)
    fee = Decimal("500.00")
    plain, days, _ = services.coverage_fee(
        site_fee=fee,
        term_start=term_start,
        term_end=term_end,
        joined_on=joined,
        charging="pro_rata",
    )
    assert Decimal(0) <= plain <= fee and days == 365 - join
    later, _, _ = services.coverage_fee(
        site_fee=fee,
        term_start=term_start,
        term_end=term_end,
        joined_on=min(joined + datetime.timedelta(days=1), term_end),
        charging="pro_rata",
    )
    assert later <= plain
    window = (
        term_start + datetime.timedelta(days=block_start),
        term_start + datetime.timedelta(days=block_start + block_days),
    )
    blocked, _, covered = services.coverage_fee(
        site_fee=fee,
        term_start=term_start,
        term_end=term_end,
        joined_on=joined,
        windows=[window],
        charging="pro_rata",
    )
    assert blocked <= plain and 0 <= covered <= 365 - join
    full, _, _ = services.coverage_fee(
        site_fee=fee,
        term_start=term_start,
        term_end=term_end,
        joined_on=joined,
        charging="full_year",
    )
    assert full == fee
