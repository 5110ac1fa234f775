"""Who gets what from every training URL (see tests/access.py)."""

import datetime

from partners.models import AffiliationRole
from tests.access import EVERYONE, OTHER_PARTNER, PEER_VIEWERS, STAFF, Case
from tests.factories import AffiliationFactory, PersonFactory
from tests.training.factories import intro_course
from training import services
from training.models import ImportJob, ImportStatus, PossibleMatch

TRAINING_ADMIN = frozenset({"training", "staff_admin"})
D = datetime.date


def _staff_completion(world):
    """A completion of the intro course by a current staff member of org_a."""

    person = AffiliationFactory(organisation=world.org_a, role=AffiliationRole.STAFF).person
    return services.completion_record(
        person=person, course=intro_course(), completed_on=D(2014, 3, 1)
    )


def _person(world) -> str:
    return f"/staff/training/people/{_staff_completion(world).person_id}/"


def _event(world) -> str:

    event = services.event_create(
        course=intro_course(), held_on=D(2014, 5, 1), venue="Leeds hub", capacity=10
    )
    return f"/staff/training/events/{event.pk}/"


def _import_job(world) -> int:

    job = ImportJob.objects.create(
        original_name="export.csv", status=ImportStatus.DONE, layout="long"
    )
    job.rejections.create(line=3, reason="unknown course 'X'")
    return job.pk


CASES = {
    "training:certificate_lookup": Case("/training/certificates/", allow=EVERYONE),
    "training:certificate_verify": Case(
        lambda w: f"/training/certificates/{_staff_completion(w).verification_code}/",
        allow=EVERYONE,
    ),
    "training_staff:people": Case("/staff/training/people/", allow=STAFF, peer_names=PEER_VIEWERS),
    "training_staff:person": Case(_person, allow=STAFF, peer_names=PEER_VIEWERS),
    "training_staff:person_profile": Case(
        lambda w: _person(w) + "profile/", allow=TRAINING_ADMIN, peer_names=PEER_VIEWERS
    ),
    # Empty forms: the allowed roles get the form back with its errors (400).
    "training_staff:person_completion_add": Case(
        lambda w: _person(w) + "completions/",
        allow=TRAINING_ADMIN,
        method="post",
        ok=400,
        peer_names=PEER_VIEWERS,
    ),
    "training_staff:person_enrol": Case(
        lambda w: _person(w) + "enrol/",
        allow=TRAINING_ADMIN,
        method="post",
        ok=400,
        peer_names=PEER_VIEWERS,
    ),
    "training_staff:certificate": Case(
        lambda w: f"/staff/training/completions/{_staff_completion(w).pk}/certificate.pdf",
        allow=STAFF,
        peer_names=PEER_VIEWERS,
    ),
    "training_staff:courses": Case("/staff/training/courses/", allow=STAFF),
    "training_staff:course_map": Case(
        "/staff/training/courses/map/", allow=TRAINING_ADMIN, method="post", ok=400
    ),
    "training_staff:imports": Case("/staff/training/imports/", allow=TRAINING_ADMIN),
    "training_staff:import_detail": Case(
        lambda w: f"/staff/training/imports/{_import_job(w)}/", allow=TRAINING_ADMIN
    ),
    "training_staff:import_rejections_csv": Case(
        lambda w: f"/staff/training/imports/{_import_job(w)}/rejected.csv", allow=TRAINING_ADMIN
    ),
    "training_staff:events": Case("/staff/training/events/", allow=STAFF),
    "training_staff:event_detail": Case(_event, allow=STAFF, peer_names=PEER_VIEWERS),
    # POST only. Empty forms: the allowed roles get the page back with its errors (400);
    # attendance with nobody ticked goes back to the event with a message.
    "training_staff:event_new": Case(
        "/staff/training/events/new/", allow=TRAINING_ADMIN, method="post", ok=400
    ),
    "training_staff:event_book": Case(
        lambda w: _event(w) + "book/",
        allow=TRAINING_ADMIN,
        method="post",
        ok=400,
        peer_names=PEER_VIEWERS,
    ),
    "training_staff:event_attendance": Case(
        lambda w: _event(w) + "attendance/",
        allow=TRAINING_ADMIN,
        method="post",
        ok=302,
        peer_names=PEER_VIEWERS,
    ),
    "training_staff:champions": Case("/staff/training/champions/", allow=STAFF),
    "training_staff:champions_csv": Case("/staff/training/champions.csv", allow=STAFF),
    "training_staff:mobility": Case("/staff/training/mobility/", allow=STAFF),
    "training_portal:home": Case(
        "/portal/training/",
        allow=frozenset({"partner_contact", "commissioner_contact", OTHER_PARTNER}),
    ),
    # org_a's staff member's certificate: another organisation's contact gets 404.
    "training_portal:certificate": Case(
        lambda w: f"/portal/training/completions/{_staff_completion(w).pk}/certificate.pdf",
        allow=frozenset({"partner_contact"}),
        overrides={OTHER_PARTNER: 404, "commissioner_contact": 404},
    ),
}


def _possible_match(world) -> int:
    new = PersonFactory(first_name="Nia", last_name="Newton", source="moodle")
    old = PersonFactory(first_name="Nia", last_name="Newton")
    return PossibleMatch.objects.create(person=new, candidate=old).pk


CASES.update(
    {
        # Set-up of courses (and their access rule): training staff and the staff admin.
        "training_staff:course_new": Case("/staff/training/courses/new/", allow=TRAINING_ADMIN),
        "training_staff:course_edit": Case(
            lambda w: f"/staff/training/courses/{intro_course().pk}/edit/", allow=TRAINING_ADMIN
        ),
        # Learners new from Moodle who share a name with someone: peer viewers alone.
        "training_staff:possible_matches": Case(
            "/staff/training/matches/", allow=TRAINING_ADMIN, peer_names=PEER_VIEWERS
        ),
        "training_staff:possible_match_decide": Case(
            lambda w: f"/staff/training/matches/{_possible_match(w)}/decide/",
            allow=TRAINING_ADMIN,
            method="post",
            ok=302,
            data={"decision": "different"},
        ),
    }
)
