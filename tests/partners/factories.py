"""Factories for the Partnership Scheme, and ``make_partner`` for other apps' tests."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

from partners import services
from partners.defaults import ensure_defaults
from partners.models import (
    Agreement,
    AgreementKind,
    AgreementPeriod,
    Invoice,
    Organisation,
    PeriodStatus,
    SiteCoverage,
)
from partners.services import one_year_from
from tests.factories import AreaFactory, CommissionerFactory, OrganisationFactory, SiteFactory

_refs = itertools.count(1)


def make_agreement(
    organisation: Organisation,
    *,
    kind: str = AgreementKind.SITE_LICENCE,
    signed_on: datetime.date | None,
    start: datetime.date,
    end: datetime.date | None = None,
    status: str = PeriodStatus.ACTIVE,
    annual_amount: Decimal | None = None,
    site_fee: Decimal = Decimal("500.00"),
) -> Agreement:
    agreement = Agreement.objects.create(
        kind=kind,
        organisation=organisation,
        reference=f"T-{next(_refs):06d}",
        signed_on=signed_on,
    )
    active = status not in (PeriodStatus.DRAFT, PeriodStatus.SENT)
    AgreementPeriod.objects.create(
        agreement=agreement,
        start_date=start,
        end_date=end or one_year_from(start),
        status=status,
        drafted_on=signed_on or start,
        sent_on=(signed_on or start) if status != PeriodStatus.DRAFT else None,
        activated_on=(signed_on or start) if active else None,
        site_fee=None if kind == AgreementKind.BLOCK else site_fee,
        annual_amount=annual_amount if kind == AgreementKind.BLOCK else None,
    )
    return agreement


def make_partner(
    organisation: Organisation | None = None,
    *,
    signed_on: datetime.date,
    start: datetime.date,
    sites: int = 1,
    end: datetime.date | None = None,
    area=None,
    status: str = PeriodStatus.ACTIVE,
) -> Agreement:
    """An ACTIVE site-licence agreement for ``organisation`` (a new treatment
    provider if None) covering ``sites`` new sites from ``start`` for a year
    (or to ``end``). Returns the Agreement; its period is
    ``agreement.periods.get()`` and the sites ``organisation.sites``."""
    ensure_defaults()  # transactional tests flush the fee schedule and products
    organisation = organisation or OrganisationFactory()
    agreement = make_agreement(
        organisation, signed_on=signed_on, start=start, end=end, status=status
    )
    period = agreement.periods.get()
    for _ in range(sites):
        site = SiteFactory(organisation=organisation, **({"area": area} if area else {}))
        SiteCoverage.objects.create(period=period, site=site, joined_on=start)
    return agreement


def make_block(
    commissioner: Organisation | None = None,
    *,
    areas=None,
    signed_on: datetime.date,
    start: datetime.date,
    end: datetime.date | None = None,
    amount: Decimal = Decimal("10000.00"),
    status: str = PeriodStatus.ACTIVE,
) -> Agreement:
    """An active block agreement for a commissioner covering ``areas`` (one new area if None)."""
    commissioner = commissioner or CommissionerFactory()
    if areas is None:
        areas = [AreaFactory()]
    commissioner.areas.add(*areas)
    return make_agreement(
        commissioner,
        kind=AgreementKind.BLOCK,
        signed_on=signed_on,
        start=start,
        end=end,
        status=status,
        annual_amount=amount,
    )


# --- Agreements made through the services (the partners tests' own helpers) ------------------

D = datetime.date
START = D(2025, 4, 1)


def new_licence(sites=1, start=START, org=None, area=None, **kwargs):
    org = org or OrganisationFactory()
    site_objs = [
        SiteFactory(organisation=org, **({"area": area} if area else {})) for _ in range(sites)
    ]
    return services.agreement_create(
        organisation=org,
        kind=AgreementKind.SITE_LICENCE,
        start_date=start,
        sites=site_objs,
        today=start,
        **kwargs,
    )


def term_invoice(agreement) -> Invoice:
    return Invoice.objects.get(period__agreement=agreement, purpose="term", period__previous=None)


def issued_invoice(total_sites=2) -> Invoice:
    agreement = new_licence(sites=total_sites)
    services.agreement_send(period=agreement.periods.get(), today=D(2025, 3, 1))
    return term_invoice(agreement)
