"""The contract selectors other apps call, and the facilitator_trained signal."""

import datetime

import pytest

from tests.factories import PersonFactory
from tests.training.factories import make_peer, make_trained_facilitator
from training import selectors, services
from training.signals import facilitator_trained

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def received():
    calls = []

    def receiver(sender, **kwargs):
        calls.append(kwargs)

    facilitator_trained.connect(receiver)
    yield calls
    facilitator_trained.disconnect(receiver)


def test_trained_facilitator_is_derived_from_the_completion_date():
    person = make_trained_facilitator(completed_on=D(2014, 3, 1))
    other = PersonFactory()
    assert selectors.is_trained_facilitator(person_id=person.pk, on=D(2014, 3, 1))
    assert not selectors.is_trained_facilitator(person_id=person.pk, on=D(2014, 2, 28))
    assert not selectors.is_trained_facilitator(person_id=other.pk)
    assert selectors.trained_facilitator_ids(person_ids=[person.pk, other.pk]) == {person.pk}
    assert selectors.trained_facilitator_ids(on=D(2014, 2, 1)) == set()
    assert selectors.facilitator_count(on=D(2014, 3, 1)) == 1
    assert selectors.facilitator_count(on=D(2014, 2, 28)) == 0


def test_facilitator_count_counts_people_not_completions():
    person = make_trained_facilitator(completed_on=D(2014, 3, 1))
    make_trained_facilitator(person, completed_on=D(2016, 3, 1))  # a refresher
    assert selectors.facilitator_count(on=D(2017, 1, 1)) == 1


def test_signal_is_sent_in_the_transaction_once_per_person(
    received, django_capture_on_commit_callbacks
):
    """Sent inside the transaction (so what receivers queue commits with the
    completion), once per person however often they complete the course."""
    with django_capture_on_commit_callbacks(execute=True):
        person = make_trained_facilitator(completed_on=D(2014, 3, 1))
        assert len(received) == 1  # before commit: the outbox row rides with it
    assert received == [
        {
            "person_id": person.pk,
            "completion_id": person.completions.get().pk,
            "signal": facilitator_trained,
        }
    ]
    with django_capture_on_commit_callbacks(execute=True):
        make_trained_facilitator(person, completed_on=D(2016, 3, 1))
    assert len(received) == 1


def test_recording_the_same_completion_twice_adds_nothing_and_signals_once(
    received, django_capture_on_commit_callbacks
):
    person = make_peer()
    with django_capture_on_commit_callbacks(execute=True):
        make_trained_facilitator(person, completed_on=D(2014, 3, 1))
        make_trained_facilitator(person, completed_on=D(2014, 3, 1))
    assert person.completions.count() == 1
    assert len(received) == 1


def test_delivery_address_only_with_consent():
    person = PersonFactory()
    assert selectors.delivery_address(person_id=person.pk) is None
    services.profile_update(
        person=person, address_line_1="1 Main Road", town="Leeds", postcode="ls1 4ap"
    )
    assert selectors.delivery_address(person_id=person.pk) is None  # no consent yet
    services.profile_update(person=person, consent_to_contact=True)
    assert selectors.delivery_address(person_id=person.pk) == {
        "line1": "1 Main Road",
        "line2": "",
        "town": "Leeds",
        "postcode": "LS1 4AP",
    }
