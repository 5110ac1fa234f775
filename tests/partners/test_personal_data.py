import pytest

from partners import personal_data
from partners.models import Affiliation, Person
from smartnet.models import User
from tests.factories import AffiliationFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def extra_section():
    held = {}

    def export(person_id):
        return held.get(person_id)

    def erase(person_id):
        held.pop(person_id, None)

    personal_data.register("test_section", export=export, erase=erase)
    yield held
    personal_data._SECTIONS.pop("test_section")


def test_export_holds_the_person_their_affiliations_and_every_registered_section(extra_section):
    person = PersonFactory(first_name="Robin", last_name="Hart", email="robin@example.org")
    AffiliationFactory(person=person)
    extra_section[person.pk] = {"address": "1 Lane"}
    data = personal_data.person_export(person_id=person.pk)
    assert data["person"]["email"] == "robin@example.org"
    assert len(data["affiliations"]) == 1
    assert data["test_section"] == {"address": "1 Lane"}


def test_erasure_anonymises_keeps_the_row_and_asks_every_app(extra_section):
    user = UserFactory(role="facilitator")
    person = PersonFactory(
        first_name="Robin", last_name="Hart", email="robin@example.org", user=user
    )
    AffiliationFactory(person=person)
    extra_section[person.pk] = {"address": "1 Lane"}

    personal_data.person_erase(person_id=person.pk)

    person = Person.objects.get(pk=person.pk)
    assert (person.first_name, person.email, person.phone, person.user) == ("Erased", "", "", None)
    assert person.anonymised_at is not None
    assert Affiliation.objects.filter(person=person).count() == 1  # counts kept
    assert person.pk not in extra_section
    user = User.objects.get(pk=user.pk)
    assert not user.is_active
    assert not user.has_usable_password()
    assert "robin" not in user.email


def test_erasure_is_all_or_nothing(extra_section):
    person = PersonFactory(first_name="Robin", email="robin@example.org")

    def failing(person_id):
        raise RuntimeError("an app could not erase")

    personal_data.register("zz_failing", export=lambda pk: None, erase=failing)
    try:
        with pytest.raises(RuntimeError):
            personal_data.person_erase(person_id=person.pk)
    finally:
        personal_data._SECTIONS.pop("zz_failing")
    person.refresh_from_db()
    assert person.first_name == "Robin"
    assert person.anonymised_at is None
