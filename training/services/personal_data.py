"""A person's training data, registered with ``partners.personal_data``."""

from __future__ import annotations

from django.db.models import Q

from partners.models import Person
from training.models import (
    Completion,
    Enrolment,
    ImportRejection,
    TrainingProfile,
)
from training.services.matches import possible_matches_erase

# --- Personal data (registered with partners.personal_data) -------------------------------


def personal_data_export(person_id: int) -> dict:
    """What training holds about a person, for a subject access request."""
    profile = TrainingProfile.objects.filter(person_id=person_id).first()
    return {
        "profile": None
        if profile is None
        else {
            "peer": profile.is_peer,
            "consent_to_contact": profile.consent_to_contact,
            "consent_recorded_on": profile.consent_recorded_on.isoformat()
            if profile.consent_recorded_on
            else None,
            "address": [
                profile.address_line_1,
                profile.address_line_2,
                profile.town,
                profile.postcode,
            ],
            "moodle_idnumber": profile.moodle_idnumber,
            "moodle_username": profile.moodle_username,
        },
        "completions": [
            {
                "course": c.course.title,
                "completed_on": c.completed_on.isoformat(),
                "score": str(c.score) if c.score is not None else None,
                "source": c.get_source_display(),
                "certificate_number": c.certificate_number,
            }
            for c in Completion.objects.filter(person_id=person_id).select_related("course")
        ],
        "enrolments": [
            {"course": e.course.title, "enrolled_on": e.enrolled_on.isoformat()}
            for e in Enrolment.objects.filter(person_id=person_id).select_related("course")
        ],
    }


def personal_data_erase(person_id: int) -> dict[str, int]:
    """Remove the address, Moodle ids and peer status, and the raw rows of Moodle
    imports that were theirs (a rejected row's excerpt holds their whole line:
    name, e-mail, ids); completions stay (counted in figures) but no longer name
    anyone once partners blanks the Person."""
    person = Person.objects.get(pk=person_id)
    profile = TrainingProfile.objects.filter(person_id=person_id).first()
    # The e-mail and the Moodle username pick out their rows; an ID number is
    # too short to search for without catching other people's lines.
    marks = [person.email, profile.moodle_username if profile is not None else ""]
    theirs = Q()
    for mark in (m.strip() for m in marks if m and len(m.strip()) > 3):
        theirs |= Q(excerpt__icontains=mark)
    excerpts = ImportRejection.objects.filter(theirs).update(excerpt="") if theirs else 0
    profiles = TrainingProfile.objects.filter(person_id=person_id).update(
        is_peer=False,
        consent_to_contact=False,
        consent_recorded_on=None,
        address_line_1="",
        address_line_2="",
        town="",
        postcode="",
        moodle_user_id=None,
        moodle_username="",
        moodle_idnumber="",
    )
    matches = possible_matches_erase(person_id)
    return {
        "training profile": profiles,
        "Moodle import rows": excerpts,
        "possible matches": matches,
    }
