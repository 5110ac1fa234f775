"""Portal access follows affiliations, checked on every request: it ends
with the affiliation; a contact of two organisations chooses between them;
a staff admin deactivates and reactivates an account, in the audit trail."""

import datetime

import pytest
import time_machine
from django.test import Client

from partners import services
from partners.models import AffiliationRole
from smartnet import services as core_services
from smartnet.models import User
from smartnet.roles import Role
from tests.factories import AffiliationFactory, OrganisationFactory, UserFactory, portal_user

pytestmark = pytest.mark.django_db


def _at(day: datetime.date):
    return time_machine.travel(
        datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC)
    )


def test_an_ended_affiliation_removes_access_that_day(client):
    org = OrganisationFactory(name="Old Employer")
    with _at(datetime.date(2026, 1, 5)):
        user = portal_user(org)
    client.force_login(user)
    tie = user.person.affiliations.get()
    with _at(datetime.date(2026, 3, 2)):
        assert client.get("/portal/").status_code == 200
        # Staff record the move: the last day is today.
        services.affiliation_end(affiliation=tie, end_date=datetime.date(2026, 3, 2))
        assert client.get("/portal/").status_code == 200  # the last day itself
    with _at(datetime.date(2026, 3, 3)):
        response = client.get("/portal/")
    assert response.status_code == 403 and b"not linked to any organisation" in response.content
    # The same session, no job run in between: access ended at the request.


def test_a_contact_of_two_organisations_chooses_between_them(client):
    first = OrganisationFactory(name="Alder House")
    second = OrganisationFactory(name="Birch Lodge")
    user = portal_user(first)
    AffiliationFactory(
        person=user.person, organisation=second, role=AffiliationRole.BILLING_CONTACT
    )
    client.force_login(user)
    home = client.get("/portal/")
    assert b"Alder House" in home.content and b'id="switch-organisation"' in home.content
    response = client.post(
        "/portal/organisation/", {"organisation": second.pk, "next": "/portal/contacts/"}
    )
    assert response.status_code == 302 and response["Location"] == "/portal/contacts/"
    contacts = client.get("/portal/contacts/")
    assert b"Contacts for Birch Lodge" in contacts.content
    assert client.session["portal_organisation"] == second.pk
    # Another organisation's id is refused and the choice is kept.
    other = OrganisationFactory()
    refused = client.post("/portal/organisation/", {"organisation": other.pk}, follow=True)
    assert b"Choose one of the organisations listed for your account." in refused.content
    assert client.session["portal_organisation"] == second.pk
    # The chosen affiliation ends: the portal falls back to the one left.
    tie = user.person.affiliations.get(organisation=second)
    services.affiliation_end(
        affiliation=tie, end_date=datetime.date.today() - datetime.timedelta(days=1)
    )
    page = client.get("/portal/contacts/")
    assert (
        b"Contacts for Alder House" in page.content and b"switch-organisation" not in page.content
    )


def test_staff_admin_deactivates_and_reactivates_an_account_audited(client):
    admin = UserFactory(role=Role.STAFF_ADMIN, email="admin@example.org")
    target = portal_user(OrganisationFactory(), email="sam@example.org")
    other = Client()
    other.force_login(target)
    assert other.get("/portal/").status_code == 200
    client.force_login(admin)
    assert (
        client.post(f"/staff/partners/accounts/{target.pk}/active/", {"active": "0"}).status_code
        == 302
    )
    target.refresh_from_db()
    assert not target.is_active
    refused = other.get("/portal/")
    assert refused.status_code == 403 and b"deactivated" in refused.content
    client.post(f"/staff/partners/accounts/{target.pk}/active/", {"active": "1"})
    target.refresh_from_db()
    assert target.is_active
    trail = list(
        target.history.order_by("history_date").values_list("is_active", "history_user__email")
    )
    assert trail[-2:] == [(False, "admin@example.org"), (True, "admin@example.org")]
    page = client.get(f"/staff/partners/accounts/{target.pk}/")
    assert str(admin).encode() in page.content  # the audit trail on the page


def test_nobody_deactivates_their_own_account():
    admin = UserFactory(role=Role.STAFF_ADMIN)
    with pytest.raises(Exception, match="your own account"):
        core_services.account_set_active(user=admin, active=False, by=admin)
    assert User.objects.get(pk=admin.pk).is_active


def test_staff_admin_changes_a_staff_role_not_a_portal_one():
    admin = UserFactory(role=Role.STAFF_ADMIN)
    staff = UserFactory(role=Role.FINANCE)
    core_services.account_set_role(user=staff, role=Role.TRAINING, by=admin)
    assert User.objects.get(pk=staff.pk).role == Role.TRAINING
    contact = portal_user(OrganisationFactory())
    with pytest.raises(Exception, match="follows its affiliation"):
        core_services.account_set_role(user=contact, role=Role.FINANCE, by=admin)
