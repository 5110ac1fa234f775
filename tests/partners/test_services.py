import csv
import datetime
import io
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader

from partners import exports, selectors, services
from partners.models import (
    Affiliation,
    AffiliationRole,
    Agreement,
    AgreementKind,
    AgreementPeriod,
    FeeRate,
    Invoice,
    InvoiceKind,
    InvoiceStatus,
    Payment,
    PeriodStatus,
    Product,
    Site,
    SiteCoverage,
    VatTreatment,
)
from tests.factories import (
    AffiliationFactory,
    AreaFactory,
    CommissionerFactory,
    OrganisationFactory,
    PersonFactory,
    SiteFactory,
)
from tests.partners.factories import make_block, make_partner

pytestmark = pytest.mark.django_db
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


# --- Fee arithmetic ------------------------------------------------------------------------


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


# --- Lifecycle -----------------------------------------------------------------------------


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


def test_affiliation_set_primary_ends_the_old_one():
    person = PersonFactory()
    old = AffiliationFactory(person=person, is_primary=True, start_date=D(2020, 1, 1))
    new = AffiliationFactory(person=person, start_date=D(2024, 1, 1))
    services.affiliation_set_primary(affiliation=new, today=D(2025, 2, 1))
    old.refresh_from_db()
    new.refresh_from_db()
    assert new.is_primary and old.end_date == D(2025, 1, 31)
    assert not old.is_current


def test_contact_set_replaces_previous_holder():
    org = OrganisationFactory()
    first = services.contact_set(
        organisation=org,
        role=AffiliationRole.BILLING_CONTACT,
        first_name="Ann",
        last_name="Bell",
        email="ann@x.example",
        today=D(2025, 1, 1),
    )
    second = services.contact_set(
        organisation=org,
        role=AffiliationRole.BILLING_CONTACT,
        first_name="Bob",
        last_name="Cole",
        email="BOB@x.example",
        today=D(2025, 3, 1),
    )
    first.refresh_from_db()
    assert first.end_date == D(2025, 2, 28)
    assert second.person.email == "bob@x.example"
    assert Affiliation.objects.current(D(2025, 3, 1)).filter(organisation=org).count() == 1


# --- Invoices and payments -----------------------------------------------------------------


def issued_invoice(total_sites=2) -> Invoice:
    agreement = new_licence(sites=total_sites)
    services.agreement_send(period=agreement.periods.get(), today=D(2025, 3, 1))
    return term_invoice(agreement)


def test_numbers_given_at_issue_in_order_without_gaps(settings):
    settings.PARTNERS_INVOICE_DUE_DAYS = 30
    first = term_invoice(new_licence())
    second = term_invoice(new_licence())
    assert first.number is None
    services.invoice_issue(invoice=second, today=D(2025, 3, 1))
    services.invoice_issue(invoice=first, today=D(2025, 3, 2))
    assert (second.number, first.number) == ("INV-000001", "INV-000002")
    assert first.due_date == D(2025, 4, 1)
    with pytest.raises(ValidationError):
        services.invoice_issue(invoice=first, today=D(2025, 3, 2))


def test_payments_part_paid_then_paid_and_overpayment_refused():
    invoice = issued_invoice()
    services.payment_record(invoice=invoice, amount="400", received_on=D(2025, 3, 10))
    assert invoice.status == InvoiceStatus.PART_PAID and invoice.balance == Decimal("600.00")
    with pytest.raises(ValidationError) as exc:
        services.payment_record(invoice=invoice, amount="600.01", received_on=D(2025, 3, 11))
    assert "amount" in exc.value.message_dict
    assert "more than the £600.00 still owed" in exc.value.message_dict["amount"][0]
    assert Payment.objects.count() == 1
    services.payment_record(invoice=invoice, amount=Decimal("600"), received_on=D(2025, 3, 12))
    assert invoice.status == InvoiceStatus.PAID and invoice.balance == 0


