"""A real Celery worker process is killed (SIGKILL) in the middle of the
renewals job, then a new one starts: the broker redelivers the unacknowledged
message (acks_late + reject_on_worker_lost, a short visibility timeout), the
job runs again, and its unique rows make it finish the work without doing any
of it twice.

Needs PostgreSQL (the worker process and the test share the test database by
name) and redis-server (a private one, as in tests/core/test_faults.py).
"""

import datetime
import email
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from materials.models import Dispatch, DispatchLine, Pack, StockMovement
from materials.tasks import create_manual_dispatch
from partners.models import AgreementPeriod, Invoice, Reminder
from partners.tasks import run_renewals
from smartnet.celery import app as celery_app
from smartnet.models import JobRun
from tests.core.test_faults import (
    _use_broker,
    private_redis,  # noqa: F401  (a fixture)
)
from tests.factories import AffiliationFactory, PersonFactory, UserFactory
from tests.materials.factories import make_item, make_pack
from tests.partners.factories import make_partner
from tests.trust.tried import TRIED

D = datetime.date
TODAY = D(2025, 12, 24)  # 7 days before the periods below end: remind + draft renewal
AGREEMENTS = 120

WORKER = """
import sys
from smartnet.celery import app
app.conf.broker_transport_options = {"visibility_timeout": 4}
app.conf.broker_connection_retry_on_startup = True
app.worker_main(["worker", "-P", "solo", "-c", "1", "--without-gossip", "--without-mingle",
                 "--without-heartbeat", "-l", "WARNING", "-Q", "celery"])
"""


def _database_url() -> str:
    s = connection.settings_dict
    return (
        f"postgres://{s['USER'] or 'postgres'}:{s['PASSWORD'] or ''}@{s['HOST'] or '127.0.0.1'}:"
        f"{s['PORT'] or 5432}/{s['NAME']}"
    )


def _stop_workers(*workers: subprocess.Popen | None) -> None:
    """Stop the workers still running: politely, then by force."""
    for proc in workers:
        if proc is not None and proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


