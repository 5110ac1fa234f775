"""The staff header search: providers registered by each app, what each role
may find, exact references jumping straight to the object, bounded queries."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from partners import services as partner_services
from smartnet import search
from smartnet.roles import Role
from tests.factories import OrganisationFactory, PersonFactory
from tests.materials.factories import make_dispatch, make_item
from tests.meetings.factories import make_meeting
from tests.partners.factories import make_partner
from tests.training.factories import make_peer

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture(autouse=True)
def _no_second_factor(settings):
    settings.STAFF_2FA_REQUIRED = False


def _client(world, role: Role) -> Client:
    client = Client()
    client.force_login(world.users[role.value])
    return client


def _issued_invoice(organisation):
    period = make_partner(organisation, signed_on=D(2025, 1, 1), start=D(2025, 1, 1)).periods.get()
    invoice = partner_services.invoice_draft(
        organisation=organisation, period=period, lines=partner_services.period_lines(period)
    )
    return partner_services.invoice_issue(invoice=invoice, today=D(2025, 1, 1)) or invoice


def test_every_kind_has_a_provider_registered_by_its_app():
    assert {p.kind for p in search._providers.values()} == {
        "partners",
        "people",
        "meetings",
        "invoices",
        "dispatches",
    }


def test_results_are_grouped_by_kind_with_links(world):
    OrganisationFactory(name="Harbour Lights Recovery")
    PersonFactory(first_name="Harbour", last_name="Smith")
    make_meeting(name="Harbour Tuesday", started_on=D(2025, 1, 7))
    response = _client(world, Role.STAFF_ADMIN).get("/staff/search/", {"q": "harbour"})
    assert response.status_code == 200
    groups = {g.title: [h.label for h in g.hits] for g in response.context["results"].groups}
    assert groups == {
        "Partners": ["Harbour Lights Recovery"],
        "People": ["Harbour Smith"],
        "Meetings": ["Harbour Tuesday"],
    }
    text = response.content.decode()
    assert '<h2 id="results-1" class="h4">Partners</h2>' in text
    assert "/staff/partners/" in text and "/staff/training/people/" in text


def test_an_invoice_number_jumps_to_its_partner(world):
    invoice = _issued_invoice(world.org_a)
    invoice.refresh_from_db()
    assert invoice.number
    response = _client(world, Role.FINANCE).get("/staff/search/", {"q": invoice.number.lower()})
    assert response.status_code == 302
    assert response["Location"] == f"/staff/partners/{world.org_a.pk}/#invoice-{invoice.pk}"
    page = _client(world, Role.FINANCE).get(f"/staff/partners/{world.org_a.pk}/")
    assert f'id="invoice-{invoice.pk}"' in page.content.decode()


def test_a_dispatch_reference_jumps_to_the_dispatch_for_materials_staff_only(world):
    dispatch = make_dispatch({make_item("leaflet"): 2})
    response = _client(world, Role.MATERIALS).get("/staff/search/", {"q": dispatch.short_ref})
    assert response.status_code == 302
    assert response["Location"] == f"/staff/materials/dispatches/{dispatch.pk}/"
    # Finance staff have no dispatch pages: the reference finds nothing for them.
    response = _client(world, Role.FINANCE).get("/staff/search/", {"q": dispatch.short_ref})
    assert response.status_code == 200
    assert response.context["results"].groups == []


def test_an_e_mail_typed_whole_jumps_to_the_person(world):
    person = PersonFactory(email="jo.bloggs@example.org")
    response = _client(world, Role.TRAINING).get("/staff/search/", {"q": "Jo.Bloggs@example.org"})
    assert response["Location"] == f"/staff/training/people/{person.pk}/"


@pytest.mark.parametrize(
    ("role", "finds_peer"),
    [
        (Role.STAFF_ADMIN, True),
        (Role.TRAINING, True),
        (Role.FINANCE, False),
        (Role.MATERIALS, False),
    ],
)
def test_a_peer_is_found_only_by_the_roles_that_may_see_peers(world, role, finds_peer):
    make_peer(first_name="Quintessa", last_name="Peerless", email="quintessa@example.org")
    for query in ("Quintessa", "quintessa@example.org"):
        response = _client(world, role).get("/staff/search/", {"q": query})
        body = response.content.decode() if response.status_code == 200 else ""
        if finds_peer:
            assert response.status_code == 302 or "Quintessa Peerless" in body
        else:
            assert response.status_code == 200
            assert response.context["results"].groups == []
            assert "Peerless" not in body


@pytest.mark.parametrize("role", [Role.PARTNER_CONTACT, Role.TRUSTEE, Role.FACILITATOR])
def test_roles_outside_staff_have_no_search_box_and_no_search(world, role):
    client = _client(world, role)
    assert client.get("/staff/search/", {"q": "Alpha"}).status_code == 403
    home = client.get("/", follow=True)
    assert 'role="search"' not in home.content.decode().split("<main")[0]


def test_staff_have_the_search_box_in_the_header(world):
    header = _client(world, Role.FINANCE).get("/staff/").content.decode().split("<main")[0]
    assert 'action="/staff/search/"' in header


def test_a_query_too_short_searches_nothing(world):
    response = _client(world, Role.STAFF_ADMIN).get("/staff/search/", {"q": "a"})
    assert response.context["results"].too_short
    assert "at least two" in response.content.decode()


def _queries_for(client, query: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/staff/search/", {"q": query}).status_code == 200
    return len(captured)


def test_the_query_count_does_not_grow_with_the_data(world):
    client = _client(world, Role.STAFF_ADMIN)

    def add(n: int) -> None:
        for _ in range(n):
            OrganisationFactory(name=f"Zephyr {OrganisationFactory._meta.model.objects.count()}")
            PersonFactory(first_name="Zephyr")
            make_meeting(name="Zephyr evening", started_on=D(2025, 1, 7))

    add(2)
    small = _queries_for(client, "zephyr")
    add(15)
    large = _queries_for(client, "zephyr")
    assert small == large
    groups = client.get("/staff/search/", {"q": "zephyr"}).context["results"].groups
    assert all(len(g.hits) <= search.LIMIT for g in groups)
    assert any(g.more for g in groups)
