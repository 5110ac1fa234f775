"""Shared fixtures: required services, the role world, and the browser.

Tests that need PostgreSQL, Redis or Chromium skip politely on a laptop that
lacks them; with SMARTNET_REQUIRE_SERVICES=1 (set by .ci/run) such a skip is a
failure instead.
"""

import os
import shutil

import pytest
import redis
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from playwright.sync_api import sync_playwright

from smartnet.celery import app as celery_app
from tests.access import World, build_world
from tests.smtp_server import SMTPStandIn
from tests.trust.tried import NOT_FUZZ, TRIED

REQUIRE_SERVICES = os.environ.get("SMARTNET_REQUIRE_SERVICES") == "1"
CHROMIUM = os.environ.get("SMARTNET_CHROMIUM", "/usr/bin/chromium")


def pytest_configure(config):
    # Hashing real passwords for every test user would dominate the suite's time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Threads the tests start (a Celery worker, the live server) close their
    # connections after each unit of work, so the test database can be dropped.
    settings.DATABASES["default"]["CONN_MAX_AGE"] = 0


def pytest_sessionfinish(session):
    """A pytest-xdist worker hands its trust counts to the controller."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["trust_tried"] = dict(TRIED)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """The controller adds up each worker's counts as it finishes."""
    TRIED.update(getattr(node, "workeroutput", {}).get("trust_tried", {}))


def pytest_terminal_summary(terminalreporter):
    if TRIED:
        terminalreporter.write_sep("-", "trust: inputs tried")
        for name, n in sorted(TRIED.items()):
            terminalreporter.write_line(f"{name}: {n}")
        fuzzed = sum(n for name, n in TRIED.items() if not name.startswith(NOT_FUZZ))
        terminalreporter.write_line(f"total fuzzed inputs: {fuzzed}")


def missing_service(reason: str) -> None:
    if REQUIRE_SERVICES:
        pytest.fail(f"required service missing under SMARTNET_REQUIRE_SERVICES=1: {reason}")
    pytest.skip(reason)


@pytest.fixture
def postgres(db) -> None:
    """Use in tests that need PostgreSQL (row locks, real concurrency)."""
    if connection.vendor != "postgresql":
        missing_service("needs PostgreSQL: set DATABASE_URL=postgres://...")


@pytest.fixture
def redis_url() -> str:
    """The Redis URL, answering; use in tests that need a real broker."""

    url = settings.REDIS_URL
    if not url:
        missing_service("needs Redis: set REDIS_URL=redis://127.0.0.1:6379/0")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        missing_service(f"Redis at REDIS_URL does not answer: {exc}")
    return url


@pytest.fixture(scope="session", autouse=True)
def _close_stray_connections(django_db_setup, django_db_blocker):
    """At the end of the run, end sessions that threads (the live server's
    request threads) left open, so the test database can be dropped."""
    yield
    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture(autouse=True)
def _eager_tasks():
    """Tasks run in process in tests, whatever REDIS_URL says; the worker
    tests switch this off for themselves."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield


@pytest.fixture
def world(db) -> World:
    """One user of each role, two partners (A, B) and a commissioner."""
    return build_world()


@pytest.fixture
def browser_page(live_server):
    """A headless Chromium page (Debian's /usr/bin/chromium, no download)."""
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        missing_service(f"needs Chromium at {CHROMIUM}: apt-get install -y chromium")
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls
    # made by the test itself are still synchronous and safe.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        context = browser.new_context(base_url=live_server.url)
        page = context.new_page()
        page.set_default_timeout(15_000)
        try:
            yield page
        finally:
            context.close()
            browser.close()


@pytest.fixture
def axe_check():
    """Run axe-core on the page; fail on any serious or critical violation."""

    axe = Axe()

    def check(page) -> list:
        results = axe.run(page)
        violations = [
            v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")
        ]
        details = "\n".join(
            f"{v['id']} ({v['impact']}): {v['help']} -> "
            + "; ".join(n["target"][0] if n.get("target") else "?" for n in v["nodes"][:5])
            for v in violations
        )
        assert not violations, f"axe-core found violations on {page.url}:\n{details}"
        return results.response["violations"]

    return check


def browser_login(page, email: str, password: str, next_url: str = "") -> None:
    """Sign in through the real form (then land on ``next_url``, if given)."""
    page.goto("/accounts/login/" + (f"?next={next_url}" if next_url else ""))
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


@pytest.fixture
def smtp_server(settings):
    """A local SMTP server that the project's real SMTP backend talks to."""
    with SMTPStandIn() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = server.port
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = ""
        settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_TIMEOUT = 5
        yield server


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """``with on_commit():`` runs the block's after-commit callbacks (queued tasks) at its end."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run
