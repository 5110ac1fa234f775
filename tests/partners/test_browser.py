"""In a real headless Chromium: a partner contact adds a site (seeing the fee
first) and downloads an invoice PDF; staff pages pass axe-core too."""

import datetime
import io
from pathlib import Path

import pytest
from django.utils import timezone
from pypdf import PdfReader

from partners import services
from partners.models import SiteRequest
from smartnet.roles import Role
from tests.conftest import browser_login
from tests.factories import PASSWORD, AreaFactory, OrganisationFactory, UserFactory, portal_user
from tests.partners.factories import make_partner

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_partner_adds_a_site_and_downloads_an_invoice(browser_page, axe_check):
    today = timezone.localdate()
    start = today - datetime.timedelta(days=100)
    org = OrganisationFactory(name="Alpha Recovery", slug="alpha-recovery")
    agreement = make_partner(org, signed_on=start, start=start)
    period = agreement.periods.get()
    invoice = services.invoice_draft(
        organisation=org, period=period, lines=services.period_lines(period)
    )
    services.invoice_issue(invoice=invoice, today=start)
    AreaFactory(ons_code="E08000035", name="Leeds")
    user = portal_user(org, email="contact@alpha.example")
    page = browser_page
    browser_login(page, user.email, PASSWORD, next_url="/portal/")
    assert page.get_by_role("heading", name="Partner portal").is_visible()
    assert page.get_by_text(agreement.reference).first.is_visible()
    axe_check(page)

    page.get_by_role("link", name="Add a site").click()
    assert page.get_by_role("heading", name="Add a site for Alpha Recovery").is_visible()
    axe_check(page)
    page.get_by_label("Site name").fill("Leeds Hub")
    page.get_by_label("Address line 1").fill("2 Park Row")
    page.get_by_label("Town").fill("Leeds")
    page.get_by_label("Postcode").fill("LS1 5AB")
    page.get_by_label("Local authority area").select_option("E08000035")
    page.get_by_label("Type of site").select_option("community")
    joins = today + datetime.timedelta(days=10)
    page.get_by_label("Joins on").fill(joins.isoformat())
    page.get_by_role("button", name="Show the fee").click()
    fee = services.quote_site_fee(
        period=period, area=AreaFactory(ons_code="E08000035"), joins_on=joins
    )
    quote = page.locator("#fee-quote")
    assert quote.is_visible() and f"£{fee}" in quote.inner_text()
    assert not SiteRequest.objects.exists()
    axe_check(page)
    page.get_by_role("button", name="Confirm and send request").click()
    assert page.get_by_text("is waiting for the central team to approve it").is_visible()
    request = SiteRequest.objects.get()
    assert request.name == "Leeds Hub" and request.quoted_fee == fee
    axe_check(page)

    page.get_by_role("link", name="Invoices", exact=True).first.click()
    assert page.get_by_role("heading", name="Invoices").is_visible()
    axe_check(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name=f"Download {invoice.number} PDF").click()
    download = download_info.value
    data = Path(download.path()).read_bytes()
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert invoice.number in text and "Alpha Recovery" in text


def test_staff_partner_pages_pass_axe(browser_page, axe_check):
    today = timezone.localdate()
    agreement = make_partner(
        signed_on=today - datetime.timedelta(days=340), start=today - datetime.timedelta(days=340)
    )
    services.renewal_draft(period=agreement.periods.get(), today=today)
    UserFactory(email="finance@example.org", role=Role.FINANCE)
    page = browser_page
    browser_login(page, "finance@example.org", PASSWORD, next_url="/staff/partners/")
    assert page.get_by_role("heading", name="Partners").is_visible()
    axe_check(page)
    for url, heading in [
        (f"/staff/partners/{agreement.organisation_id}/", agreement.organisation.name),
        ("/staff/partners/renewals/", "Renewals due in the next 90 days"),
        ("/staff/partners/invoices/overdue/", "Overdue invoices"),
        ("/staff/partners/coverage/", "Block agreement coverage by nation"),
        ("/staff/partners/site-requests/", "Sites waiting for approval"),
        ("/staff/partners/invoices/export/", "Finance export (Xero sales invoices)"),
    ]:
        page.goto(url)
        assert page.get_by_role("heading", name=heading).is_visible(), url
        axe_check(page)


def test_finance_money_screens_pass_axe_at_phone_and_desktop(browser_page, axe_check, tmp_path):
    """The overdue screen, an invoice's page, the credit note, void and hold
    screens and the bank import, at 390x844 and 1280x800."""
    today = timezone.localdate()
    start = today - datetime.timedelta(days=120)
    org = OrganisationFactory(name="Beta Recovery", slug="beta-recovery")
    agreement = make_partner(org, signed_on=start, start=start)
    period = agreement.periods.get()
    invoice = services.invoice_draft(
        organisation=org, period=period, lines=services.period_lines(period)
    )
    services.invoice_issue(invoice=invoice, today=start)
    UserFactory(email="finance@example.org", role=Role.FINANCE)
    page = browser_page
    browser_login(page, "finance@example.org", PASSWORD, next_url="/staff/partners/")
    pages = [
        ("/staff/partners/invoices/overdue/", "Overdue invoices"),
        (f"/staff/partners/invoices/{invoice.pk}/", f"Invoice {invoice.number}"),
        (
            f"/staff/partners/invoices/{invoice.pk}/credit/",
            f"Raise a credit note against {invoice.number}",
        ),
        (f"/staff/partners/invoices/{invoice.pk}/void/", f"Void {invoice.number}"),
        (f"/staff/partners/{org.pk}/chasing/hold/", "Put chasing of Beta Recovery on hold"),
        ("/staff/partners/bank/", "Bank statement import"),
    ]
    for width, height in ((390, 844), (1280, 800)):
        page.set_viewport_size({"width": width, "height": height})
        for n, (url, heading) in enumerate(pages):
            page.goto(url)
            assert page.get_by_role("heading", name=heading).is_visible(), url
            axe_check(page)
            page.screenshot(path=str(tmp_path / f"money-{width}-{n}.png"), full_page=True)
    page.goto(f"/staff/partners/invoices/{invoice.pk}/credit/")
    page.get_by_label("Amount to credit (£)").fill("100.00")
    page.get_by_label("Reason").fill("Site closed early")
    page.get_by_role("button", name="Raise the credit note").click()
    assert page.get_by_text("raised against").is_visible()
    invoice.refresh_from_db()
    assert invoice.amount_credited == 100
