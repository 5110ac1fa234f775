"""No staff page names a peer to a role that may not see peer status (issue 13, item 2).

Two peers (in recovery: health data) are tied to everything a staff page can
show: they lead a meeting (and a later change of leadership leaves history),
a partner proposes one of them to lead it, they hold a facilitator
certificate, one is booked on a training event the other trains, one is a
partner's volunteer, and a parcel of materials is on its way to one.

Then every URL pattern under /staff/ (read from the URL resolver, so a new
staff page is walked without being listed here) is rendered as each staff
role: with the peers' ids where the page is about a meeting, a person, a
proposal, a completion, an event or a dispatch, otherwise with the id its
access-matrix case makes. POST-only pages are posted with their case's data
(and rolled back). The test fails if a peer's name appears on a page for a
role missing from the case's ``peer_names`` (tests/<app>/access_cases.py),
and if the peers are never named where the staff admin may see them (so the
walk is really seeing the data).
"""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from materials.models import Status
from meetings import services as meeting_services
from smartnet.roles import STAFF_ROLES
from tests.access import all_cases, patterns_under
from tests.factories import AffiliationFactory, PersonFactory, UserFactory
from tests.materials.factories import make_dispatch, make_item
from tests.meetings.factories import make_meeting
from tests.training.factories import facilitator_course, make_trained_facilitator
from tests.trust.test_no_cross_org_leaks import response_text
from tests.trust.tried import TRIED
from training import services as training_services

D = datetime.date
PEERS = (("Peeraisha", "Peeryoung"), ("Peerkirsty", "Peerthomas"))
CASES = all_cases()


class _Rollback(Exception):
    pass


@pytest.fixture
def peer_world(world):

    peers = [
        PersonFactory(first_name=first, last_name=last, email=f"{first.lower()}@example.org")
        for first, last in PEERS
    ]
    for peer in peers:
        make_trained_facilitator(peer, completed_on=D(2024, 2, 1))
    AffiliationFactory(person=peers[0], organisation=world.org_a, role="volunteer")
    meeting = make_meeting(
        host=world.org_a, started_on=D(2024, 3, 5), led="peer_led", facilitators=peers
    )
    meeting_services.leadership_change(
        meeting=meeting, kind="co_facilitated", start_date=D(2024, 9, 3), facilitators=peers[:1]
    )
    proposal = meeting_services.proposal_leadership_change(
        organisation=world.org_a,
        meeting=meeting,
        kind="peer_led",
        start_date=D(2030, 1, 7),
        facilitators=peers,
    )
    event = training_services.event_create(
        course=facilitator_course(),
        held_on=D(2024, 1, 10),
        venue="Leeds hub",
        capacity=5,
        trainer_ids=[peers[1].pk],
    )
    training_services.event_book(event=event, person=peers[0])
    # The peer's own sign-in (a facilitator's link) changed the meeting: the
    # audit trail says who, by name.
    peers[0].user = UserFactory(
        email="peeraisha@example.org", role="facilitator", full_name="Peeraisha Peeryoung"
    )
    peers[0].save(update_fields=["user"])
    meeting.refresh_from_db()
    meeting.directions = "Ring the bell at the side door"
    meeting._history_user = peers[0].user
    meeting.save()
    item = make_item("handbook", stock=10)
    dispatch = make_dispatch(
        {item: 1}, status=Status.SUBMITTED, person=peers[0], meeting_id=meeting.pk
    )
    ids = {
        "meeting": meeting.pk,
        "proposal": proposal.pk,
        "person": peers[0].pk,
        "completion": peers[0].completions.get().pk,
        "event": event.pk,
        "dispatch": dispatch.pk,
        "organisation": world.org_a.pk,
    }
    return world, ids


