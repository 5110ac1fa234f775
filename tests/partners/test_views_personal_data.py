import io

import pytest
from pypdf import PdfReader

from partners.models import Person
from smartnet.roles import Role
from tests.factories import AffiliationFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(role=Role.STAFF_ADMIN))
    return client


@pytest.fixture
def person():
    person = PersonFactory(first_name="Robin", last_name="Hartley", email="robin@example.org")
    AffiliationFactory(person=person)
    return person


def test_json_export_holds_the_person(admin_client, person):
    response = admin_client.get(f"/staff/partners/people/{person.pk}/data.json")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    data = response.json()
    assert data["person"]["email"] == "robin@example.org"
    assert len(data["affiliations"]) == 1


def test_pdf_export_reads_back_with_the_persons_details(admin_client, person):
    response = admin_client.get(f"/staff/partners/people/{person.pk}/data.pdf")
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Robin Hartley" in text
    assert "robin@example.org" in text


def test_erasure_needs_the_confirmation_word(admin_client, person):
    url = f"/staff/partners/people/{person.pk}/erase/"
    page = admin_client.get(url).content.decode()
    assert "Erase Robin Hartley?" in page and "cannot be undone" in page
    # Neither the word without the confirming POST nor the POST without the word.
    response = admin_client.post(url, {"confirm": "erase"})
    assert response.status_code == 200
    assert Person.objects.get(pk=person.pk).anonymised_at is None
    response = admin_client.post(url, {"confirm": "yes", "confirmed": "yes"})
    assert response.status_code == 200
    assert 'Type "erase" in the box' in response.content.decode().replace("&quot;", '"')
    assert Person.objects.get(pk=person.pk).anonymised_at is None


def test_erasure_anonymises_and_keeps_the_row(admin_client, person):
    response = admin_client.post(
        f"/staff/partners/people/{person.pk}/erase/", {"confirm": "erase", "confirmed": "yes"}
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.anonymised_at is not None
    assert person.email == ""
    page = admin_client.get(f"/staff/partners/people/{person.pk}/data/")
    assert b"robin@example.org" not in page.content
    assert b"was erased on" in page.content