def _start_worker(redis_url: str, mail_dir: Path, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "REDIS_URL": redis_url,
        # django-environ drops one leading slash of the path: four in all.
        "EMAIL_URL": f"filemail:///{mail_dir}",
        "DATABASE_CONN_MAX_AGE": "0",
    }
    env.pop("SMARTNET_REQUIRE_SERVICES", None)
    return subprocess.Popen(
        [sys.executable, "-c", WORKER],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _messages(mail_dir: Path) -> list:
    """Every message the worker processes wrote (the file backend appends each
    one to a file of its connection, separated by a line of 79 dashes)."""
    found = []
    for path in sorted(mail_dir.glob("*.log")):
        for chunk in path.read_text(errors="replace").split("-" * 79 + "\n"):
            if chunk.strip():
                found.append(email.message_from_string(chunk))
    return found


def _wait(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.django_db(transaction=True)
def test_renewals_job_killed_mid_run_finishes_once_after_restart(
    postgres,
    private_redis,  # noqa: F811
    tmp_path,
):
    UserFactory(email="boss@smartnet.example", role="staff_admin")
    for _ in range(AGREEMENTS):
        agreement = make_partner(signed_on=D(2025, 1, 1), start=D(2025, 1, 1))
        AffiliationFactory(
            person=PersonFactory(email=f"contact{agreement.pk}@partner.example"),
            organisation=agreement.organisation,
            role="main_contact",
        )
    invoices_before = Invoice.objects.count()
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    log = tmp_path / "worker.log"

    previous = celery_app.conf.broker_url
    celery_app.conf.task_always_eager = False
    _use_broker(private_redis.url)
    first = second = None
    try:
        run_renewals.apply_async(args=[TODAY.isoformat()])
        first = _start_worker(private_redis.url, mail_dir, log)
        # Kill the worker once the job is well under way (some reminders
        # committed and e-mailed), long before it could finish.
        assert _wait(lambda: Reminder.objects.count() >= 10, 90), log.read_text()[-3000:]
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(10)
        done_at_kill = Reminder.objects.count()
        assert done_at_kill < AGREEMENTS, "the job finished before the kill: make it longer"
        assert not JobRun.objects.filter(job="partners.run_renewals").exists()

        second = _start_worker(private_redis.url, mail_dir, log)
        assert _wait(
            lambda: JobRun.objects.filter(
                job="partners.run_renewals", finished_at__isnull=False
            ).exists(),
            120,
        ), "the killed job was not redelivered and finished:\n" + log.read_text()[-3000:]
        time.sleep(6)  # past a visibility timeout: a third delivery would show now
    finally:
        _stop_workers(first, second)
        _use_broker(previous)
        celery_app.conf.task_always_eager = True

    TRIED["worker kills (renewals)"] += 1
    # Nothing lost: every agreement got its 7-day reminder and a renewal draft.
    assert Reminder.objects.count() == AGREEMENTS
    assert AgreementPeriod.objects.filter(previous__isnull=False).count() == AGREEMENTS
    # Nothing twice: one reminder row, one draft, at most one customer e-mail
    # each. The row is committed before its e-mail goes and stamped after the
    # mail server took it, so the kill leaves at most one reminder unconfirmed
    # (listed for staff): killed before the server took it (no e-mail) or
    # after (one e-mail, not stamped). Never a second e-mail; every other
    # reminder was e-mailed once and confirmed.
    assert Reminder.objects.values("period", "kind").distinct().count() == AGREEMENTS
    customer = [m for m in _messages(mail_dir) if "partner.example" in m["To"]]
    recipients = [m["To"] for m in customer]
    duplicated = sorted({r for r in recipients if recipients.count(r) > 1})
    assert not duplicated, f"e-mailed twice: {duplicated}"
    unconfirmed = set(
        Reminder.objects.filter(sent_at__isnull=True).values_list("recipients", flat=True)
    )
    assert len(unconfirmed) <= 1
    confirmed = set(
        Reminder.objects.filter(sent_at__isnull=False).values_list("recipients", flat=True)
    )
    assert confirmed <= set(recipients) <= confirmed | unconfirmed
    # Each drafted renewal raised its invoice once.
    new_invoices = Invoice.objects.count() - invoices_before
    assert new_invoices == AGREEMENTS
    renewals = AgreementPeriod.objects.filter(previous__isnull=False)
    assert Invoice.objects.filter(period__in=renewals).values("period").distinct().count() == (
        AGREEMENTS
    )
    assert JobRun.objects.filter(job="partners.run_renewals").count() == 1
    print(
        f"killed after {done_at_kill}/{AGREEMENTS} reminders; {len(customer)} e-mails, "
        f"{unconfirmed} unconfirmed, {new_invoices} invoices, 0 lost, 0 duplicated"
    )


DISPATCHES = 150


@pytest.mark.django_db(transaction=True)
def test_dispatch_jobs_killed_mid_queue_create_each_dispatch_once(
    postgres,
    private_redis,  # noqa: F811
    tmp_path,
):
    """A trained facilitator's manual: one task per person, each queued twice
    (as a redelivery would), a worker SIGKILLed part way through the queue and
    a new one started: every person has exactly one dispatch with its lines,
    and creating dispatches moved no stock (stock moves when packed)."""

    item = make_item("manual", stock=1000)
    Pack.objects.filter(code=Pack.FACILITATOR_WELCOME).delete()
    make_pack(Pack.FACILITATOR_WELCOME, {item: 1})
    people = [PersonFactory(email=f"f{i}@facilitator.example") for i in range(DISPATCHES)]
    movements_before = StockMovement.objects.count()
    log = tmp_path / "worker.log"
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()

    previous = celery_app.conf.broker_url
    celery_app.conf.task_always_eager = False
    _use_broker(private_redis.url)
    first = second = None
    try:
        for person in people:
            create_manual_dispatch.apply_async(args=[person.pk])
        for person in people:
            create_manual_dispatch.apply_async(args=[person.pk])
        first = _start_worker(private_redis.url, mail_dir, log)
        assert _wait(lambda: Dispatch.objects.count() >= 20, 90), log.read_text()[-3000:]
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(10)
        done_at_kill = Dispatch.objects.count()
        assert done_at_kill < DISPATCHES, "the queue emptied before the kill: make it longer"

        second = _start_worker(private_redis.url, mail_dir, log)
        assert _wait(lambda: Dispatch.objects.count() >= DISPATCHES, 120), (
            "dispatches lost after the kill:\n" + log.read_text()[-3000:]
        )
        time.sleep(6)  # past a visibility timeout: late duplicates would show now
    finally:
        _stop_workers(first, second)
        _use_broker(previous)
        celery_app.conf.task_always_eager = True

    TRIED["worker kills (dispatches)"] += 1
    assert Dispatch.objects.count() == DISPATCHES
    assert Dispatch.objects.values("person").distinct().count() == DISPATCHES
    assert DispatchLine.objects.filter(item=item).count() == DISPATCHES
    assert StockMovement.objects.count() == movements_before
    print(f"killed after {done_at_kill}/{DISPATCHES} dispatches; 0 lost, 0 duplicated")
