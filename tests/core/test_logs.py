"""One log line per request and per task, with the fields that answer
"what happened" and no secrets; plain text by default, JSON on request."""

import json
import logging
import subprocess
import sys

import pytest

from smartnet.logs import JsonFormatter, PlainFormatter, line
from smartnet.roles import Role
from tests.core.test_jobs import BROKEN, flaky_job
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _request_lines(caplog):
    return [r for r in caplog.records if r.name == "smartnet.requests"]


def test_one_line_per_request_with_its_fields(client, caplog):
    user = UserFactory(role=Role.FINANCE, email="sam.secret@example.org")
    client.force_login(user)
    with caplog.at_level(logging.INFO, logger="smartnet.requests"):
        response = client.get("/staff/search/?q=Quibbleworth&page=2")
    (record,) = _request_lines(caplog)
    assert record.request_id == response["X-Request-ID"]
    assert len(record.request_id) == 32
    assert record.user_id == user.pk
    assert record.method == "GET"
    assert record.path == "/staff/search/?q=[redacted]&page=2"
    assert record.status == response.status_code == 200
    assert isinstance(record.duration_ms, int)
    text = record.getMessage()
    assert text.startswith(f"request request_id={record.request_id} user_id={user.pk} method=GET")
    assert "status=200" in text and "duration_ms=" in text
    assert "sam.secret" not in text and "Quibbleworth" not in text


def test_sign_in_tokens_and_url_secrets_are_not_logged(client, caplog):
    with caplog.at_level(logging.INFO, logger="smartnet.requests"):
        client.get("/materials/request/?sesame=AAAsecretTOKEN")
        client.get("/training/certificates/CERT-SECRET-1/")
    first, second = _request_lines(caplog)
    assert first.path == "/materials/request/?sesame=[redacted]"
    assert first.user_id is None
    assert second.path == "/training/certificates/[redacted]/"
    assert "secret" not in " ".join(r.getMessage() for r in caplog.records).lower()


def test_a_sane_request_id_from_the_proxy_is_kept_a_bad_one_replaced(client):
    assert client.get("/healthz", HTTP_X_REQUEST_ID="abcd-1234-ef")["X-Request-ID"] == (
        "abcd-1234-ef"
    )
    replaced = client.get("/healthz", HTTP_X_REQUEST_ID="<script>")["X-Request-ID"]
    assert replaced != "<script>" and len(replaced) == 32


def test_the_not_found_page_shows_the_request_id(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["X-Request-ID"] in response.content.decode()


def test_one_line_per_task_with_its_fields(caplog):
    BROKEN["on"] = False
    with caplog.at_level(logging.INFO, logger="smartnet.tasks"):
        result = flaky_job.apply(args=[5])
    (record,) = [r for r in caplog.records if r.name == "smartnet.tasks"]
    assert record.task_id == result.id
    assert record.job == "tests.core.flaky_job"
    assert record.outcome == "ok"
    assert isinstance(record.duration_ms, int)
    assert record.getMessage() == line(
        "task",
        {
            "task_id": result.id,
            "job": "tests.core.flaky_job",
            "outcome": "ok",
            "duration_ms": record.duration_ms,
        },
    )


def _record(**extra) -> logging.LogRecord:
    record = logging.LogRecord("smartnet.requests", logging.INFO, __file__, 1, "request", (), None)
    for key, value in extra.items():
        setattr(record, key, value)
    return record


def test_json_lines_carry_the_same_fields():
    record = _record(request_id="r1", user_id=7, method="GET", path="/x", status=200, duration_ms=3)
    body = json.loads(JsonFormatter().format(record))
    assert body["level"] == "INFO" and body["logger"] == "smartnet.requests"
    assert {
        k: body[k] for k in ("request_id", "user_id", "method", "path", "status", "duration_ms")
    } == {
        "request_id": "r1",
        "user_id": 7,
        "method": "GET",
        "path": "/x",
        "status": 200,
        "duration_ms": 3,
    }
    assert "email" not in body


def test_exception_text_in_a_log_line_is_scrubbed():
    try:
        raise ValueError("no person 'Ada Quibbleworth' <ada@example.org>")
    except ValueError:
        info = sys.exc_info()
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (), info)
    for formatter in (PlainFormatter(), JsonFormatter()):
        text = formatter.format(record)
        assert "Quibbleworth" not in text and "ada@example.org" not in text
        assert "ValueError" in text


def test_log_format_json_is_read_from_the_environment(monkeypatch):
    code = (
        "import django, logging; django.setup(); "
        "logging.getLogger('smartnet.requests').info('request', extra={'request_id': 'abc'})"
    )
    env = {
        "LOG_FORMAT": "json",
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DEBUG": "1",
        "PATH": "/usr/bin:/bin",
    }
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    last = json.loads(out.stderr.strip().splitlines()[-1])
    assert last["request_id"] == "abc" and last["message"] == "request"


def test_password_reset_tokens_are_not_logged(client, caplog):
    with caplog.at_level(logging.INFO, logger="smartnet.requests"):
        client.get("/accounts/reset/MTIz/c3v1ab-0123456789abcdef0123456789abcdef/")
    (record,) = _request_lines(caplog)
    assert record.path == "/accounts/reset/[redacted]/[redacted]/"
