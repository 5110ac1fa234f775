import datetime
import re
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from partners import services
from partners.models import (
    AffiliationRole,
    Invoice,
    InvoiceStatus,
    OrganisationKind,
    PeriodStatus,
    SiteRequest,
)
from smartnet.templatetags.numbers import money
from tests.factories import (
    AffiliationFactory,
    AreaFactory,
    OrganisationFactory,
    SiteFactory,
)
from tests.partners.factories import make_block, make_partner

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = datetime.datetime(2025, 6, 1, 10, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


def login(client, world, role):
    client.force_login(world.users[role])


JAN_1 = D(2025, 1, 1)


def issued(agreement, today=JAN_1) -> Invoice:
    period = agreement.periods.get()
    invoice = services.invoice_draft(
        organisation=agreement.organisation, period=period, lines=services.period_lines(period)
    )
    return services.invoice_issue(invoice=invoice, today=today)


# --- Staff ---------------------------------------------------------------------------------


def test_partner_list_filters_and_search(client, world):
    login(client, world, "staff_admin")
    make_partner(world.org_a, signed_on=D(2024, 7, 1), start=D(2024, 7, 1))  # ends 30 Jun 2025
    make_partner(world.org_b, signed_on=D(2025, 3, 1), start=D(2025, 3, 1))
    nhs = OrganisationFactory(name="Northern NHS Trust", kind=OrganisationKind.NHS)
    url = reverse("partners_staff:partner_list")
    body = client.get(url).content.decode()
    assert "Alpha Recovery" in body and "Beta Treatment" in body and "Northern NHS" in body
    assert "Gamma County" not in body  # commissioners are not in the partner list
    body = client.get(url, {"status": "renewal_due"}).content.decode()
    assert "Alpha Recovery" in body and "Beta Treatment" not in body
    body = client.get(url, {"status": "current"}).content.decode()
    assert "Beta Treatment" in body and "Alpha Recovery" not in body
    body = client.get(url, {"status": "none"}).content.decode()
    assert "Northern NHS" in body and "Alpha" not in body
    body = client.get(url, {"renewal_month": "2026-02"}).content.decode()
    assert "Beta Treatment" in body and "Alpha" not in body
    body = client.get(url, {"kind": "nhs"}).content.decode()
    assert "Northern NHS" in body and "Beta" not in body
    body = client.get(url, {"q": "northern"}).content.decode()
    assert "Northern NHS" in body and "Alpha" not in body
    SiteFactory(organisation=nhs, area=AreaFactory(region="Wales"))
    body = client.get(url, {"region": "Wales"}).content.decode()
    assert "Northern NHS" in body and "Alpha" not in body
    response = client.get(url, {"renewal_month": "June"})
    assert "Renewal month: Enter a month as YYYY-MM" in response.content.decode()


def test_partner_list_query_count_is_fixed(client, world, django_assert_num_queries):
    login(client, world, "staff_admin")
    url = reverse("partners_staff:partner_list")
    for _ in range(3):
        make_partner(signed_on=D(2025, 1, 1), start=D(2025, 1, 1), sites=2)
    client.get(url)
    with django_assert_num_queries(5) as small:
        client.get(url)
    for _ in range(30):
        make_partner(signed_on=D(2025, 1, 1), start=D(2025, 1, 1), sites=2)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert response.context["page_obj"].paginator.count == 35


def test_partner_detail_shows_terms_sites_invoices_contacts(client, world):
    login(client, world, "finance")
    agreement = make_partner(world.org_a, signed_on=D(2025, 1, 1), start=D(2025, 1, 1), sites=2)
    invoice = issued(agreement)
    body = client.get(
        reverse("partners_staff:partner_detail", args=[world.org_a.pk])
    ).content.decode()
    assert agreement.reference in body and invoice.number in body
    assert "Treatment Centre" in body and "Main contact" in body
    assert "Record payment" in body and "Current" in body


def test_commissioner_detail_lists_sites_in_its_areas(client, world):
    login(client, world, "staff_admin")
    area = AreaFactory()
    make_block(world.commissioner, areas=[area], signed_on=D(2025, 1, 1), start=D(2025, 1, 1))
    SiteFactory(organisation=world.org_b, area=area, name="Covered Hub")
    body = client.get(
        reverse("partners_staff:partner_detail", args=[world.commissioner.pk])
    ).content.decode()
    assert "Covered Hub" in body and "Block agreement" in body


def test_renewals_page_and_bulk_approve(client, world):
    login(client, world, "finance")
    agreement = make_partner(world.org_a, signed_on=D(2024, 7, 1), start=D(2024, 7, 1))
    period = agreement.periods.get()
    renewal = services.renewal_draft(period=period, today=D(2025, 6, 1))
    services.renewal_confirm(renewal=renewal, person=None, today=D(2025, 6, 1))
    other = make_partner(world.org_b, signed_on=D(2024, 7, 5), start=D(2024, 7, 5))
    other_renewal = services.renewal_draft(period=other.periods.get(), today=D(2025, 6, 1))
    body = client.get(reverse("partners_staff:renewals")).content.decode()
    assert agreement.reference in body and other.reference in body
    amount = renewal.invoices.get().total
    assert money(amount) in body and 'data-select-all="renewal"' in body
    # Ticking and approving asks first, listing each renewal with its amount;
    # nothing is approved without the confirming POST.
    response = client.post(
        reverse("partners_staff:renewals_approve"), {"renewal": [renewal.pk, other_renewal.pk]}
    )
    page = response.content.decode()
    assert response.status_code == 200 and "Approve 2 renewals?" in page
    assert f"{agreement.reference}: {money(amount)}" in page
    assert page.count('name="renewal"') == 2 and 'name="confirmed" value="yes"' in page
    renewal.refresh_from_db()
    other_renewal.refresh_from_db()
    assert renewal.status == PeriodStatus.DRAFT and other_renewal.status == PeriodStatus.DRAFT
    assert not other_renewal.invoices.get().number
    response = client.post(
        reverse("partners_staff:renewals_approve"),
        {"renewal": [renewal.pk, other_renewal.pk], "confirmed": "yes"},
        follow=True,
    )
    assert (
        "1 activated" in response.content.decode()
        and "1 invoiced (each invoice e-mailed to its billing contact)" in response.content.decode()
    )
    renewal.refresh_from_db()
    other_renewal.refresh_from_db()
    assert renewal.status == PeriodStatus.ACTIVE
    assert other_renewal.status == PeriodStatus.SENT
    assert other_renewal.invoices.get().number


def test_overdue_and_coverage_pages(client, world):
    login(client, world, "training")
    invoice = issued(make_partner(world.org_a, signed_on=D(2025, 1, 1), start=D(2025, 1, 1)))
    body = client.get(reverse("partners_staff:overdue")).content.decode()
    assert invoice.number in body
    area = AreaFactory(nation="wales", population=1000)
    make_block(world.commissioner, areas=[area], signed_on=D(2025, 1, 1), start=D(2025, 1, 1))
    body = client.get(reverse("partners_staff:coverage")).content.decode()
    assert "Wales" in body and "100.0%" in body and world.commissioner.name in body


def test_payment_screen_refuses_overpayment_with_message(client, world):
    login(client, world, "finance")
    invoice = issued(make_partner(world.org_a, signed_on=D(2025, 1, 1), start=D(2025, 1, 1)))
    url = reverse("partners_staff:invoice_payment", args=[invoice.pk])
    response = client.post(url, {"amount": "900", "received_on": "2025-05-01"})
    assert response.status_code == 200
    assert "Amount (£): £900.00 is more than the £500.00 still owed" in response.content.decode()
    response = client.post(url, {"amount": "-3", "received_on": "2025-05-01"})
    assert "must be more than zero" in response.content.decode()
    response = client.post(url, {"amount": "500", "received_on": "2025-05-01"})
    assert response.status_code == 302
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID


def test_xero_export_download_and_bad_dates(client, world):
    login(client, world, "finance")
    invoice = issued(make_partner(world.org_a, signed_on=D(2025, 1, 1), start=D(2025, 1, 1)))
    url = reverse("partners_staff:xero_export")
    response = client.get(url, {"start": "2025-01-01", "end": "2025-01-31"})
    assert response["Content-Type"] == "text/csv"
    assert invoice.number in response.content.decode()
    response = client.get(url, {"start": "2025-02-01", "end": "2025-01-31"})
    assert response.status_code == 400
    assert "To: The end of the period must not be before its start" in response.content.decode()


def test_staff_approves_site_request(client, world):
    login(client, world, "staff_admin")
    agreement = make_partner(world.org_a, signed_on=D(2025, 1, 1), start=D(2025, 1, 1))
    area = AreaFactory(ons_code="E08000025")
    request = services.site_request_create(
        organisation=world.org_a,
        person=None,
        name="Digbeth Hub",
        address_line_1="1 High St",
        town="Birmingham",
        postcode="B5 6DY",
        area_code="E08000025",
        site_type="community",
        joins_on=D(2025, 7, 2),
    )
    assert request.quoted_fee == Decimal("250.68")  # 183 of 365 days
    client.post(
        reverse("partners_staff:site_request_decide", args=[request.pk]), {"decision": "approve"}
    )
    request.refresh_from_db()
    assert request.status == "approved" and request.site.area == area
    assert agreement.periods.get().coverage.count() == 2
    assert Invoice.objects.get(purpose="site_addition").total == Decimal("250.68")


# --- Portal --------------------------------------------------------------------------------


def test_portal_home_shows_agreement_sites_and_confirm_renewal(client, world):
    login(client, world, "partner_contact")
    agreement = make_partner(world.org_a, signed_on=D(2024, 7, 1), start=D(2024, 7, 1), sites=2)
    renewal = services.renewal_draft(period=agreement.periods.get(), today=D(2025, 6, 1))
    body = client.get(reverse("portal:home")).content.decode()
    assert agreement.reference in body and "Treatment Centre" in body
    assert "Confirm the renewal from 1 July 2025" in body
    response = client.post(reverse("portal:renewal_confirm", args=[renewal.pk]), follow=True)
    assert "renewal of" in response.content.decode()
    renewal.refresh_from_db()
    assert renewal.confirmed_on == D(2025, 6, 1)
    assert renewal.confirmed_by == world.users["partner_contact"].person


def test_portal_refuses_another_organisations_objects(client, world):
    agreement = make_partner(world.org_a, signed_on=D(2024, 7, 1), start=D(2024, 7, 1))
    invoice = issued(agreement)
    renewal = services.renewal_draft(period=agreement.periods.get(), today=D(2025, 6, 1))
    client.force_login(world.users["other_partner_contact"])
    assert client.get(reverse("portal:invoice_pdf", args=[invoice.pk])).status_code == 404
    assert client.post(reverse("portal:renewal_confirm", args=[renewal.pk])).status_code == 404
    assert (
        client.get(reverse("portal:contacts"), {"organisation": world.org_a.pk}).status_code == 404
    )
    assert client.get(reverse("portal:contacts"), {"organisation": "x"}).status_code == 404
    assert invoice.number not in client.get(reverse("portal:invoices")).content.decode()
    renewal.refresh_from_db()
    assert renewal.confirmed_on is None


def test_portal_invoice_list_and_pdf(client, world):
    login(client, world, "partner_contact")
    invoice = issued(make_partner(world.org_a, signed_on=D(2025, 1, 1), start=D(2025, 1, 1)))
    services.invoice_draft(organisation=world.org_a, lines=[])  # drafts are not shown
    body = client.get(reverse("portal:invoices")).content.decode()
    assert invoice.number in body and "Draft" not in body
    response = client.get(reverse("portal:invoice_pdf", args=[invoice.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_portal_add_site_shows_fee_then_creates_pending_request(client, world):
    login(client, world, "partner_contact")
    make_partner(world.org_a, signed_on=D(2025, 1, 1), start=D(2025, 1, 1))
    AreaFactory(ons_code="E08000035", name="Leeds")
    data = {
        "name": "Leeds Hub",
        "address_line_1": "2 Park Row",
        "town": "Leeds",
        "postcode": "ls1 5ab",
        "area": "E08000035",
        "site_type": "community",
        "joins_on": "2025-07-02",
    }
    response = client.post(reverse("portal:site_add"), data)
    body = response.content.decode()
    assert "£250.68" in body and "Confirm and send request" in body
    assert not SiteRequest.objects.exists()
    response = client.post(reverse("portal:site_add"), {**data, "confirm": "1"})
    assert response.status_code == 302
    request = SiteRequest.objects.get()
    assert request.quoted_fee == Decimal("250.68") and request.postcode == "LS1 5AB"
    assert request.status == "pending" and request.site is None


def test_portal_add_site_bad_input_names_fields(client, world):
    login(client, world, "partner_contact")
    make_partner(world.org_a, signed_on=D(2025, 1, 1), start=D(2025, 1, 1))
    response = client.post(
        reverse("portal:site_add"),
        {
            "name": "Paris",
            "address_line_1": "1 Rue",
            "town": "Paris",
            "postcode": "75001",
            "area": "X99999999",
            "site_type": "community",
            "joins_on": "2027-01-01",
            "confirm": "1",
        },
    )
    body = response.content.decode()
    assert "Enter a UK postcode" in body and 'href="#id_postcode"' in body
    assert "Choose a local authority area from the list" in body
    assert not SiteRequest.objects.exists()


def test_portal_contacts_update(client, world):
    login(client, world, "partner_contact")
    response = client.post(
        reverse("portal:contacts"),
        {
            "role": AffiliationRole.BILLING_CONTACT,
            "first_name": "Pat",
            "last_name": "Payer",
            "email": "pat@alpha.example",
        },
    )
    assert response.status_code == 302
    body = client.get(reverse("portal:contacts")).content.decode()
    assert "Pat Payer" in body and "Billing contact" in body
    response = client.post(reverse("portal:contacts"), {"role": "billing_contact", "email": "bad"})
    assert "Enter the e-mail address in the right form" in response.content.decode()


def test_commissioner_sees_block_agreement_and_area_sites(client, world):
    login(client, world, "commissioner_contact")
    area = AreaFactory(name="Gammashire")
    block = make_block(
        world.commissioner, areas=[area], signed_on=D(2025, 1, 1), start=D(2025, 1, 1)
    )
    SiteFactory(organisation=world.org_a, area=area, name="Gamma Hub")
    SiteFactory(organisation=world.org_b, name="Elsewhere Centre")
    body = client.get(reverse("portal:home")).content.decode()
    assert block.reference in body and "Gamma Hub" in body and "Elsewhere Centre" not in body
    assert client.get(reverse("portal:site_add")).status_code == 403


def test_contacts_from_other_affiliations_do_not_leak(client, world):
    AffiliationFactory(organisation=world.org_b, role=AffiliationRole.MAIN_CONTACT)
    login(client, world, "partner_contact")
    body = client.get(reverse("portal:contacts")).content.decode()
    assert "Alpha Recovery" in body and "Beta" not in body


def test_staff_drafts_sends_activates_and_terminates_an_agreement(client, world):
    login(client, world, "finance")
    site = SiteFactory(organisation=world.org_a, name="Main Site")
    url = reverse("partners_staff:agreement_new", args=[world.org_a.pk])
    response = client.post(
        url, {"start_date": "2025-07-01", "end_date": "2025-06-01", "sites": [site.pk]}
    )
    assert "End date: The agreement must end after it starts." in response.content.decode()
    assert not world.org_a.agreements.exists()
    response = client.post(url, {"start_date": "2025-07-01", "sites": [site.pk]})
    assert response.status_code == 302
    agreement = world.org_a.agreements.get()
    period = agreement.periods.get()
    assert period.end_date == D(2026, 6, 30)
    act = "partners_staff:period_action"
    client.post(reverse(act, args=[period.pk, "send"]))
    period.refresh_from_db()
    assert period.status == PeriodStatus.SENT and period.invoices.get().number == "INV-000001"
    client.post(reverse(act, args=[period.pk, "activate"]), {"on": "2025-05-30"})
    agreement.refresh_from_db()
    period.refresh_from_db()
    assert period.status == PeriodStatus.ACTIVE and agreement.signed_on == D(2025, 5, 30)
    terminate = reverse(act, args=[period.pk, "terminate"])
    # The link asks first: what ends, with today's date filled in.
    page = client.get(terminate).content.decode()
    assert f"Terminate agreement {agreement.reference}?" in page
    assert "Sites no longer covered from then" in page and 'name="confirmed"' in page
    # Without the confirming POST nothing happens, whatever else is sent.
    response = client.post(terminate, {"on": "2025-09-01", "reason": "Closed"})
    assert response.status_code == 200
    period.refresh_from_db()
    assert period.status == PeriodStatus.ACTIVE
    response = client.post(terminate, {"on": "2025-09-01", "confirmed": "yes"})
    assert "Enter the reason" in response.content.decode()
    response = client.post(terminate, {"on": "2027-01-01", "reason": "Closed", "confirmed": "yes"})
    assert "a termination must be on or before that date" in response.content.decode()
    period.refresh_from_db()
    assert period.status == PeriodStatus.ACTIVE
    client.post(terminate, {"on": "2025-09-01", "reason": "Closed", "confirmed": "yes"})
    period.refresh_from_db()
    assert period.status == PeriodStatus.TERMINATED and period.terminated_on == D(2025, 9, 1)
    assert client.post(reverse(act, args=[period.pk, "explode"])).status_code == 404


def test_staff_drafts_a_block_agreement_bad_amount(client, world):
    login(client, world, "staff_admin")
    url = reverse("partners_staff:agreement_new", args=[world.commissioner.pk])
    response = client.post(url, {"start_date": "2025-07-01", "annual_amount": "-5"})
    body = response.content.decode()
    assert "The annual amount must be more than zero." in body
    assert 'href="#id_annual_amount"' in body
    response = client.post(url, {"start_date": "2025-07-01", "annual_amount": "9000"})
    assert response.status_code == 302
    assert world.commissioner.agreements.get().kind == "block"


def test_partner_list_htmx_request_gets_the_rows_only(client, world):
    login(client, world, "staff_admin")
    response = client.get(
        reverse("partners_staff:partner_list"), {"q": "alpha"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert "Alpha Recovery" in body and "<html" not in body and "<table" in body


def test_the_partner_list_prints_money_as_pounds_and_pence(client, world):
    """ "£878.090000000000" was printed once: the sum of balances, unformatted."""
    login(client, world, "finance")
    agreement = make_partner(world.org_a, signed_on=D(2025, 1, 1), start=D(2025, 1, 1))
    period = agreement.periods.get()
    lines = [
        services.invoice_line(
            product_code="site_licence", description="Licence", amount=Decimal("12345.67")
        ),
        services.invoice_line(
            product_code="site_licence", description="Part", amount="0.1", quantity="0.9"
        ),
    ]
    invoice = services.invoice_draft(organisation=world.org_a, period=period, lines=lines)
    invoice = services.invoice_issue(invoice=invoice, today=JAN_1)
    body = client.get(reverse("partners_staff:partner_list")).content.decode()
    assert f"£{invoice.balance:,.2f}" in body  # e.g. £12,345.76: separator, two places
    assert "," in f"{invoice.balance:,.2f}"
    assert not re.search(r"£\d{4,}", body)  # no amount without its separator
    assert not re.search(r"£[\d,]+\.\d{3,}", body)  # never more than two places


def test_record_payment_shows_today_in_its_date_picker(client, world):
    """The "received on" field defaults to today and shows it: a date picker
    reads only ISO dates, so the site's 01/06/2025 left it blank before."""
    login(client, world, "finance")
    invoice = issued(make_partner(world.org_a, signed_on=D(2025, 1, 1), start=D(2025, 1, 1)))
    body = client.get(reverse("partners_staff:invoice_payment", args=[invoice.pk])).content.decode()
    assert 'type="date" name="received_on" value="2025-06-01"' in body
    assert "YYYY" not in body


def test_renewals_page_lists_a_term_not_yet_renewed(client, world):
    """A period ending soon with no renewal drafted yet is listed, not a 500."""
    login(client, world, "finance")
    make_partner(world.org_a, signed_on=D(2024, 7, 1), start=D(2024, 7, 1))
    with time_machine.travel(D(2025, 6, 1), tick=False):
        response = client.get(reverse("partners_staff:renewals"))
    assert response.status_code == 200
