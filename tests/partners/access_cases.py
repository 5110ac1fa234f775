"""Who may open each partners URL (see tests/access.py)."""

import datetime

from partners import services
from partners.models import BankStatement, ChasingHold, Invoice, Payment, SiteRequest
from tests.access import OTHER_PARTNER, PEER_VIEWERS, PORTAL, STAFF, Case
from tests.factories import (
    AffiliationFactory,
    AreaFactory,
    PersonFactory,
    SiteFactory,
    UserFactory,
)
from tests.partners.factories import make_partner

MONEY = frozenset({"staff_admin", "finance"})
FINANCE = frozenset({"finance"})
D = datetime.date


def _agreement(world):

    return make_partner(world.org_a, signed_on=D(2025, 1, 1), start=D(2025, 1, 1))


def _invoice_url(prefix, suffix="pdf/"):
    def url(world):

        period = _agreement(world).periods.get()
        invoice = services.invoice_draft(
            organisation=world.org_a, period=period, lines=services.period_lines(period)
        )
        services.invoice_issue(invoice=invoice, today=D(2025, 1, 1))
        return f"{prefix}{invoice.pk}/{suffix}"

    return url


def _renewal_confirm_url(world):

    renewal = services.renewal_draft(period=_agreement(world).periods.get(), today=D(2025, 12, 1))
    return f"/portal/renewals/{renewal.pk}/confirm/"


def _site_request_url(world):

    period = _agreement(world).periods.get()
    request = SiteRequest.objects.create(
        organisation=world.org_a,
        period=period,
        name="New hub",
        address_line_1="1 Road",
        town="Leeds",
        postcode="LS1 1AA",
        area=AreaFactory(),
        site_type="community",
        joins_on=D(2025, 6, 1),
        quoted_fee="290.41",
    )
    return f"/staff/partners/site-requests/{request.pk}/decide/"


OBJECT_404 = {OTHER_PARTNER: 404, "commissioner_contact": 404}

CASES = {
    "partners_staff:partner_list": Case("/staff/partners/", allow=STAFF),
    "partners_staff:partner_detail": Case(lambda w: f"/staff/partners/{w.org_a.pk}/", allow=STAFF),
    "partners_staff:agreement_new": Case(
        lambda w: f"/staff/partners/{w.org_a.pk}/agreements/new/", allow=MONEY
    ),
    "partners_staff:period_action": Case(
        lambda w: f"/staff/partners/terms/{_agreement(w).periods.get().pk}/send/",
        allow=MONEY,
        ok=302,
        method="post",
    ),
    "partners_staff:renewals": Case("/staff/partners/renewals/", allow=STAFF),
    "partners_staff:renewals_approve": Case(
        "/staff/partners/renewals/approve/",
        allow=MONEY,
        ok=302,
        method="post",
        data={"confirmed": "yes"},
    ),
    "partners_staff:overdue": Case("/staff/partners/invoices/overdue/", allow=STAFF),
    "partners_staff:xero_export": Case("/staff/partners/invoices/export/", allow=MONEY),
    "partners_staff:invoice_pdf": Case(_invoice_url("/staff/partners/invoices/"), allow=STAFF),
    "partners_staff:invoice_payment": Case(
        _invoice_url("/staff/partners/invoices/", "payment/"), allow=MONEY
    ),
    "partners_staff:coverage": Case("/staff/partners/coverage/", allow=STAFF),
    "partners_staff:site_requests": Case("/staff/partners/site-requests/", allow=STAFF),
    "partners_staff:site_request_decide": Case(
        _site_request_url, allow=MONEY, ok=302, method="post", data={"decision": "reject"}
    ),
    "portal:invoices": Case("/portal/invoices/", allow=PORTAL),
    "portal:invoice_pdf": Case(
        _invoice_url("/portal/invoices/"), allow=PORTAL, overrides=OBJECT_404
    ),
    # Only partners add sites; a commissioner contact is told so.
    "portal:site_add": Case(
        "/portal/sites/add/", allow=PORTAL, overrides={"commissioner_contact": 403}
    ),
    "portal:renewal_confirm": Case(
        _renewal_confirm_url, allow=PORTAL, ok=302, method="post", overrides=OBJECT_404
    ),
    "portal:contacts": Case("/portal/contacts/", allow=PORTAL),
}


