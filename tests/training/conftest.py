"""Training fixtures: uploaded files go to a temporary MEDIA_ROOT, and
``moodle_world`` holds the people and courses the fixture exports name."""

import datetime
from pathlib import Path

import pytest

from partners.models import AffiliationRole
from tests.factories import AffiliationFactory, OrganisationFactory, PersonFactory
from tests.partners.factories import make_partner
from tests.training.factories import (
    champion_course,
    facilitator_course,
    intro_course,
    make_peer,
)
from training import services
from training.models import MoodleCourse

FIXTURES = Path(__file__).parent / "fixtures"
D = datetime.date


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.fixture
def moodle_world(db):
    """Alpha Recovery is a partner through 2014; Nowhere Trust never is."""
    alpha = make_partner(
        OrganisationFactory(name="Alpha Recovery Services", slug="alpha-rs"),
        signed_on=D(2013, 12, 1),
        start=D(2014, 1, 1),
        end=D(2014, 12, 31),
    ).organisation
    nowhere = OrganisationFactory(name="Nowhere Trust", slug="nowhere-trust")
    people = {}
    for key, email, org in [
        ("alice", "alice.ashworth@alpha.example", alpha),
        ("bob", "bob.bramley@alpha.example", alpha),
        ("carol", "carol.cheung@alpha.example", alpha),
        ("eve", "eve.evans@alpha.example", alpha),
        ("fay", "fay.fletcher@alpha.example", alpha),
        ("gus", "gus.grant@nowhere.example", nowhere),
        ("hal", "hal.hughes@alpha.example", alpha),
        ("zoe", "zoe.muller@alpha.example", alpha),
        ("tom", "tom.tate@alpha.example", alpha),
    ]:
        person = PersonFactory(first_name=key.title(), email=email)
        AffiliationFactory(
            person=person, organisation=org, role=AffiliationRole.STAFF, start_date=D(2013, 1, 1)
        )
        people[key] = person
    people["dev"] = PersonFactory(first_name="Dev", email="dev.okafor@example.org")
    services.profile_update(person=people["dev"], moodle_idnumber="SR-0042")
    for key, email in [
        ("pat", "pat.peer@example.org"),
        ("quinn", "quinn.quayle@example.org"),
        ("rita", "rita.rowe@example.org"),
        ("sam", "sam.stone@example.org"),
    ]:
        people[key] = make_peer(first_name=key.title(), email=email)
    intro = intro_course()
    MoodleCourse.objects.get_or_create(shortname="SRUK-INTRO", course=intro)
    return {
        "alpha": alpha,
        "nowhere": nowhere,
        "people": people,
        "intro": intro,
        "champion": champion_course(),
        "facilitator": facilitator_course(),
    }
