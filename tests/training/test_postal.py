"""The postal address value shared by training and materials (``training.postal``)."""

import datetime

import pytest

from materials.models import Dispatch
from tests.factories import PersonFactory
from tests.training.factories import make_trained_facilitator
from training import postal, selectors, services
from training.models import TrainingProfile
from training.postal import PostalAddress


@pytest.mark.parametrize("model", [TrainingProfile, Dispatch])
def test_both_apps_store_an_address_in_the_same_four_fields(model):
    names = {f.name for f in model._meta.get_fields()}
    assert set(postal.FIELDS) <= names


def test_as_fields_uses_the_model_field_names():
    address = PostalAddress("1 Main Road", "Flat 2", "Leeds", "LS1 4AP")
    assert address.as_fields() == {
        "address_line_1": "1 Main Road",
        "address_line_2": "Flat 2",
        "town": "Leeds",
        "postcode": "LS1 4AP",
    }
    assert PostalAddress.of(Dispatch(**address.as_fields())) == address


@pytest.mark.django_db
def test_every_part_of_a_training_address_reaches_the_parcel(django_capture_on_commit_callbacks):
    person = PersonFactory()
    services.profile_update(
        person=person,
        consent_to_contact=True,
        address_line_1="9 Mill Lane",
        address_line_2="Unit 3",
        town="Leeds",
        postcode="ls1 1aa",
    )
    address = selectors.delivery_address(person_id=person.pk)
    assert address == PostalAddress("9 Mill Lane", "Unit 3", "Leeds", "LS1 1AA")
    with django_capture_on_commit_callbacks(execute=True):
        make_trained_facilitator(person, completed_on=datetime.date(2026, 1, 5))
    assert PostalAddress.of(Dispatch.objects.get(person=person)) == address