def _person_url(suffix):
    def url(world):

        return f"/staff/partners/people/{PersonFactory().pk}/{suffix}"

    return url


# Personal data (health data): the staff admin alone.
ADMIN_ONLY = frozenset({"staff_admin"})
CASES.update(
    {
        "partners_staff:person_data": Case(
            _person_url("data/"), allow=ADMIN_ONLY, peer_names=PEER_VIEWERS
        ),
        "partners_staff:person_data_json": Case(
            _person_url("data.json"), allow=ADMIN_ONLY, peer_names=PEER_VIEWERS
        ),
        "partners_staff:person_data_pdf": Case(
            _person_url("data.pdf"), allow=ADMIN_ONLY, peer_names=PEER_VIEWERS
        ),
        "partners_staff:person_erase": Case(
            _person_url("erase/"), allow=ADMIN_ONLY, peer_names=PEER_VIEWERS
        ),
    }
)


def _pending_contact_url(world):

    pending = services.contact_request(
        organisation=world.org_a,
        role="signatory",
        first_name="Any",
        last_name="Name",
        email="any.name@example.org",
    )
    return f"/staff/partners/contacts/pending/{pending.pk}/decide/"


# Pending contacts show who in the directory has an e-mail: the staff admin alone.
CASES.update(
    {
        "partners_staff:pending_contacts": Case(
            "/staff/partners/contacts/pending/", allow=ADMIN_ONLY
        ),
        "partners_staff:pending_contact_decide": Case(
            _pending_contact_url,
            allow=ADMIN_ONLY,
            ok=302,
            method="post",
            data={"decision": "reject"},
        ),
    }
)


def _issued(world):
    return Invoice.objects.get(pk=int(_invoice_url("", "")(world).strip("/")))


def _draft_url(world):
    period = _agreement(world).periods.get()
    invoice = services.invoice_draft(
        organisation=world.org_a, period=period, lines=services.period_lines(period)
    )
    return f"/staff/partners/invoices/{invoice.pk}/issue/"


def _credit_note_url(world):
    invoice = _issued(world)
    note = services.credit_note_create(invoice=invoice, amount="1.00", reason="Test")
    return f"/staff/partners/invoices/{note.pk}/refund/"


def _payment_url(world):
    invoice = _issued(world)
    payment = Payment.objects.create(invoice=invoice, amount="1.00", received_on=D(2025, 1, 2))
    return f"/staff/partners/payments/{payment.pk}/reverse/"


def _hold_release_url(world):
    hold = ChasingHold.objects.create(organisation=world.org_a, reason="x", held_on=D(2025, 1, 1))
    return f"/staff/partners/chasing/holds/{hold.pk}/release/"


def _bank_preview_url(world):
    statement = BankStatement.objects.create(
        filename="s.csv", content="Date,Amount,Reference\n01/02/2025,10.00,INV-000001\n"
    )
    return f"/staff/partners/bank/{statement.pk}/"


# Money in (issue 17): credit notes, voids and refunds are for finance alone.
CASES.update(
    {
        "partners_staff:xero_contacts": Case(
            "/staff/partners/invoices/export/contacts/", allow=MONEY
        ),
        "partners_staff:invoice_detail": Case(
            _invoice_url("/staff/partners/invoices/", ""), allow=STAFF
        ),
        "partners_staff:invoice_issue": Case(_draft_url, allow=MONEY),
        "partners_staff:credit_note_new": Case(
            _invoice_url("/staff/partners/invoices/", "credit/"), allow=FINANCE
        ),
        "partners_staff:invoice_void": Case(
            _invoice_url("/staff/partners/invoices/", "void/"), allow=FINANCE
        ),
        "partners_staff:refund_new": Case(_credit_note_url, allow=FINANCE),
        "partners_staff:invoice_remind": Case(
            _invoice_url("/staff/partners/invoices/", "remind/"), allow=MONEY, ok=302, method="post"
        ),
        "partners_staff:payment_reverse": Case(_payment_url, allow=MONEY),
        "partners_staff:chasing_hold": Case(
            lambda w: f"/staff/partners/{w.org_a.pk}/chasing/hold/", allow=MONEY
        ),
        "partners_staff:chasing_release": Case(
            _hold_release_url, allow=MONEY, ok=302, method="post"
        ),
        "partners_staff:statement_pdf": Case(
            lambda w: f"/staff/partners/{w.org_a.pk}/statement.pdf", allow=STAFF
        ),
        "partners_staff:bank_import": Case("/staff/partners/bank/", allow=MONEY),
        "partners_staff:bank_preview": Case(_bank_preview_url, allow=MONEY),
        "portal:statement_pdf": Case("/portal/statement.pdf", allow=PORTAL),
    }
)


