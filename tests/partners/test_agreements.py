"""The agreement lifecycle, renewal steps included (partners.services.agreements, .renewals)."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError

from partners import selectors, services
from partners.models import (
    AffiliationRole,
    Agreement,
    AgreementKind,
    AgreementPeriod,
    Invoice,
    PeriodStatus,
    Site,
    SiteCoverage,
)
from tests.factories import (
    AffiliationFactory,
    CommissionerFactory,
    OrganisationFactory,
    PersonFactory,
    SiteFactory,
)
from tests.partners.factories import (
    make_partner,
    new_licence,
    term_invoice,
)

pytestmark = pytest.mark.django_db
D = datetime.date


def test_whole_lifecycle_with_time_travel():
    org = OrganisationFactory()
    person = PersonFactory(email="main@alpha.example")
    AffiliationFactory(person=person, organisation=org, role=AffiliationRole.MAIN_CONTACT)
    site = SiteFactory(organisation=org)
    with time_machine.travel(datetime.datetime(2025, 3, 20, 9, tzinfo=datetime.UTC)):
        agreement = services.agreement_create(
            organisation=org,
            kind=AgreementKind.SITE_LICENCE,
            start_date=D(2025, 4, 1),
            sites=[site],
        )
        period = agreement.periods.get()
        assert period.status == PeriodStatus.DRAFT and period.drafted_on == D(2025, 3, 20)
        services.agreement_send(period=period)
        period.refresh_from_db()
        assert period.status == PeriodStatus.SENT and period.sent_on == D(2025, 3, 20)
    with time_machine.travel(datetime.datetime(2025, 3, 25, 9, tzinfo=datetime.UTC)):
        services.agreement_activate(period=period, signed_on=D(2025, 3, 24))
        agreement.refresh_from_db()
        period.refresh_from_db()
        assert agreement.signed_on == D(2025, 3, 24)
        assert period.activated_on == D(2025, 3, 25)
        assert period.standing(D(2025, 3, 25)) == "pending"
    assert period.standing(D(2025, 6, 1)) == "current"
    assert period.standing(D(2026, 2, 15)) == "renewal_due"
    assert period.standing(D(2026, 4, 10)) == "grace"
    assert period.standing(D(2026, 5, 5)) == "lapsed"
    # 30 days before the end the job drafts the renewal; paying it renews.
    services.run_renewals(today=D(2026, 3, 1))
    period.refresh_from_db()
    assert period.status == PeriodStatus.RENEWAL_DUE and period.renewal_due_on == D(2026, 3, 1)
    renewal = period.renewal
    assert renewal.status == PeriodStatus.DRAFT
    assert (renewal.start_date, renewal.end_date) == (D(2026, 4, 1), D(2027, 3, 31))
    services.renewals_bulk_approve(renewal_ids=[renewal.pk], today=D(2026, 3, 2))
    renewal.refresh_from_db()
    assert renewal.status == PeriodStatus.SENT
    period.refresh_from_db()
    assert period.status == PeriodStatus.RENEWAL_DUE  # unchanged until paid or accepted
    invoice = renewal.invoices.get()
    services.payment_record(invoice=invoice, amount="500.00", received_on=D(2026, 3, 20))
    period.refresh_from_db()
    renewal.refresh_from_db()
    assert period.status == PeriodStatus.RENEWED and period.renewed_on == D(2026, 3, 20)
    assert renewal.status == PeriodStatus.ACTIVE
    assert list(agreement.periods.order_by("start_date")) == [period, renewal]
    assert selectors.is_partner_on(organisation_id=org.pk, on=D(2026, 6, 1))
    # A renewal not taken up: it lapses after the grace period.
    services.run_renewals(today=D(2027, 3, 1))
    services.run_renewals(today=D(2027, 5, 1))
    renewal.refresh_from_db()
    assert renewal.status == PeriodStatus.LAPSED and renewal.lapsed_on == D(2027, 5, 1)
    assert site.flags.count() == 1
    assert not selectors.is_partner_on(organisation_id=org.pk, on=D(2027, 5, 1))


def test_partner_confirmation_then_staff_acceptance_activates_renewal():
    agreement = make_partner(signed_on=D(2025, 1, 1), start=D(2025, 1, 1))
    period = agreement.periods.get()
    renewal = services.renewal_draft(period=period, today=D(2025, 12, 2))
    person = PersonFactory()
    services.renewal_confirm(renewal=renewal, person=person, today=D(2025, 12, 3))
    period.refresh_from_db()
    assert period.status == PeriodStatus.RENEWAL_DUE
    assert services.renewal_approve(renewal=renewal, today=D(2025, 12, 4)) == "activated"
    renewal.refresh_from_db()
    period.refresh_from_db()
    assert renewal.status == PeriodStatus.ACTIVE and period.status == PeriodStatus.RENEWED
    assert renewal.invoices.get().number is not None


def test_terminate_ends_partnership_from_date():
    agreement = make_partner(signed_on=D(2025, 1, 1), start=D(2025, 1, 1))
    period = agreement.periods.get()
    with pytest.raises(ValidationError) as exc:
        services.agreement_terminate(period=period, on=D(2025, 6, 1), reason=" ")
    assert "reason" in exc.value.message_dict
    services.agreement_terminate(period=period, on=D(2025, 6, 1), reason="Service closed")
    org = agreement.organisation_id
    assert selectors.is_partner_on(organisation_id=org, on=D(2025, 5, 31))
    assert not selectors.is_partner_on(organisation_id=org, on=D(2025, 6, 1))


def test_every_lifecycle_step_leaves_an_audit_row():
    agreement = new_licence(sites=1)
    period = agreement.periods.get()
    services.agreement_send(period=period, today=D(2025, 3, 1))
    services.agreement_activate(period=period, today=D(2025, 3, 2))
    renewal = services.renewal_draft(period=period, today=D(2026, 3, 2))
    services.renewal_confirm(renewal=renewal, person=None, today=D(2026, 3, 3))
    services.renewal_approve(renewal=renewal, today=D(2026, 3, 4))
    statuses = list(period.history.order_by("history_date").values_list("status", flat=True))
    assert statuses == ["draft", "sent", "active", "renewal_due", "renewed"]
    assert list(renewal.history.order_by("history_date").values_list("status", flat=True)) == [
        "draft",
        "draft",
        "sent",
        "active",
    ]


def test_agreement_ending_before_it_starts_saves_nothing():
    org = OrganisationFactory()
    site = SiteFactory(organisation=org)
    with pytest.raises(ValidationError) as exc:
        services.agreement_create(
            organisation=org,
            kind=AgreementKind.SITE_LICENCE,
            start_date=D(2025, 4, 1),
            end_date=D(2025, 3, 1),
            sites=[site],
        )
    assert "end_date" in exc.value.message_dict
    assert not Agreement.objects.exists() and not Invoice.objects.exists()


def test_overlapping_agreements_for_a_site_are_refused():
    agreement = make_partner(signed_on=D(2025, 1, 1), start=D(2025, 1, 1))
    site = Site.objects.get(organisation=agreement.organisation)
    with pytest.raises(ValidationError) as exc:
        services.agreement_create(
            organisation=agreement.organisation,
            kind=AgreementKind.SITE_LICENCE,
            start_date=D(2025, 6, 1),
            sites=[site],
        )
    assert "already covered" in exc.value.message_dict["sites"][0]
    assert Agreement.objects.count() == 1
    assert SiteCoverage.objects.count() == 1
    # a term after the first ends is fine
    services.agreement_create(
        organisation=agreement.organisation,
        kind=AgreementKind.SITE_LICENCE,
        start_date=D(2026, 1, 1),
        sites=[site],
    )


def test_block_agreement_bad_amount_and_wrong_kind():
    commissioner = CommissionerFactory()
    for amount in ("-100", "ten"):
        with pytest.raises(ValidationError) as exc:
            services.agreement_create(
                organisation=commissioner,
                kind=AgreementKind.BLOCK,
                start_date=D(2025, 4, 1),
                annual_amount=amount,
            )
        assert "annual_amount" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.agreement_create(
            organisation=OrganisationFactory(),
            kind=AgreementKind.BLOCK,
            start_date=D(2025, 4, 1),
            annual_amount="1000",
        )
    assert "organisation" in exc.value.message_dict
    assert not AgreementPeriod.objects.exists()
    block = services.agreement_create(
        organisation=commissioner,
        kind=AgreementKind.BLOCK,
        start_date=D(2025, 4, 1),
        annual_amount="12,000.00",
    )
    assert block.reference.startswith("BA-")
    assert term_invoice(block).total == Decimal("12000.00")
