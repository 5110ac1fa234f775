"""Training profiles (peer flag, postal address, consent) and enrolments."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from partners.models import Person
from partners.validators import normalise_uk_postcode
from training.eligibility import may_take
from training.models import (
    Course,
    Enrolment,
    TrainingProfile,
)

# --- Profiles and enrolments ---------------------------------------------------------


def profile_for(*, person: Person) -> TrainingProfile:
    profile, _ = TrainingProfile.objects.get_or_create(person=person)
    return profile


@transaction.atomic
def profile_update(*, person: Person, **values) -> TrainingProfile:
    """Change training's facts about a person (peer flag, consent, address, Moodle ids)."""

    profile = profile_for(person=person)
    if values.get("postcode"):
        values["postcode"] = normalise_uk_postcode(values["postcode"])
    if values.get("consent_to_contact") and not profile.consent_to_contact:
        values.setdefault("consent_recorded_on", timezone.localdate())
    for name, value in values.items():
        setattr(profile, name, value)
    profile.full_clean()
    profile.save()
    return profile


@transaction.atomic
def enrolment_create(*, person: Person, course: Course, on: date | None = None) -> Enrolment:
    """Enrol a person, checking the access rule today; ValidationError says why not."""
    on = on or timezone.localdate()
    if not course.is_active:
        raise ValidationError({"course": f"Course {course.code} is no longer offered."})
    decision = may_take(course=course, person=person, on=on)
    if not decision.allowed:
        raise ValidationError({"course": f"{person.full_name} cannot enrol: {decision.reason}."})
    enrolment, _ = Enrolment.objects.get_or_create(
        person=person,
        course=course,
        defaults={"enrolled_on": on, "organisation_id": decision.organisation_id},
    )
    return enrolment