# --- Set-up screens, invitations and accounts: the staff admin alone. ---------


def _org_url(suffix):
    return lambda world: f"/staff/partners/{world.org_a.pk}/{suffix}"


def _site_edit_url(world):
    return f"/staff/partners/sites/{SiteFactory(organisation=world.org_a).pk}/edit/"


def _affiliation_end_url(world):
    tie = AffiliationFactory(person=PersonFactory(), organisation=world.org_a, role="staff")
    return f"/staff/partners/affiliations/{tie.pk}/end/"


def _contact_person_url(suffix):
    def url(world):
        person = PersonFactory()
        AffiliationFactory(person=person, organisation=world.org_a, role="billing_contact")
        return f"/staff/partners/people/{person.pk}/{suffix}"

    return url


def _account_url(suffix):
    def url(world):
        return f"/staff/partners/accounts/{UserFactory(role='finance').pk}/{suffix}"

    return url


CASES.update(
    {
        "partners_staff:organisation_new": Case("/staff/partners/new/", allow=ADMIN_ONLY),
        "partners_staff:organisation_edit": Case(_org_url("edit/"), allow=ADMIN_ONLY),
        "partners_staff:site_new": Case(_org_url("sites/new/"), allow=ADMIN_ONLY),
        "partners_staff:site_edit": Case(_site_edit_url, allow=ADMIN_ONLY),
        # The directory and the accounts are the staff admin's, who may see peers.
        "partners_staff:people": Case(
            "/staff/partners/people/?q=a", allow=ADMIN_ONLY, peer_names=ADMIN_ONLY
        ),
        "partners_staff:person_new": Case("/staff/partners/people/new/", allow=ADMIN_ONLY),
        "partners_staff:person_detail": Case(_person_url(""), allow=ADMIN_ONLY),
        "partners_staff:person_edit": Case(_person_url("edit/"), allow=ADMIN_ONLY),
        "partners_staff:person_reviewed": Case(
            _person_url("reviewed/"), allow=ADMIN_ONLY, ok=302, method="post"
        ),
        "partners_staff:person_merge": Case(_person_url("merge/"), allow=ADMIN_ONLY),
        "partners_staff:affiliation_new": Case(_person_url("affiliations/new/"), allow=ADMIN_ONLY),
        "partners_staff:affiliation_end": Case(_affiliation_end_url, allow=ADMIN_ONLY),
        "partners_staff:person_invite": Case(
            _contact_person_url("invite/"), allow=ADMIN_ONLY, ok=302, method="post"
        ),
        "partners_staff:invitations": Case("/staff/partners/invitations/", allow=ADMIN_ONLY),
        "partners_staff:invite_all": Case(
            "/staff/partners/invitations/invite-all/", allow=ADMIN_ONLY, ok=302, method="post"
        ),
        "partners_staff:accounts": Case(
            "/staff/partners/accounts/?q=a", allow=ADMIN_ONLY, peer_names=ADMIN_ONLY
        ),
        "partners_staff:account_new": Case("/staff/partners/accounts/new/", allow=ADMIN_ONLY),
        "partners_staff:account_detail": Case(_account_url(""), allow=ADMIN_ONLY),
        "partners_staff:account_active": Case(
            _account_url("active/"),
            allow=ADMIN_ONLY,
            ok=302,
            method="post",
            data={"active": "0"},
        ),
    }
)


# The organisation switcher: a contact may choose only one of their own (told, and
# sent back to the portal home, otherwise).
CASES["portal:switch_organisation"] = Case(
    "/portal/organisation/",
    allow=PORTAL,
    ok=302,
    method="post",
    data={"organisation": "0"},
)
