"""A page offers a form, button or link to another view only to the roles that
view admits (``smartnet.access.may_use``): for every staff role, the target's
URL is on the page exactly when the target's access-matrix case allows the role."""

import datetime

import pytest
from django.urls import reverse

from smartnet.roles import STAFF_ROLES
from tests.access import all_cases
from tests.factories import PersonFactory
from tests.meetings.factories import make_meeting
from tests.training.factories import intro_course
from training import services as training_services

pytestmark = pytest.mark.django_db

CASES = all_cases()


def _event():
    return training_services.event_create(
        course=intro_course(), held_on=datetime.date(2014, 5, 1), venue="Hub", capacity=5
    ).pk


# (page URL name, how to make its object, the targets it may offer)
PAGES = [
    (
        "training_staff:person",
        lambda: PersonFactory().pk,
        [
            "training_staff:person_profile",
            "training_staff:person_completion_add",
            "training_staff:person_enrol",
            "partners_staff:person_data",
        ],
    ),
    ("training_staff:courses", None, ["training_staff:course_map"]),
    ("training_staff:events", None, ["training_staff:event_new"]),
    (
        "training_staff:event_detail",
        _event,
        ["training_staff:event_book", "training_staff:event_attendance"],
    ),
    (
        "meetings_staff:detail",
        lambda: make_meeting(started_on=datetime.date(2014, 1, 6)).pk,
        ["meetings_staff:edit", "meetings_staff:leadership"],
    ),
]


@pytest.mark.parametrize(("page", "make", "targets"), PAGES, ids=[p[0] for p in PAGES])
def test_a_page_offers_only_what_its_targets_admit(world, client, page, make, targets):
    args = [make()] if make else []
    url = reverse(page, args=args)
    wrong = []
    for role in sorted(STAFF_ROLES):
        client.force_login(world.users[role])
        response = client.get(url)
        assert response.status_code in {200, 404}, (role, response.status_code)
        if response.status_code == 404:
            continue  # the page itself is hidden from this role (e.g. a peer)
        html = response.content.decode()
        for target in targets:
            target_url = reverse(target, args=args)
            offered = f'"{target_url}"' in html
            if offered != (role in CASES[target].allow):
                wrong.append(f"{role}: {target} offered={offered}")
    assert not wrong, f"{url}: " + "; ".join(wrong)
