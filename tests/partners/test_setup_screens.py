"""Staff set up the directory without the Django admin: organisations (with
number formats and duplicates), sites placed from the postcode table, people
(offered a match first), affiliations, and merging two records of one human."""

import datetime
from decimal import Decimal

import pytest

from materials.models import Dispatch
from meetings.models import LeadershipPeriod, PostcodeCentroid
from partners import services
from partners.models import Affiliation, AffiliationRole, Organisation, Person, Site
from smartnet.roles import Role
from tests.factories import (
    AffiliationFactory,
    AreaFactory,
    OrganisationFactory,
    PersonFactory,
    UserFactory,
)
from tests.materials.factories import make_dispatch, make_item
from tests.meetings.factories import make_meeting
from tests.training.factories import make_trained_facilitator

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(role=Role.STAFF_ADMIN, email="setup.admin@example.org"))
    return client


def test_staff_create_an_organisation_with_billing_details(admin_client):
    response = admin_client.post(
        "/staff/partners/new/",
        {
            "name": "Maple Recovery",
            "kind": "treatment_provider",
            "charity_number": " 1123456 ",
            "company_number": "1234567",
            "billing_address": "1 Leaf Road\nLeeds LS1 1AA",
            "requires_po_number": "on",
            "billing_first_name": "Pat",
            "billing_last_name": "Payne",
            "billing_email": "pat@maple.example.org",
        },
    )
    org = Organisation.objects.get(name="Maple Recovery")
    assert response.status_code == 302 and response["Location"] == f"/staff/partners/{org.pk}/"
    assert (org.charity_number, org.company_number) == ("1123456", "01234567")
    assert org.requires_po_number and org.slug == "maple-recovery"
    billing = Affiliation.objects.get(organisation=org, role=AffiliationRole.BILLING_CONTACT)
    assert billing.person.email == "pat@maple.example.org"
    record = org.history.latest()
    assert record.history_user.email == "setup.admin@example.org"


