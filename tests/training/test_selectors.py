"""The contract selectors other apps call, and the facilitator_trained signal."""

import datetime

import pytest

from partners.models import AffiliationRole
from tests.factories import AffiliationFactory, OrganisationFactory, PersonFactory
from tests.training.factories import make_peer, make_trained_facilitator
from training import selectors, services
from training.postal import PostalAddress
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
    assert selectors.delivery_address(person_id=person.pk) == PostalAddress(
        address_line_1="1 Main Road", address_line_2="", town="Leeds", postcode="LS1 4AP"
    )


# --- The people search (staff people page) ---------------------------------------------


def test_people_search_matches_every_word_and_hides_peers_from_roles_that_may_not_see_them(
    world, django_assert_num_queries
):

    org = OrganisationFactory(name="Alpha Recovery")
    ann = AffiliationFactory(
        person__first_name="Ann",
        person__last_name="Smith",
        person__email="ann@alpha.example",
        organisation=org,
        role=AffiliationRole.STAFF,
        start_date=D(2013, 1, 1),
    ).person
    bob = PersonFactory(first_name="Bob", last_name="Smith", email="bob@elsewhere.example")
    peer = make_peer(first_name="Petra", last_name="Smith")
    training, finance = world.users["training"], world.users["finance"]

    def names(user, q):
        return [p.first_name for p in selectors.people_search(user=user, q=q)]

    assert names(training, "smith") == ["Ann", "Bob", "Petra"]
    assert names(training, "smith alpha") == ["Ann"]  # every word, any of the three fields
    assert names(finance, "smith") == ["Ann", "Bob"]  # peers left out for finance
    assert names(training, "nobody") == []
    with django_assert_num_queries(2):  # the people, then their current ties
        found = {p.pk: p for p in selectors.people_search(user=training, q="smith")}
    assert [t.organisation.name for t in found[ann.pk].current_ties] == ["Alpha Recovery"]
    assert found[bob.pk].current_ties == []
    assert not found[ann.pk].is_champion and not found[peer.pk].is_facilitator
