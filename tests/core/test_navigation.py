"""The header's navigation by area, and each role's home after signing in."""

import pytest
from django.test import Client
from django.urls import reverse

from smartnet import navigation
from smartnet.roles import PORTAL_ROLES, STAFF_ROLES, Role
from tests.access import OTHER_PARTNER
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

HOMES = {
    Role.STAFF_ADMIN: "/staff/",
    Role.FINANCE: "/staff/",
    Role.TRAINING: "/staff/",
    Role.MATERIALS: "/staff/",
    Role.PARTNER_CONTACT: "/portal/",
    Role.COMMISSIONER_CONTACT: "/portal/",
    Role.FACILITATOR: "/facilitator/",
    Role.TRUSTEE: "/board/",
}


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_every_role_has_a_home_and_every_role_is_listed():
    assert set(HOMES) == set(Role)


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_signing_in_lands_on_the_roles_home(world, role, settings):
    settings.STAFF_2FA_REQUIRED = False
    user = world.users[role.value]
    assert navigation.home_url_for(user) == HOMES[role]
    response = Client().post(reverse("login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == HOMES[role]
    # The home answers the role itself (no refusal, no loop).
    assert _client(user).get(HOMES[role]).status_code == 200


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_the_public_home_sends_a_signed_in_user_to_their_home(world, role):
    response = _client(world.users[role.value]).get("/")
    assert response.status_code == 302
    assert response["Location"] == HOMES[role]


def test_the_public_home_stays_for_the_public():
    assert Client().get("/").status_code == 200


def test_a_safe_next_wins_over_the_home(world):
    user = world.users[Role.FINANCE.value]
    response = Client().post(
        reverse("login") + "?next=/staff/partners/",
        {"username": user.email, "password": PASSWORD, "next": "/staff/partners/"},
    )
    assert response["Location"] == "/staff/partners/"


@pytest.mark.parametrize(
    "unsafe", ["https://evil.example/phish", "//evil.example/", "http://testserver.evil/"]
)
def test_an_unsafe_next_is_ignored(world, unsafe):
    user = world.users[Role.TRUSTEE.value]
    response = Client().post(
        reverse("login"), {"username": user.email, "password": PASSWORD, "next": unsafe}
    )
    assert response["Location"] == "/board/"


def test_a_staff_user_with_a_second_factor_to_enter_is_asked_for_it_on_the_way_home(
    world, settings
):
    settings.STAFF_2FA_REQUIRED = True
    user = world.users[Role.FINANCE.value]
    client = Client()
    response = client.post(reverse("login"), {"username": user.email, "password": PASSWORD})
    assert response["Location"] == "/staff/"
    response = client.get("/staff/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/two-factor/")
    assert "next=/staff/" in response["Location"]


# --- Navigation by area ------------------------------------------------------


def _areas(user, path="/nowhere/"):
    return {
        area.label: [link.label for link in area.links] for area in navigation.areas_for(user, path)
    }


def test_staff_links_are_grouped_into_the_areas(world):
    areas = _areas(world.users[Role.STAFF_ADMIN.value])
    assert list(areas) == [
        "Dashboard",
        "Partners",
        "Finance",
        "Meetings",
        "Training",
        "Materials",
        "Board",
        "Admin",
    ]
    assert areas["Admin"] == ["Second factors", "Scheduled jobs", "Staff accounts"]
    assert "Pending contacts" in areas["Partners"]
    assert "Overdue invoices" in areas["Finance"]
    assert "Moodle import" in areas["Training"]


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_each_role_sees_only_links_its_role_may_open(world, role, settings):
    """The class: every link the bar offers a role opens for that role."""
    settings.STAFF_2FA_REQUIRED = False
    user = world.users[role.value]
    client = _client(user)
    links = [link for area in navigation.areas_for(user, "/") for link in area.links]
    assert links, f"{role} has no navigation"
    for link in links:
        assert client.get(link.url).status_code == 200, (role, link.label, link.url)


@pytest.mark.parametrize("role", sorted(PORTAL_ROLES | {Role.FACILITATOR, Role.TRUSTEE}), ids=str)
def test_roles_outside_staff_see_no_staff_link(world, role):
    user = world.users[role.value]
    urls = [link.url for area in navigation.areas_for(user, "/") for link in area.links]
    assert not [url for url in urls if url.startswith("/staff/")]


def test_finance_sees_no_materials_or_moodle_links(world):
    areas = _areas(world.users[Role.FINANCE.value])
    assert "Materials" not in areas
    assert "Moodle import" not in areas["Training"]
    assert "Materials economics" in areas["Finance"]


def test_the_current_area_is_the_longest_link_the_page_is_under(world):
    user = world.users[Role.STAFF_ADMIN.value]
    current = {
        area.label: [link.label for link in area.links if link.current]
        for area in navigation.areas_for(user, "/staff/partners/42/")
        if area.current
    }
    assert current == {"Partners": ["Partners"]}
    # The dashboard at /staff/ is current on itself only.
    on_dashboard = [a.label for a in navigation.areas_for(user, "/staff/") if a.current]
    assert on_dashboard == ["Dashboard"]
    on_search = [a.label for a in navigation.areas_for(user, "/staff/search/") if a.current]
    assert on_search == []


def test_the_header_marks_the_current_area_and_page(world, settings):
    settings.STAFF_2FA_REQUIRED = False
    html = _client(world.users[Role.STAFF_ADMIN.value]).get("/staff/partners/renewals/")
    text = html.content.decode()
    assert 'aria-current="true">Finance' in text
    assert 'href="/staff/partners/renewals/" aria-current="page"' in text
    assert text.count('aria-current="page"') == 1


def test_an_area_with_one_link_for_the_role_is_a_plain_link(world, settings):
    text = _client(world.users[Role.FACILITATOR.value]).get("/materials/request/").content.decode()
    assert "dropdown-toggle" not in text
    assert '<a class="nav-link active" href="/materials/request/" aria-current="page">' in text


def test_an_unknown_area_is_refused_when_declared():
    with pytest.raises(ValueError, match="unknown area"):
        navigation.NavItem("Odd", "home", STAFF_ROLES, "Elsewhere")


def test_the_other_partner_visitor_is_a_portal_user_too(world):
    # The matrix's extra visitor lands on its own portal like any partner contact.
    assert navigation.home_url_for(world.users[OTHER_PARTNER]) == "/portal/"
