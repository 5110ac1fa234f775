"""Chasing overdue invoices (issue 17): the daily job across a year, holds,
reminders by hand, two workers at once, the overdue screen and its ageing."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partners import selectors, services
from partners.models import AffiliationRole, InvoiceReminder
from smartnet.models import JobRun
from smartnet.roles import Role
from tests.concurrency import at_once, raised
from tests.factories import AffiliationFactory, PersonFactory, UserFactory
from tests.partners.factories import new_licence, term_invoice

D = datetime.date
ISSUED = D(2025, 3, 1)  # due 31 March 2025 (30 days)
DUE = D(2025, 3, 31)


def overdue_invoice():
    agreement = new_licence()
    org = agreement.organisation
    AffiliationFactory(
        person=PersonFactory(email=f"billing{org.pk}@partner.example"),
        organisation=org,
        role=AffiliationRole.BILLING_CONTACT,
    )
    invoice = term_invoice(agreement)
    services.invoice_issue(invoice=invoice, today=ISSUED)
    return invoice


def chase_mail():
    return [m for m in mail.outbox if "overdue" in m.subject]


def run_year(start=DUE, days=366, stop=None):
    day = start
    for _ in range(days):
        if stop:
            stop(day)
        services.run_chasing(today=day)
        day += datetime.timedelta(days=1)


@pytest.mark.django_db
def test_across_a_year_reminders_go_at_7_30_and_60_days_once_each(settings):
    settings.PARTNERS_CHASE_DAYS = [7, 30, 60]
    invoice = overdue_invoice()
    with time_machine.travel(DUE, tick=False):
        run_year()
    sent = InvoiceReminder.objects.filter(invoice=invoice).order_by("days")
    assert [(r.days, r.for_date) for r in sent] == [
        (7, D(2025, 4, 7)),
        (30, D(2025, 4, 30)),
        (60, D(2025, 5, 30)),
    ]
    assert all(r.sent_at for r in sent)
    assert len(chase_mail()) == 3
    body = chase_mail()[0].body
    assert invoice.number in body and "Sort code" in body and "overdue by 7 days" in body
    assert chase_mail()[0].to == [f"billing{invoice.organisation_id}@partner.example"]
    services.run_chasing(today=D(2025, 5, 30))  # run twice: nothing more
    assert len(chase_mail()) == 3
    assert JobRun.objects.filter(job="partners.run_chasing").count() == 366


@pytest.mark.django_db
def test_none_after_payment():
    invoice = overdue_invoice()

    def pay(day):
        if day == D(2025, 4, 20):
            with time_machine.travel(day, tick=False):
                services.payment_record(invoice=invoice, amount=invoice.total, received_on=day)

    run_year(stop=pay, days=120)
    assert list(InvoiceReminder.objects.values_list("days", flat=True)) == [7]


@pytest.mark.django_db
def test_none_when_credited_in_full():
    invoice = overdue_invoice()
    services.run_chasing(today=D(2025, 4, 7))
    services.invoice_void(invoice=invoice, reason="Raised in error", today=D(2025, 4, 8))
    run_year(start=D(2025, 4, 8), days=90)
    assert list(InvoiceReminder.objects.values_list("days", flat=True)) == [7]


@pytest.mark.django_db
def test_none_while_on_hold_and_again_after_release():
    invoice = overdue_invoice()
    hold = services.chasing_hold(
        organisation=invoice.organisation, reason="Disputed by the council", today=DUE
    )
    run_year(days=45)
    assert not InvoiceReminder.objects.exists()
    services.chasing_release(hold=hold, today=D(2025, 5, 15))
    run_year(start=D(2025, 5, 15), days=30)
    # Only the latest step reached is sent after a hold, not the stale ones.
    assert list(InvoiceReminder.objects.values_list("days", flat=True)) == [30, 60]


@pytest.mark.django_db
def test_a_hold_on_one_invoice_spares_the_others():
    invoice = overdue_invoice()
    services.chasing_hold(
        organisation=invoice.organisation, invoice=invoice, reason="Paying in parts", today=DUE
    )
    services.run_chasing(today=D(2025, 4, 7))
    assert not InvoiceReminder.objects.exists()


@pytest.mark.django_db
def test_the_command_takes_today(capsys):
    overdue_invoice()
    call_command("run_chasing", "--today", "2025-04-07")
    assert "reminders: 1" in capsys.readouterr().out
    call_command("run_chasing", "--today", "2025-04-07")
    assert "reminders: 0" in capsys.readouterr().out
    assert len(chase_mail()) == 1


@pytest.mark.django_db
def test_queries_grow_with_invoices_acted_on_not_scanned(django_assert_num_queries):
    for _ in range(3):
        overdue_invoice()
    services.run_chasing(today=D(2025, 4, 7))  # the three reminded at 7 days
    with CaptureQueriesContext(connection) as quiet:
        services.run_chasing(today=D(2025, 4, 8))  # 3 overdue scanned, none acted on
    for _ in range(20):
        overdue_invoice()
    InvoiceReminder.objects.bulk_create(
        InvoiceReminder(invoice=i, days=7, for_date=D(2025, 4, 7))
        for i in selectors.overdue_invoices(on=D(2025, 4, 9)).exclude(reminders__days=7)
    )
    with django_assert_num_queries(len(quiet)):
        services.run_chasing(today=D(2025, 4, 9))  # 23 overdue scanned, none acted on
    InvoiceReminder.objects.filter(pk=InvoiceReminder.objects.first().pk).delete()
    with CaptureQueriesContext(connection) as one:
        services.run_chasing(today=D(2025, 4, 10))  # one acted on
    InvoiceReminder.objects.filter(
        pk__in=list(InvoiceReminder.objects.values_list("pk", flat=True)[:3])
    ).delete()
    with CaptureQueriesContext(connection) as three:
        services.run_chasing(today=D(2025, 4, 11))  # three acted on
    per_invoice = (len(three) - len(one)) // 2
    # The contacts are one query for all; then a fixed few per reminder.
    assert len(one) == len(quiet) + 1 + per_invoice
    assert len(three) == len(quiet) + 1 + 3 * per_invoice
    assert per_invoice <= 8


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_on_postgres(postgres):
    invoices = [overdue_invoice() for _ in range(5)]

    def worker():
        return services.run_chasing(today=D(2025, 4, 7))

    assert raised(at_once(worker, worker)) == []
    assert InvoiceReminder.objects.count() == 5
    assert len(chase_mail()) == 5
    assert len(invoices) == 5


@pytest.mark.django_db
def test_a_reminder_by_hand_once_a_day_listed_on_the_invoice(
    client, django_capture_on_commit_callbacks
):
    invoice = overdue_invoice()
    with time_machine.travel(D(2025, 4, 20), tick=False):
        client.force_login(UserFactory(role=Role.FINANCE))
        with django_capture_on_commit_callbacks(execute=True):
            client.post(f"/staff/partners/invoices/{invoice.pk}/remind/", {"next": "overdue"})
        with django_capture_on_commit_callbacks(execute=True):
            client.post(f"/staff/partners/invoices/{invoice.pk}/remind/", {"next": "overdue"})
        assert InvoiceReminder.objects.filter(days=0).count() == 1
        page = client.get(f"/staff/partners/invoices/{invoice.pk}/").content.decode()
    assert "sent by hand" in page and "Overdue" in page
    assert len(chase_mail()) == 1


@pytest.mark.django_db
def test_the_overdue_screen_totals_and_ages(client):
    a = overdue_invoice()  # due 31 March
    b = overdue_invoice()
    services.payment_record(invoice=b, amount="100.00", received_on=D(2025, 3, 2))
    on = D(2025, 5, 15)  # a: 45 days overdue
    ageing = selectors.overdue_ageing(on=on)
    assert ageing["count"] == 2 and ageing["total"] == a.total + b.total - 100
    assert [band["count"] for band in ageing["bands"]] == [0, 2, 0, 0]
    with time_machine.travel(on, tick=False):
        client.force_login(UserFactory(role=Role.FINANCE))
        page = client.get("/staff/partners/invoices/overdue/").content.decode()
        partner = client.get(f"/staff/partners/{a.organisation_id}/").content.decode()
        portal_invoice = a
    for text in (
        "31-60 days",
        "Over 90 days",
        "Send a reminder now",
        "Record payment",
        "Raise a credit note",
        "Put on hold",
        "£900.00",
    ):
        assert text in page, text
    assert "Overdue" in partner
    assert portal_invoice.is_overdue_on(on) and portal_invoice.status_label
