"""A contact named in the portal never pulls a person in by e-mail (issue 13, item 1).

A peer from another organisation (a facilitator, trained, with a certificate)
is named by e-mail in the portal's contact form, as a partner contact and as
a commissioner contact. Every portal page (walked from the URL resolver) and
the peer's certificate PDF must then show nothing of the peer; the portal
shows what it typed, waiting for confirmation, and answers a known and an
unknown e-mail alike. Staff see the match and decide.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from partners import personal_data, services
from partners.models import Affiliation, PendingContact, PendingContactStatus, Person
from tests.access import patterns_under
from tests.factories import AffiliationFactory, PersonFactory
from tests.meetings.factories import make_meeting
from tests.training.factories import make_trained_facilitator
from tests.trust.test_no_cross_org_leaks import response_text

D = datetime.date
PEER = {"first_name": "Aisha", "last_name": "Peerington", "email": "aisha.peer@example.org"}
TYPED = {"role": "signatory", "first_name": "Any", "last_name": "Name", "phone": ""}


@pytest.fixture
def peer(world):
    """A peer volunteer of another organisation who facilitates a meeting there,
    is a trained facilitator and holds a certificate."""
    person = PersonFactory(**PEER, phone="07700 900123")
    AffiliationFactory(person=person, organisation=world.org_b, role="volunteer")
    make_trained_facilitator(completed_on=D(2025, 2, 1), person=person)
    make_meeting(host=world.org_b, started_on=D(2025, 3, 4), facilitators=[person])
    return person


def _org_of(world, role):
    return world.org_a if role == "partner_contact" else world.commissioner


def _post_contact(client, organisation, email):
    return client.post(
        "/portal/contacts/", {**TYPED, "email": email, "organisation": organisation.pk}
    )


def _peer_shown(text: str) -> list[str]:
    """What of the peer a page shows, beyond the e-mail the partner typed itself."""
    lowered = text.lower().replace(PEER["email"], "")
    return [
        v for v in (PEER["first_name"], PEER["last_name"], "07700 900123") if v.lower() in lowered
    ]


@pytest.mark.parametrize("role", ["partner_contact", "commissioner_contact"])
def test_a_peers_email_shows_nothing_of_the_peer_in_the_portal(world, peer, client, role):
    organisation = _org_of(world, role)
    client.force_login(world.users[role])
    response = _post_contact(client, organisation, PEER["email"])
    assert response.status_code == 302
    assert not Affiliation.objects.filter(person=peer, organisation=organisation).exists()

    # Every portal page with no id, plainly and for this organisation.
    problems = []
    for name, kwargs in patterns_under("portal/"):
        if kwargs:
            continue
        for params in ({}, {"organisation": organisation.pk}):
            page = client.get(reverse(name), params)
            if page.status_code == 405:
                continue
            shown = _peer_shown(response_text(page))
            if shown:
                problems.append(f"{name} {params}: shows {shown}")
    # The peer's certificate, by its id.
    for completion in peer.completions.all():
        url = reverse("training_portal:certificate", kwargs={"pk": completion.pk})
        page = client.get(url)
        if page.status_code != 404 or _peer_shown(response_text(page)):
            problems.append(f"{url}: {page.status_code}")
    assert not problems, "\n".join(problems)

    # What it typed is listed, waiting for confirmation.
    page = client.get("/portal/contacts/", {"organisation": organisation.pk}).content.decode()
    assert "Any Name" in page
    assert "Waiting for confirmation" in page


def _normalised(html: str, email: str) -> str:
    html = html.replace(email, "EMAIL")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", html)


@pytest.mark.parametrize("role", ["partner_contact", "commissioner_contact"])
def test_the_portal_answers_a_known_and_an_unknown_email_alike(world, peer, client, role):
    organisation = _org_of(world, role)
    client.force_login(world.users[role])
    answers = []
    for email in (PEER["email"], "nobody.known@example.org"):
        response = _post_contact(client, organisation, email)
        followed = client.get(response["Location"])
        answers.append(
            (
                response.status_code,
                response["Location"],
                _normalised(followed.content.decode(), email),
            )
        )
    assert answers[0] == answers[1]
    # The second request replaced the first; neither tied anyone.
    assert (
        PendingContact.objects.filter(
            organisation=organisation, status=PendingContactStatus.PENDING
        )
        .get()
        .email
        == "nobody.known@example.org"
    )
    assert not Affiliation.objects.filter(organisation=organisation, role="signatory").exists()


def test_staff_admin_sees_the_match_and_linking_ties_the_peer(world, peer, client):
    client.force_login(world.users["partner_contact"])
    _post_contact(client, world.org_a, PEER["email"])
    pending = PendingContact.objects.get()

    client.force_login(world.users["staff_admin"])
    page = client.get("/staff/partners/contacts/pending/").content.decode()
    assert "Any Name" in page and "Aisha Peerington" in page
    assert "Volunteer at Beta Treatment" in page
    response = client.post(
        f"/staff/partners/contacts/pending/{pending.pk}/decide/", {"decision": "link"}
    )
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == PendingContactStatus.LINKED
    assert pending.decided_by == world.users["staff_admin"]
    assert pending.affiliation.person == peer
    assert pending.history.filter(status=PendingContactStatus.LINKED).exists()

    # Now tied: the partner sees its new signatory by name, not what it typed.
    client.force_login(world.users["partner_contact"])
    page = client.get("/portal/contacts/").content.decode()
    assert "Aisha Peerington" in page
    assert "Waiting for confirmation" not in page
    # A second decision is refused, not applied twice.
    client.force_login(world.users["staff_admin"])
    client.post(f"/staff/partners/contacts/pending/{pending.pk}/decide/", {"decision": "reject"})
    pending.refresh_from_db()
    assert pending.status == PendingContactStatus.LINKED


# --- Services ---------------------------------------------------------------------------


def _request(world, email="new.person@example.org", **extra):
    return services.contact_request(organisation=world.org_a, email=email, **{**TYPED, **extra})


def test_an_unknown_email_is_added_as_a_new_person_only_when_staff_say_so(world):
    pending = _request(world)
    assert isinstance(pending, PendingContact)
    assert not Person.objects.filter(email="new.person@example.org").exists()
    affiliation = services.pending_contact_create(
        pending=pending, decided_by=world.users["staff_admin"]
    )
    assert affiliation.person.full_name == "Any Name"
    assert affiliation.role == "signatory" and affiliation.organisation == world.org_a


def test_a_known_email_cannot_become_a_second_person(world, peer):
    pending = _request(world, email=PEER["email"].upper())
    with pytest.raises(ValidationError) as exc:
        services.pending_contact_create(pending=pending, decided_by=None)
    assert "email" in exc.value.message_dict
    pending.refresh_from_db()
    assert pending.status == PendingContactStatus.PENDING


def test_linking_needs_someone_with_the_email(world):
    pending = _request(world)
    with pytest.raises(ValidationError) as exc:
        services.pending_contact_link(pending=pending, decided_by=None)
    assert "person" in exc.value.message_dict
    assert PendingContact.objects.get().status == PendingContactStatus.PENDING


def test_rejecting_ties_nobody(world, peer):
    pending = _request(world, email=PEER["email"])
    services.pending_contact_reject(pending=pending, decided_by=world.users["staff_admin"])
    assert pending.status == PendingContactStatus.REJECTED
    assert not Affiliation.objects.filter(organisation=world.org_a, role="signatory").exists()
    with pytest.raises(ValidationError):
        services.pending_contact_link(pending=pending, decided_by=None)


def test_someone_already_tied_to_the_organisation_becomes_contact_at_once(world):
    colleague = PersonFactory(email="colleague@example.org")
    AffiliationFactory(person=colleague, organisation=world.org_a, role="staff")
    affiliation = _request(world, email="Colleague@Example.org")
    assert isinstance(affiliation, Affiliation)
    assert affiliation.person == colleague and affiliation.role == "signatory"
    assert not PendingContact.objects.exists()


def test_bad_input_names_the_field_and_saves_nothing(world):
    for bad, field in (({"role": "staff"}, "role"), ({"email": " "}, "email")):
        with pytest.raises(ValidationError) as exc:
            services.contact_request(
                organisation=world.org_a, **{**TYPED, "email": "a@b.org", **bad}
            )
        assert field in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        _request(world, first_name="")
    assert "first_name" in exc.value.message_dict
    assert not PendingContact.objects.exists()


def test_erasing_a_person_blanks_what_partners_typed_about_them(world, peer):
    pending = _request(world, email=PEER["email"], first_name="Aisha", last_name="Peerington")
    exported = personal_data.person_export(person_id=peer.pk)["partners_pending_contacts"]
    assert exported[0]["typed_name"] == "Aisha Peerington"
    personal_data.person_erase(person_id=peer.pk)
    pending.refresh_from_db()
    assert (pending.last_name, pending.email) == ("", "")
    for old in pending.history.all():
        assert PEER["email"] not in (old.email,) and old.last_name == ""
