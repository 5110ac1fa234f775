"""smartnet.bulk: the ``__any`` lookup answers as ``__in`` does, and rows
inserted as plain values (with their history) read back as the ORM writes them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partners.models import Person, PersonSource
from smartnet.bulk import create_with_history, insert_rows, insert_values
from tests.factories import PersonFactory
from training.models import TrainingProfile

pytestmark = pytest.mark.django_db


def test_any_matches_as_in_does_and_sends_one_parameter():
    people = [PersonFactory() for _ in range(5)]
    ids = [p.pk for p in people[:3]]
    with CaptureQueriesContext(connection) as ctx:
        found = set(Person.objects.filter(pk__any=ids).values_list("pk", flat=True))
    assert found == set(Person.objects.filter(pk__in=ids).values_list("pk", flat=True)) == set(ids)
    if connection.vendor == "postgresql":
        assert "= ANY(" in ctx.captured_queries[0]["sql"]
    # A foreign key, an expression and an empty list.
    TrainingProfile.objects.create(person=people[0], is_peer=True)
    assert list(TrainingProfile.objects.filter(person_id__any=ids).values_list("person", flat=True))
    assert not Person.objects.filter(pk__any=[]).exists()
    assert Person.objects.exclude(pk__any=ids).count() == 2
    assert Person.objects.filter(email__any=[people[3].email]).get() == people[3]


def test_create_with_history_writes_rows_and_created_records():
    before = Person.history.count()
    ids = create_with_history(
        Person,
        [
            {"first_name": "Ada", "last_name": "One", "email": "ada@example.org"},
            {"first_name": "Bo", "last_name": "Two", "email": "bo@example.org", "source": "moodle"},
        ],
    )
    ada, bo = (Person.objects.get(pk=pk) for pk in ids)
    assert (ada.email, bo.source) == ("ada@example.org", "moodle")
    assert ada.source == PersonSource.DIRECTORY
    assert ada.created_at is not None and ada.phone == "" and ada.anonymised_at is None
    assert Person.history.count() == before + 2
    record = bo.history.get()
    assert (record.history_type, record.id, record.last_name, record.source) == (
        "+",
        bo.pk,
        "Two",
        "moodle",
    )
    assert record.history_user is None and record.history_change_reason is None
    assert create_with_history(Person, []) == []


def test_insert_values_defaults_and_insert_rows_skipping_conflicts():
    person = PersonFactory()
    (pk,) = insert_values(TrainingProfile, [{"person_id": person.pk, "moodle_username": "ab"}])
    profile = TrainingProfile.objects.get(pk=pk)
    assert (profile.is_peer, profile.consent_to_contact, profile.town) == (False, False, "")
    # The same person again breaks the one-profile key: skipped, not raised.
    fields = ["person_id", "is_peer", "consent_to_contact", "town", "postcode"]
    fields += ["address_line_1", "address_line_2", "moodle_username", "moodle_idnumber"]
    row = (person.pk, True, False, "", "", "", "", "", "")
    insert_rows(TrainingProfile, fields, [row], skip_conflicts=True)
    assert TrainingProfile.objects.filter(person=person).count() == 1
    with pytest.raises(ValueError, match="no id"):
        insert_rows(TrainingProfile, fields, [row], skip_conflicts=True, returning_ids=True)
    assert not TrainingProfile.objects.get(person=person).is_peer  # the first one kept
