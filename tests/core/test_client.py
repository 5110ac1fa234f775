"""One client address for the lockout, the rate limits and /healthz (smartnet.client)."""

import pytest
from django.http import HttpRequest
from django.test import RequestFactory

from smartnet.client import client_ip
from smartnet.roles import Role
from tests.factories import PASSWORD, UserFactory

PROXY = "10.0.0.1"  # the HTTPS proxy: every request arrives from it


def test_client_ip_reads_the_proxy_header_only_behind_a_proxy(settings):
    rf = RequestFactory()
    request = rf.get("/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="1.2.3.4, 10.0.0.8")
    settings.PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.9"
    settings.PROXY_COUNT = 1
    assert client_ip(request) == "10.0.0.8"
    settings.PROXY_COUNT = 2
    assert client_ip(request) == "1.2.3.4"
    settings.PROXY_COUNT = 3  # fewer hops than proxies: the header is not believed
    assert client_ip(request) == "10.0.0.9"


def test_a_malformed_forwarded_entry_falls_back_to_the_connecting_address(settings):
    settings.PROXY_COUNT = 1
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="'; drop --")
    assert client_ip(request) == PROXY


def test_a_request_from_no_connection_has_no_address(settings):
    # force_login and commands build such requests; axes stores the address
    # in an inet column on PostgreSQL, which refuses anything but an address.
    settings.PROXY_COUNT = 1
    assert client_ip(HttpRequest()) is None


def test_axes_counts_by_the_same_client_address(settings):
    assert settings.AXES_CLIENT_IP_CALLABLE == "smartnet.client.client_ip"


def _sign_in(client, email, password, **meta):
    return client.post("/accounts/login/", {"username": email, "password": password}, **meta)


@pytest.mark.django_db
def test_behind_the_proxy_one_client_failures_do_not_lock_out_another(client, settings):
    settings.PROXY_COUNT = 1
    user = UserFactory(email="admin@example.org", role=Role.STAFF_ADMIN)
    attacker = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    owner = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "203.0.113.20"}
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, user.email, "wrong", **attacker)
    assert _sign_in(client, user.email, PASSWORD, **attacker).status_code == 429

    response = _sign_in(client, user.email, PASSWORD, **owner)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.django_db
def test_without_a_proxy_a_forged_forwarded_header_does_not_dodge_the_lockout(client, settings):
    settings.PROXY_COUNT = 0
    user = UserFactory(email="admin@example.org", role=Role.STAFF_ADMIN)
    for n in range(settings.AXES_FAILURE_LIMIT):
        forged = {"REMOTE_ADDR": "192.0.2.5", "HTTP_X_FORWARDED_FOR": f"198.51.100.{n}"}
        _sign_in(client, user.email, "wrong", **forged)
    forged = {"REMOTE_ADDR": "192.0.2.5", "HTTP_X_FORWARDED_FOR": "198.51.100.99"}
    assert _sign_in(client, user.email, PASSWORD, **forged).status_code == 429
    # Nor can a forged header lock out somebody else's address.
    assert _sign_in(client, user.email, PASSWORD, REMOTE_ADDR="192.0.2.6").status_code == 302