# Which object each staff URL with an id is about, when a peer can be tied to it;
# other pages take the object their access-matrix case creates.
PEER_KIND = {
    "meetings_staff:detail": "meeting",
    "meetings_staff:edit": "meeting",
    "meetings_staff:leadership": "meeting",
    "meetings_staff:status": "meeting",
    "meetings_staff:proposal_decide": "proposal",
    "training_staff:person": "person",
    "training_staff:person_profile": "person",
    "training_staff:person_completion_add": "person",
    "training_staff:person_enrol": "person",
    "training_staff:certificate": "completion",
    "training_staff:event_detail": "event",
    "training_staff:event_book": "event",
    "training_staff:event_attendance": "event",
    "training_staff:event_invite": "event",
    "training_staff:event_cancel": "event",
    "materials_staff:dispatch": "dispatch",
    "materials_staff:dispatch_verify": "dispatch",
    "materials_staff:dispatch_approve": "dispatch",
    "materials_staff:dispatch_pack": "dispatch",
    "materials_staff:dispatch_send": "dispatch",
    "materials_staff:dispatch_deliver": "dispatch",
    "materials_staff:dispatch_reject": "dispatch",
    "partners_staff:partner_detail": "organisation",
    "partners_staff:agreement_new": "organisation",
    "partners_staff:person_data": "person",
    "partners_staff:person_data_json": "person",
    "partners_staff:person_data_pdf": "person",
    "partners_staff:person_erase": "person",
}
# Pages that take the ids to print from the query string.
PEER_QUERY = {
    "materials_staff:packing_slips": "dispatch",
    "materials_staff:labels": "dispatch",
}
EXTRA_KWARGS = {"meetings_staff:status": {"action": "pause"}}
# Where the staff admin must find a peer named: the walk sees the data.
MUST_NAME_FOR_ADMIN = {
    "meetings_staff:detail",
    "meetings_staff:proposals",
    "training_staff:event_detail",
    "training_staff:person",
    "materials_staff:dispatch",
}


def _url(name: str, kwargs: list[str], world, ids) -> str:
    if name in PEER_KIND:
        values = {"pk": ids[PEER_KIND[name]], **EXTRA_KWARGS.get(name, {})}
        assert sorted(values) == kwargs, f"{name} takes {kwargs}"
        return reverse(name, kwargs=values)
    if name in PEER_QUERY:
        return f"{reverse(name)}?ids={ids[PEER_QUERY[name]]}"
    return CASES[name].url(world)


def _names_in(text: str) -> set[str]:
    lowered = text.lower()
    return {
        f"{first} {last}"
        for first, last in PEERS
        if first.lower() in lowered or last.lower() in lowered
    }


def _walk_page(name, kwargs, world, ids, problems, named_for_admin) -> int:
    case = CASES[name]
    url = _url(name, kwargs, world, ids)
    for role in sorted(STAFF_ROLES):
        client = Client()
        client.force_login(world.users[role])
        try:
            # A POST-only page is posted its case's data, then undone for the next role.
            with transaction.atomic():
                if case.method == "post":
                    response = client.post(url, case.data or {})
                else:
                    response = client.get(url)
                text = response_text(response)
                raise _Rollback
        except _Rollback:
            pass
        shown = _names_in(text)
        if shown and role not in case.peer_names:
            problems.append(f"{name} ({url}) names {sorted(shown)} to {role}")
        if shown and role == "staff_admin":
            named_for_admin.add(name)
    return len(STAFF_ROLES)


def test_no_staff_page_names_a_peer_to_a_role_that_may_not_see_peers(peer_world):
    world, ids = peer_world
    problems: list[str] = []
    named_for_admin: set[str] = set()
    requests = 0
    patterns = patterns_under("staff/")
    for name, kwargs in patterns:
        # Each page's case may create its object: undone after the page is walked.
        try:
            with transaction.atomic():
                requests += _walk_page(name, kwargs, world, ids, problems, named_for_admin)
                raise _Rollback
        except _Rollback:
            pass
    missing = MUST_NAME_FOR_ADMIN - named_for_admin
    if missing:
        problems.append(f"peers never named to the staff admin on {sorted(missing)}")
    TRIED["leak walk: staff pages for peer names"] += requests
    print(f"{len(patterns)} staff URL patterns, {requests} requests as each staff role")
    assert not problems, "\n".join(problems)


def test_a_role_that_may_not_see_peers_sees_a_count(peer_world, client):
    world, ids = peer_world
    client.force_login(world.users["finance"])
    page = client.get(f"/staff/meetings/{ids['meeting']}/").content.decode()
    assert "2 facilitators" in page and "1 facilitator" in page
    assert not _names_in(page)
    page = client.get("/staff/meetings/proposals/").content.decode()
    assert "2 facilitators" in page and not _names_in(page)