@pytest.mark.parametrize("amount", ["-5", "0", "abc", "", "1.234", "NaN"])
def test_bad_payment_amounts_name_the_field(amount):
    invoice = issued_invoice()
    with pytest.raises(ValidationError) as exc:
        services.payment_record(invoice=invoice, amount=amount, received_on=D(2025, 3, 10))
    assert list(exc.value.message_dict) == ["amount"]
    assert Payment.objects.count() == 0
    invoice.refresh_from_db()
    assert invoice.amount_paid == 0


def test_issued_invoice_cannot_be_edited_credit_note_corrects_it():
    invoice = issued_invoice()
    line = services.invoice_line(product_code="site_licence", description="Extra", amount="10")
    with pytest.raises(ValidationError) as exc:
        services.invoice_set_lines(invoice=invoice, lines=[line])
    assert "cannot be edited" in exc.value.message_dict["invoice"][0]
    assert invoice.lines.count() == 2
    note = services.credit_note_create(
        invoice=invoice, amount="250", reason="Site closed", today=D(2025, 4, 1)
    )
    assert note.kind == InvoiceKind.CREDIT_NOTE and note.number == "CN-000001"
    invoice.refresh_from_db()
    assert invoice.balance == Decimal("750.00")
    with pytest.raises(ValidationError) as exc:
        services.payment_record(invoice=invoice, amount="800", received_on=D(2025, 4, 2))
    assert "amount" in exc.value.message_dict
    services.invoice_void(invoice=invoice, reason="Cancelled", today=D(2025, 4, 3))
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.VOID
    assert invoice.credit_notes.count() == 2
    # Licence income nets the credit notes off.
    assert selectors.licence_income(start=D(2025, 1, 1), end=D(2025, 12, 31)) == 0


def test_vat_treatment_per_product_is_data():
    Product.objects.filter(code="site_licence").update(
        vat_treatment=VatTreatment.STANDARD, vat_rate=Decimal("20"), xero_tax_type="OUTPUT2"
    )
    invoice = term_invoice(new_licence(sites=1))
    assert (invoice.net_total, invoice.vat_total, invoice.total) == (
        Decimal("500.00"),
        Decimal("100.00"),
        Decimal("600.00"),
    )
    assert invoice.lines.get().vat_treatment == VatTreatment.STANDARD


def test_overdue_invoices_and_licence_income():
    invoice = issued_invoice()
    assert list(selectors.overdue_invoices(on=D(2025, 3, 31))) == []
    assert list(selectors.overdue_invoices(on=D(2025, 4, 1))) == [invoice]
    assert selectors.licence_income(start=D(2025, 3, 1), end=D(2025, 3, 1)) == Decimal("1000.00")
    assert selectors.licence_income(start=D(2025, 3, 2), end=D(2025, 3, 31)) == 0


def test_invoice_pdf_has_number_and_total():
    invoice = issued_invoice()
    pdf = services.invoice_pdf(invoice=invoice)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "INV-000001" in text and "1000.00" in text and invoice.organisation.name in text


def test_xero_csv_layout():
    invoice = issued_invoice()
    services.credit_note_create(
        invoice=invoice, amount="500", reason="Goodwill", today=D(2025, 3, 5)
    )
    rows = list(
        csv.DictReader(io.StringIO(exports.xero_sales_csv(start=D(2025, 3, 1), end=D(2025, 3, 31))))
    )
    assert [r["*InvoiceNumber"] for r in rows] == ["INV-000001", "INV-000001", "CN-000001"]
    first = rows[0]
    assert first["*ContactName"] == invoice.organisation.name
    assert first["*InvoiceDate"] == "01/03/2025" and first["*DueDate"] == "31/03/2025"
    assert (first["*Quantity"], first["*UnitAmount"], first["*AccountCode"], first["*TaxType"]) == (
        "1",
        "500.00",
        "200",
        "NONE",
    )
    assert rows[2]["*Quantity"] == "-1"


# --- Bad input -----------------------------------------------------------------------------


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