def test_bad_numbers_and_duplicates_are_refused_naming_the_field(admin_client):
    OrganisationFactory(name="Oak Trust", charity_number="1100001")
    response = admin_client.post(
        "/staff/partners/new/",
        {"name": "oak trust", "kind": "nhs", "charity_number": "12AB", "company_number": "XYZ"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Charity number: Enter a charity number" in body
    assert "Company number: Enter a company number" in body
    assert "Name: An organisation called oak trust exists already" in body
    dup = admin_client.post(
        "/staff/partners/new/", {"name": "Elm", "kind": "nhs", "charity_number": "1100001"}
    )
    assert "Charity number: Oak Trust has this number already." in dup.content.decode()
    assert not Organisation.objects.filter(name__in=["oak trust", "Elm"]).exists()


def test_a_commissioner_and_its_areas(admin_client):
    leeds, york = AreaFactory(name="Leeds"), AreaFactory(name="York")
    admin_client.post(
        "/staff/partners/new/",
        {"name": "West Council", "kind": "commissioner", "areas": [leeds.pk, york.pk]},
    )
    council = Organisation.objects.get(name="West Council")
    assert set(council.areas.all()) == {leeds, york}
    refused = admin_client.post(
        "/staff/partners/new/", {"name": "Provider", "kind": "nhs", "areas": [leeds.pk]}
    )
    assert "Areas: Only a commissioner covers areas." in refused.content.decode()


def test_staff_add_a_site_placed_from_the_postcode_table(admin_client):
    org = OrganisationFactory()
    area = AreaFactory(ons_code="E08000035", name="Leeds")
    PostcodeCentroid.objects.create(
        postcode="LS11AA",
        latitude=Decimal("53.79650"),
        longitude=Decimal("-1.54190"),
        area_code="E08000035",
    )
    data = {
        "name": "Leeds Hub",
        "address_line_1": "2 Park Row",
        "town": "Leeds",
        "postcode": "ls1 1aa",
        "site_type": "community",
    }
    response = admin_client.post(f"/staff/partners/{org.pk}/sites/new/", data)
    assert response.status_code == 302
    site = Site.objects.get(name="Leeds Hub")
    assert (site.postcode, site.area, site.latitude) == ("LS1 1AA", area, Decimal("53.79650"))
    # The same site again is a duplicate.
    again = admin_client.post(f"/staff/partners/{org.pk}/sites/new/", data)
    assert "already has a site called Leeds Hub at LS1 1AA" in again.content.decode()


def test_an_unknown_or_wrong_postcode_is_said_clearly(admin_client):
    org = OrganisationFactory()
    data = {
        "name": "Far Site",
        "address_line_1": "1 Road",
        "town": "Nowhere",
        "site_type": "community",
    }
    wrong = admin_client.post(f"/staff/partners/{org.pk}/sites/new/", {**data, "postcode": "12345"})
    assert "Postcode: Enter a UK postcode" in wrong.content.decode()
    unknown = admin_client.post(
        f"/staff/partners/{org.pk}/sites/new/", {**data, "postcode": "ZE2 9ZZ"}
    )
    assert "ZE2 9ZZ is not in the postcode table" in unknown.content.decode()
    assert not Site.objects.exists()
    # Staff choose the area: saved without a map position, and told so.
    area = AreaFactory(name="Shetland Islands")
    saved = admin_client.post(
        f"/staff/partners/{org.pk}/sites/new/",
        {**data, "postcode": "ZE2 9ZZ", "area": area.pk},
        follow=True,
    )
    site = Site.objects.get()
    assert site.area == area and site.latitude is None
    assert "without a map position" in saved.content.decode()


def test_staff_add_a_person_offered_the_match_first(admin_client):
    org = OrganisationFactory()
    known = PersonFactory(first_name="Jo", last_name="Bloggs", email="jo@example.org")
    AffiliationFactory(person=known, organisation=org, role=AffiliationRole.STAFF)
    by_email = admin_client.post(
        "/staff/partners/people/new/",
        {"first_name": "Joanne", "last_name": "Bloggs", "email": "JO@example.org"},
    )
    body = by_email.content.decode()
    assert "Is it one of these people?" in body and f"/staff/partners/people/{known.pk}/" in body
    assert "E-mail address: Jo Bloggs has this e-mail address" in body
    by_name = admin_client.post(
        "/staff/partners/people/new/",
        {
            "first_name": "jo",
            "last_name": "bloggs",
            "email": "jo.b@example.org",
            "organisation": org.pk,
        },
    )
    assert "Someone with this name is in the directory already" in by_name.content.decode()
    assert Person.objects.count() == 1
    confirmed = admin_client.post(
        "/staff/partners/people/new/",
        {
            "first_name": "Jo",
            "last_name": "Bloggs",
            "email": "jo.b@example.org",
            "organisation": org.pk,
            "role": "volunteer",
            "confirmed_new": "on",
        },
    )
    new = Person.objects.get(email="jo.b@example.org")
    assert confirmed.status_code == 302
    assert new.affiliations.get().role == AffiliationRole.VOLUNTEER


def test_a_bad_affiliation_saves_nothing(admin_client):
    person = PersonFactory()
    org = OrganisationFactory()
    response = admin_client.post(
        f"/staff/partners/people/{person.pk}/affiliations/new/",
        {
            "organisation": org.pk,
            "role": "staff",
            "start_date": "2026-03-01",
            "end_date": "2026-01-01",
        },
    )
    assert "To: The end date is before the start date." in response.content.decode()
    assert not Affiliation.objects.exists()


def test_merge_keeps_every_completion_affiliation_leadership_period_and_dispatch(admin_client):
    keeper = PersonFactory(first_name="Sam", last_name="Doe", email="sam@example.org", phone="")
    other = PersonFactory(
        first_name="Samuel",
        last_name="Doe",
        email="sam.doe@work.example.org",
        phone="0113 496 0000",
    )
    org = OrganisationFactory()
    AffiliationFactory(person=other, organisation=org, role=AffiliationRole.STAFF)
    make_trained_facilitator(other, completed_on=datetime.date(2025, 6, 1))
    meeting = make_meeting(
        started_on=datetime.date(2025, 7, 1), led="peer_led", facilitators=[other]
    )
    make_dispatch({make_item("leaflet", stock=10): 1}, person=other)
    response = admin_client.get(
        f"/staff/partners/people/{keeper.pk}/merge/", {"other": other.email}
    )
    assert b"will be merged into" in response.content
    done = admin_client.post(
        f"/staff/partners/people/{keeper.pk}/merge/", {"other": str(other.pk), "confirm": "1"}
    )
    assert done.status_code == 302
    assert not Person.objects.filter(pk=other.pk).exists()
    keeper.refresh_from_db()
    assert keeper.phone == "0113 496 0000" and keeper.email == "sam@example.org"
    assert keeper.affiliations.filter(organisation=org).exists()
    assert keeper.completions.count() == 1
    assert keeper in LeadershipPeriod.objects.filter(meeting=meeting).get().facilitators.all()
    assert Dispatch.objects.get().person == keeper
    # Audited: the deletion and the change, with who did it and why.
    deleted = Person.history.filter(id=other.pk, history_type="-").get()
    assert deleted.history_user.email == "setup.admin@example.org"
    assert f"merged person {other.pk}" in deleted.history_change_reason


def test_both_signing_in_is_refused_and_nothing_moves(admin_client):
    keeper = PersonFactory(user=UserFactory(role=Role.PARTNER_CONTACT))
    other = PersonFactory(user=UserFactory(role=Role.PARTNER_CONTACT))
    AffiliationFactory(person=other, organisation=OrganisationFactory(), role=AffiliationRole.STAFF)
    with pytest.raises(Exception, match="deactivate one account first"):
        services.person_merge(keeper=keeper, other=other)
    assert other.affiliations.count() == 1
