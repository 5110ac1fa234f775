import json
from unittest import mock

from django.db.utils import OperationalError


def test_healthz_reports_each_part(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"]["ok"] is True
    assert body["cache"]["ok"] is True
    assert body["broker"]["ok"] is True
    assert body["status"] == "ok"


def test_healthz_is_503_and_names_the_variable_when_the_database_is_down(client, db):
    with mock.patch("smartnet.health.connection.cursor", side_effect=OperationalError("no route")):
        response = client.get("/healthz")
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["status"] == "down"
    assert body["database"] == {
        "ok": False,
        "setting": "DATABASE_URL",
        "error": "OperationalError: no route",
    }


def test_healthz_names_redis_url_when_the_broker_is_down(client, db, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/healthz")
    assert response.status_code == 200  # the database answers: the app can serve
    body = response.json()
    assert body["status"] == "degraded"
    assert body["broker"]["ok"] is False
    assert body["broker"]["setting"] == "REDIS_URL"
    assert body["cache"]["setting"] == "REDIS_URL"


# --- Who sees the details ---------------------------------------------------------

OUTSIDE = "203.0.113.9"
DETAIL_WORDS = ("OperationalError", "no route", "DATABASE_URL", "REDIS_URL", "vendor", "setting")


def _down(client, **meta):
    with mock.patch("smartnet.health.connection.cursor", side_effect=OperationalError("no route")):
        return client.get("/healthz", **meta)


def _assert_status_only(response):
    body = response.json()
    assert set(body) == {"status", "database", "cache", "broker"}
    for part in ("database", "cache", "broker"):
        assert set(body[part]) == {"ok"}
    for word in DETAIL_WORDS:
        assert word not in response.content.decode()


def test_an_anonymous_outside_request_sees_the_status_and_no_error_text(client, db, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # the broker fails too
    response = _down(client, REMOTE_ADDR=OUTSIDE)
    assert response.status_code == 503
    _assert_status_only(response)
    assert response.json()["status"] == "down"
    assert response.json()["database"] == {"ok": False}
    assert response.json()["broker"] == {"ok": False}


def test_an_anonymous_outside_request_when_all_is_well_sees_no_backend(client, db):
    response = client.get("/healthz", REMOTE_ADDR=OUTSIDE)
    assert response.status_code == 200
    _assert_status_only(response)
    assert response.json() == {
        "status": "ok",
        "database": {"ok": True},
        "cache": {"ok": True},
        "broker": {"ok": True},
    }


def test_behind_a_proxy_on_loopback_the_visitor_not_the_proxy_decides(client, db, settings):
    # The proxy connects from 127.0.0.1 (an allowed address): the visitor's
    # own address, from X-Forwarded-For, is the one that counts.
    settings.PROXY_COUNT = 1
    response = _down(client, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=OUTSIDE)
    _assert_status_only(response)
    response = _down(client, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="127.0.0.1")
    assert response.json()["database"]["setting"] == "DATABASE_URL"


def test_an_allowed_network_sees_the_details(client, db, settings):
    settings.HEALTHZ_ALLOWED_IPS = ["203.0.113.0/24"]
    response = _down(client, REMOTE_ADDR=OUTSIDE)
    assert response.json()["database"]["error"] == "OperationalError: no route"
    # Loopback is no longer on the list.
    _assert_status_only(_down(client, REMOTE_ADDR="127.0.0.1"))


def _broker_down(client, settings, **meta):
    # The session needs the database, so signed-in cases break Redis instead.
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    return client.get("/healthz", **meta)


def test_signed_in_staff_see_the_details_from_anywhere(client, world, settings):
    client.force_login(world.users["finance"])
    response = _broker_down(client, settings, REMOTE_ADDR=OUTSIDE)
    assert response.status_code == 200
    assert response.json()["broker"]["setting"] == "REDIS_URL"
    assert "Error" in response.json()["broker"]["error"]


def test_staff_without_their_second_factor_and_other_roles_do_not(client, world, settings):
    settings.STAFF_2FA_REQUIRED = True
    client.force_login(world.users["finance"])
    _assert_status_only(_broker_down(client, settings, REMOTE_ADDR=OUTSIDE))
    for role in ("partner_contact", "commissioner_contact", "trustee", "facilitator"):
        client.force_login(world.users[role])
        _assert_status_only(_broker_down(client, settings, REMOTE_ADDR=OUTSIDE))


def test_a_signed_in_browser_still_gets_503_while_the_database_is_down(client, world):
    # Its session cookie cannot be read (the session is in the database): it
    # is told the status alone, not a server error.
    client.force_login(world.users["staff_admin"])
    response = _down(client, REMOTE_ADDR=OUTSIDE)
    assert response.status_code == 503
    _assert_status_only(response)
