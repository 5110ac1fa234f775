"""Factories for the core and the partners base (users, areas, organisations,
sites, people, affiliations). Each app adds its own in tests/<app>/factories.py."""

import datetime

import factory
from factory.django import DjangoModelFactory

from partners.models import (
    Affiliation,
    AffiliationRole,
    Area,
    Nation,
    Organisation,
    OrganisationKind,
    Person,
    Site,
    SiteType,
)
from smartnet.models import User
from smartnet.roles import Role

PASSWORD = "correct-horse-battery-staple"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["email"]
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    full_name = factory.Faker("name", locale="en_GB")
    role = Role.STAFF_ADMIN

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or PASSWORD)
        if create:
            self.save(update_fields=["password"])


class AreaFactory(DjangoModelFactory):
    class Meta:
        model = Area
        django_get_or_create = ["ons_code"]

    ons_code = factory.Sequence(lambda n: f"E0{6000000 + n}")
    name = factory.Sequence(lambda n: f"Borough {n}")
    nation = Nation.ENGLAND
    region = "North West"
    population = 250_000


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Recovery Services {n}")
    slug = factory.Sequence(lambda n: f"recovery-services-{n}")
    kind = OrganisationKind.TREATMENT_PROVIDER
    charity_number = factory.Sequence(lambda n: f"{1100000 + n}")


class CommissionerFactory(OrganisationFactory):
    name = factory.Sequence(lambda n: f"County Council {n}")
    slug = factory.Sequence(lambda n: f"county-council-{n}")
    kind = OrganisationKind.COMMISSIONER
    charity_number = ""


class SiteFactory(DjangoModelFactory):
    class Meta:
        model = Site

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Treatment Centre {n}")
    address_line_1 = factory.Sequence(lambda n: f"{n} High Street")
    town = "Manchester"
    postcode = "M1 1AA"
    area = factory.SubFactory(AreaFactory)
    site_type = SiteType.COMMUNITY
    latitude = factory.LazyFunction(lambda: __import__("decimal").Decimal("53.48076"))
    longitude = factory.LazyFunction(lambda: __import__("decimal").Decimal("-2.24263"))


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = Person

    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    email = factory.Sequence(lambda n: f"person{n}@example.org")


class AffiliationFactory(DjangoModelFactory):
    class Meta:
        model = Affiliation

    person = factory.SubFactory(PersonFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = AffiliationRole.STAFF
    start_date = datetime.date(2012, 1, 1)
    end_date = None
    is_primary = False


def portal_user(
    organisation: Organisation, *, role: str = Role.PARTNER_CONTACT, email=None
) -> User:
    """A portal user who is a current main contact of ``organisation``."""
    user = UserFactory(role=role, **({"email": email} if email else {}))
    person = PersonFactory(user=user, email=user.email)
    AffiliationFactory(person=person, organisation=organisation, role=AffiliationRole.MAIN_CONTACT)
    return user
