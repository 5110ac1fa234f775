"""Sites: creating, joining and leaving a site licence (partners.services.sites)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from partners import services
from partners.models import (
    Invoice,
    Site,
    SiteCoverage,
)
from tests.factories import (
    AreaFactory,
    OrganisationFactory,
    SiteFactory,
)
from tests.partners.factories import (
    make_partner,
)

pytestmark = pytest.mark.django_db
D = datetime.date


def test_site_leave_and_renewal_drops_it():
    agreement = make_partner(signed_on=D(2025, 1, 1), start=D(2025, 1, 1), sites=2)
    period = agreement.periods.get()
    leaving = period.coverage.first()
    with pytest.raises(ValidationError) as exc:
        services.site_leave(coverage=leaving, left_on=D(2024, 12, 1))
    assert "left_on" in exc.value.message_dict
    services.site_leave(coverage=leaving, left_on=D(2025, 6, 30))
    renewal = services.renewal_draft(period=period, today=D(2025, 12, 2))
    assert renewal.coverage.count() == 1
    assert renewal.invoices.get().total == Decimal("500.00")
    assert services.renewal_draft(period=period, today=D(2025, 12, 3)) is None


def test_site_in_unknown_area_and_non_uk_postcode_refused():
    org = OrganisationFactory()
    AreaFactory(ons_code="E08000003")
    with pytest.raises(ValidationError) as exc:
        services.site_create(
            organisation=org,
            name="New place",
            address_line_1="1 Rue",
            town="Paris",
            postcode="75001",
            area_code="X99999999",
            site_type="community",
        )
    assert set(exc.value.message_dict) == {"postcode", "area"}
    assert not Site.objects.exists()
    site = services.site_create(
        organisation=org,
        name="New place",
        address_line_1="1 Street",
        town="Manchester",
        postcode="m1 1ae",
        area_code="e08000003",
        site_type="community",
    )
    assert site.postcode == "M1 1AE"


def test_site_add_outside_term_refused():
    agreement = make_partner(signed_on=D(2025, 1, 1), start=D(2025, 1, 1))
    site = SiteFactory(organisation=agreement.organisation)
    with pytest.raises(ValidationError) as exc:
        services.site_add(period=agreement.periods.get(), site=site, joins_on=D(2026, 2, 1))
    assert "joins_on" in exc.value.message_dict
    assert SiteCoverage.objects.filter(site=site).count() == 0


def test_site_added_after_renewal_drafted_joins_the_renewal_too():
    agreement = make_partner(signed_on=D(2025, 1, 1), start=D(2025, 1, 1))
    period = agreement.periods.get()
    renewal = services.renewal_draft(period=period, today=D(2025, 12, 2))
    site = SiteFactory(organisation=agreement.organisation)
    services.site_add(period=period, site=site, joins_on=D(2025, 12, 10), today=D(2025, 12, 10))
    assert renewal.coverage.filter(site=site, joined_on=D(2026, 1, 1)).exists()
    assert renewal.invoices.get(purpose="term").total == Decimal("1000.00")
    addition = Invoice.objects.get(purpose="site_addition")
    assert addition.period == period and addition.total == Decimal("30.14")  # 22 of 365 days
    # once the renewal invoice is issued, the new site gets its own invoice for that term
    services.renewal_approve(renewal=renewal, today=D(2025, 12, 11))
    other = SiteFactory(organisation=agreement.organisation)
    services.site_add(period=period, site=other, joins_on=D(2025, 12, 20), today=D(2025, 12, 20))
    assert renewal.invoices.get(purpose="site_addition").total == Decimal("500.00")
