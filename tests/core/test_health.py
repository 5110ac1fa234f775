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
