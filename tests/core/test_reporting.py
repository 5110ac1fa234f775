"""Unhandled errors reach ADMINS and Sentry with no personal data in them."""

import gzip
import json
import threading
import zlib
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import sentry_sdk
from django.core import mail
from django.test import Client

from smartnet import reporting
from smartnet.celery import app
from smartnet.roles import Role
from tests.core.test_jobs import BROKEN, flaky_job
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SURNAME = "Quibbleworth"
EMAIL = "ada.quibbleworth@example.org"
BODY = {"full_name": f"Ada {SURNAME}", "email": EMAIL, "note": "relapsed last week"}


@pytest.fixture
def boom_client(settings):
    settings.ROOT_URLCONF = "tests.core.urls_boom"
    settings.DEBUG = False
    settings.ADMINS = [("", "ops@charity.example")]
    client = Client(raise_request_exception=False)
    user = UserFactory(role=Role.FINANCE, full_name=f"Sam {SURNAME}", email=EMAIL)
    client.force_login(user)
    client.cookies["tracking"] = f"{SURNAME}-cookie"
    return client


def test_scrub_removes_emails_quoted_values_and_constraint_details():
    text = (
        f"could not save 'Ada {SURNAME}' <{EMAIL}>; "
        f'DETAIL: Key (email)=({EMAIL}) already exists; "{SURNAME}"'
    )
    scrubbed = reporting.scrub_text(text)
    assert SURNAME not in scrubbed and "@" not in scrubbed
    assert "could not save" in scrubbed and "already exists" in scrubbed


def test_a_request_error_mails_admins_with_no_personal_data(boom_client):
    response = boom_client.post("/boom/?sesame=SECRETTOKEN", BODY)
    assert response.status_code == 500
    request_id = response["X-Request-ID"]
    assert request_id in response.content.decode()  # the visitor can quote it
    (report,) = mail.outbox
    assert report.to == ["ops@charity.example"]
    assert "ValueError" in report.subject
    text = report.subject + report.body
    assert f"Request id: {request_id}" in text
    assert "Request: POST /boom/?sesame=[redacted]" in text
    assert "tests/core/urls_boom.py" in text  # the frames are there
    for secret in (SURNAME, EMAIL, "relapsed", "SECRETTOKEN", "cookie"):
        assert secret not in text, secret
    # The same error again within the quiet period: no second e-mail.
    boom_client.post("/boom/", BODY)
    assert len(mail.outbox) == 1


def test_a_task_failing_mails_admins(settings):
    settings.ADMINS = [("", "ops@charity.example")]
    previous = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    try:
        BROKEN["on"] = True
        flaky_job.apply(args=[3])
    finally:
        app.conf.task_eager_propagates = previous
    (report,) = mail.outbox
    assert "OSError" in report.subject
    assert "mail server refused" in report.body


class _SentryStandIn(BaseHTTPRequestHandler):
    envelopes: list[bytes] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        encoding = self.headers.get("Content-Encoding", "")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "deflate":
            body = zlib.decompress(body)
        elif encoding == "br":
            import brotli  # noqa: PLC0415 - only if the SDK chose it

            body = brotli.decompress(body)
        type(self).envelopes.append(body)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@pytest.fixture
def sentry_stand_in():
    server = HTTPServer(("127.0.0.1", 0), _SentryStandIn)
    _SentryStandIn.envelopes = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    reporting.init_sentry(f"http://publickey@127.0.0.1:{server.server_port}/1", environment="test")
    yield _SentryStandIn.envelopes
    sentry_sdk.get_client().close()
    sentry_sdk.init(dsn=None)
    server.shutdown()


def test_sentry_gets_the_error_with_no_email_or_surname(boom_client, sentry_stand_in):
    response = boom_client.post("/boom/?sesame=SECRETTOKEN", BODY, HTTP_REFERER=f"/x?{EMAIL}")
    assert response.status_code == 500
    sentry_sdk.flush(timeout=5)
    assert sentry_stand_in, "the stand-in received no envelope"
    raw = b"".join(sentry_stand_in).decode()
    events = [
        json.loads(line)
        for line in raw.splitlines()
        if line.startswith("{") and '"exception"' in line
    ]
    assert events, raw[:500]
    event = events[0]
    assert event["exception"]["values"][-1]["type"] == "ValueError"
    assert "urls_boom.py" in raw
    assert "cookies" not in event.get("request", {})
    assert "data" not in event.get("request", {})
    for secret in (SURNAME, EMAIL, "quibbleworth", "relapsed", "SECRETTOKEN", "sessionid"):
        assert secret not in raw, secret
