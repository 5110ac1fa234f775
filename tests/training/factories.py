"""Factories for training: courses and completions, and the contract helper
``make_trained_facilitator`` used by meetings and materials tests."""

from __future__ import annotations

import datetime

import factory
from factory.django import DjangoModelFactory

from partners.models import Person
from tests.factories import PersonFactory
from training import eligibility, services
from training.models import AccessRule, Audience, Award, Course, Delivery, MoodleCourse


class CourseFactory(DjangoModelFactory):
    class Meta:
        model = Course
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"course-{n}")
    title = factory.Sequence(lambda n: f"Course {n}")
    delivery = Delivery.ONLINE
    audience = Audience.PROFESSIONALS
    access_rule = AccessRule.PARTNER_STAFF
    awards = Award.NONE
    validity_months = None


def intro_course() -> Course:
    return CourseFactory(
        code="intro",
        title="Introduction to SMART Recovery",
        audience=Audience.ANYONE,
        access_rule=AccessRule.OPEN,
    )


def champion_course() -> Course:
    course = CourseFactory(
        code="champion",
        title="SMART Recovery Champion",
        audience=Audience.PROFESSIONALS,
        access_rule=AccessRule.PARTNER_STAFF,
        awards=Award.CHAMPION,
        validity_months=36,
    )
    MoodleCourse.objects.get_or_create(shortname="SRUK-CHAMP", course=course)
    return course


def facilitator_course() -> Course:
    course = CourseFactory(
        code="facilitator",
        title="SMART Recovery Facilitator Training",
        audience=Audience.FACILITATORS,
        access_rule=AccessRule.PEERS_OR_PARTNER_STAFF,
        awards=Award.FACILITATOR,
        validity_months=24,
    )
    MoodleCourse.objects.get_or_create(shortname="SRUK-FAC", course=course)
    return course


def trainer_course() -> Course:
    return CourseFactory(
        code="trainer",
        title="Training the Trainer",
        delivery=Delivery.TRAIN_THE_TRAINER,
        audience=Audience.TRAINERS,
        access_rule=AccessRule.PEERS_OR_PARTNER_STAFF,
        awards=Award.TRAINER,
    )


def make_peer(person: Person | None = None, **person_fields) -> Person:
    person = person or PersonFactory(**person_fields)
    services.profile_update(person=person, is_peer=True)
    return person


def make_trained_facilitator(
    person: Person | None = None, *, completed_on: datetime.date
) -> Person:
    """A person (a new peer unless given) with a facilitator training completion
    on ``completed_on``, recorded through the service (so the signal is sent)."""
    if person is None:
        person = make_peer()
    elif not hasattr(person, "training_profile") or not person.training_profile.is_peer:
        # Peers train free; anyone else must meet the access rule, so mark them a peer
        # only if they are not partner staff (the service decides either way).
        decision = eligibility.may_take(course=facilitator_course(), person=person, on=completed_on)
        if not decision.allowed:
            make_peer(person)
    services.completion_record(
        person=person, course=facilitator_course(), completed_on=completed_on
    )
    return person
