"""The directory's people (partners.services.people): affiliations, contacts, accounts."""

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from partners import services
from partners.models import Affiliation, AffiliationRole, Person
from smartnet.models import User
from smartnet.roles import Role
from tests.factories import AffiliationFactory, OrganisationFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db
D = datetime.date


# --- Affiliations and contacts ----------------------------------------------------------------


def test_affiliation_set_primary_ends_the_old_one():
    person = PersonFactory()
    old = AffiliationFactory(person=person, is_primary=True, start_date=D(2020, 1, 1))
    new = AffiliationFactory(person=person, start_date=D(2024, 1, 1))
    services.affiliation_set_primary(affiliation=new, today=D(2025, 2, 1))
    old.refresh_from_db()
    new.refresh_from_db()
    assert new.is_primary and old.end_date == D(2025, 1, 31)
    assert not old.is_current


def test_contact_set_replaces_previous_holder():
    org = OrganisationFactory()
    first = services.contact_set(
        organisation=org,
        role=AffiliationRole.BILLING_CONTACT,
        first_name="Ann",
        last_name="Bell",
        email="ann@x.example",
        today=D(2025, 1, 1),
    )
    second = services.contact_set(
        organisation=org,
        role=AffiliationRole.BILLING_CONTACT,
        first_name="Bob",
        last_name="Cole",
        email="BOB@x.example",
        today=D(2025, 3, 1),
    )
    first.refresh_from_db()
    assert first.end_date == D(2025, 2, 28)
    assert second.person.email == "bob@x.example"
    assert Affiliation.objects.current(D(2025, 3, 1)).filter(organisation=org).count() == 1


# --- Sign-in accounts ------------------------------------------------------------------------


def test_person_account_ensure_makes_one_account_without_a_password():
    person = PersonFactory(email="Fern@Example.org")
    user = services.person_account_ensure(person=person, role=Role.FACILITATOR)
    assert (user.email, user.role, user.full_name) == (
        "fern@example.org",
        Role.FACILITATOR,
        person.full_name,
    )
    assert not user.has_usable_password()
    assert Person.objects.get(pk=person.pk).user == user
    assert person.user == user


def test_person_account_ensure_twice_returns_the_same_account():
    person = PersonFactory()
    first = services.person_account_ensure(person=person, role=Role.FACILITATOR)
    stale = Person.objects.get(pk=person.pk)
    again = services.person_account_ensure(person=stale, role=Role.FACILITATOR)
    assert again == first
    assert User.objects.count() == 1


def test_person_account_ensure_returns_an_existing_account_unchanged():
    """The role is the caller's question: an account the person has keeps its role."""
    staff = UserFactory(role=Role.STAFF_ADMIN)
    person = PersonFactory(user=staff)
    assert services.person_account_ensure(person=person, role=Role.FACILITATOR) == staff
    staff.refresh_from_db()
    assert staff.role == Role.STAFF_ADMIN
    assert User.objects.count() == 1


def test_person_account_ensure_ties_the_account_with_their_email():
    """Accounts sign in by e-mail: the untied account with the person's e-mail is theirs."""
    account = UserFactory(email="kim@example.org", role=Role.FACILITATOR)
    person = PersonFactory(email="kim@example.org")
    assert services.person_account_ensure(person=person, role=Role.FACILITATOR) == account
    assert Person.objects.get(pk=person.pk).user == account
    assert User.objects.count() == 1


def test_person_account_ensure_refuses_an_email_that_is_another_persons_sign_in():
    account = UserFactory(email="sam@example.org")
    PersonFactory(email="other@example.org", user=account)
    # The directory allows one person per e-mail; the account's e-mail can still drift.
    person = PersonFactory(email="sam@example.org")
    with pytest.raises(ValidationError) as refused:
        services.person_account_ensure(person=person, role=Role.FACILITATOR)
    assert "email" in refused.value.message_dict
    assert "sam@example.org" in refused.value.message_dict["email"][0]
    assert Person.objects.get(pk=person.pk).user is None
    assert User.objects.count() == 1


@pytest.mark.parametrize("anonymised", [False, True])
def test_person_account_ensure_refuses_a_person_without_email(anonymised):
    person = PersonFactory(email="")
    if anonymised:
        person.first_name, person.last_name = "Erased", f"person {person.pk}"
        person.anonymised_at = person.created_at
        person.save()
    with pytest.raises(ValidationError) as refused:
        services.person_account_ensure(person=person, role=Role.FACILITATOR)
    assert list(refused.value.message_dict) == ["email"]
    assert not User.objects.exists()


def test_no_module_makes_an_account_for_a_person_but_person_account_ensure():
    """One home for account creation: no app module makes a User or ties one to a
    Person except partners.services.people (the user manager itself and the seeded
    demo logins aside; erasure unties with ``person.user = None``)."""
    root = Path(settings.BASE_DIR)
    makes_account = re.compile(
        r"create_user\(|create_superuser\(|User\.objects\.(create|get_or_create|update_or_create"
        r"|bulk_create)\b|\bUser\(|\.user\s*=(?!=)(?!\s*None\b)"
    )
    allowed = {Path("partners/services/people.py"), Path("smartnet/models.py")}
    offenders = [
        str(rel)
        for path in root.glob("*/**/*.py")
        if (rel := path.relative_to(root)).parts[0] not in {".venv", "tests", "bench"}
        and "migrations" not in rel.parts
        and rel.name != "demo.py"
        and rel not in allowed
        and makes_account.search(path.read_text())
    ]
    assert offenders == []
