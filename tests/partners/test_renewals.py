import datetime
import smtplib
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from board import rollups
from partners import services
from partners.models import (
    AffiliationRole,
    AgreementPeriod,
    Invoice,
    InvoiceStatus,
    PeriodStatus,
    Person,
    Reminder,
    SiteFlag,
)
from partners.personal_data import person_erase, person_export
from partners.tasks import run_renewals as run_renewals_task
from smartnet.models import JobRun
from smartnet.roles import Role
from tests.concurrency import at_once, raised
from tests.factories import AffiliationFactory, OrganisationFactory, PersonFactory, UserFactory
from tests.partners.factories import make_partner

D = datetime.date
END = D(2025, 12, 31)


def partner_with_contact(**kwargs):
    agreement = make_partner(signed_on=D(2025, 1, 1), start=D(2025, 1, 1), **kwargs)
    person = PersonFactory(email=f"contact{agreement.pk}@partner.example")
    AffiliationFactory(
        person=person, organisation=agreement.organisation, role=AffiliationRole.MAIN_CONTACT
    )
    return agreement


def customer_mail():
    return [m for m in mail.outbox if "partner.example" in ",".join(m.to)]


@pytest.mark.django_db
def test_reminders_at_60_30_7_days_html_and_text():
    UserFactory(email="boss@smartnet.example", role=Role.STAFF_ADMIN)
    agreement = partner_with_contact()
    for day in (D(2025, 11, 1), D(2025, 12, 1), D(2025, 12, 24)):
        services.run_renewals(today=day)
    kinds = sorted(
        Reminder.objects.filter(period__agreement=agreement).values_list("kind", flat=True)
    )
    assert kinds == ["30", "60", "7"]
    sent = customer_mail()
    assert len(sent) == 3
    assert "ends on 31 December 2025" in sent[0].subject
    assert sent[0].alternatives[0][1] == "text/html" and "<strong>" in sent[0].alternatives[0][0]
    assert "in 7 days" in sent[2].body
    assert "We will send the renewal" in sent[0].body
    assert "is ready. Please confirm it in the partner portal" in sent[1].body
    staff = [m for m in mail.outbox if m.to == ["boss@smartnet.example"]]
    assert len(staff) == 3 and "Renewals job" in staff[0].subject


@pytest.mark.django_db
def test_renewal_and_invoice_drafted_at_30_days_once():
    agreement = partner_with_contact(sites=3)
    period = agreement.periods.get()
    services.run_renewals(today=D(2025, 11, 30))
    assert not AgreementPeriod.objects.filter(previous=period).exists()
    services.run_renewals(today=D(2025, 12, 1))
    services.run_renewals(today=D(2025, 12, 2))
    renewal = AgreementPeriod.objects.get(previous=period)
    invoice = Invoice.objects.get(period=renewal)
    assert invoice.total == Decimal("1500.00") and invoice.status == InvoiceStatus.DRAFT


@pytest.mark.django_db
def test_same_day_twice_sends_each_email_once_creates_each_invoice_once():
    agreements = [partner_with_contact() for _ in range(3)]
    first = services.run_renewals(today=D(2025, 12, 1))
    count = len(mail.outbox)
    second = services.run_renewals(today=D(2025, 12, 1))
    assert len(first["reminders"]) == 3 and len(first["renewals_drafted"]) == 3
    assert second["reminders"] == [] and second["renewals_drafted"] == []
    assert len(mail.outbox) == count  # no second staff summary either
    assert Invoice.objects.filter(period__previous__isnull=False).count() == 3
    assert Reminder.objects.count() == 3
    assert JobRun.objects.filter(job="partners.run_renewals").count() == 1
    assert len(agreements) == 3


@pytest.mark.django_db
def test_catch_up_after_missed_week_sends_only_the_latest_reminder():
    partner_with_contact()
    # The 60- and 30-day marks passed while the job was down.
    summary = services.run_renewals(today=D(2025, 12, 5))
    assert (
        summary["reminders"] == [summary["reminders"][0]] and "(30 days)" in summary["reminders"][0]
    )
    assert summary["renewals_drafted"]
    services.run_renewals(today=D(2025, 12, 6))
    assert list(Reminder.objects.values_list("kind", flat=True)) == ["30"]
    assert len(customer_mail()) == 1


@pytest.mark.django_db
def test_lapse_after_grace_flags_sites_and_tells_partner(settings):
    settings.PARTNERS_GRACE_DAYS = 30
    agreement = partner_with_contact(sites=2)
    period = agreement.periods.get()
    services.run_renewals(today=D(2025, 12, 1))
    services.run_renewals(today=D(2026, 1, 30))
    period.refresh_from_db()
    assert period.status == PeriodStatus.RENEWAL_DUE  # in grace
    summary = services.run_renewals(today=D(2026, 1, 31))
    period.refresh_from_db()
    assert period.status == PeriodStatus.LAPSED and summary["lapsed"] == [agreement.reference]
    assert period.renewal.status == PeriodStatus.LAPSED
    assert period.renewal.invoices.get().status == InvoiceStatus.VOID
    assert SiteFlag.objects.count() == 2
    assert Reminder.objects.filter(kind="lapsed").count() == 1
    assert any("has lapsed" in m.subject for m in customer_mail())
    services.run_renewals(today=D(2026, 2, 1))
    assert SiteFlag.objects.count() == 2


@pytest.mark.django_db
def test_no_contact_needs_a_human():
    agreement = make_partner(signed_on=D(2025, 1, 1), start=D(2025, 1, 1))
    summary = services.run_renewals(today=D(2025, 11, 1))
    assert any(agreement.reference in item for item in summary["needs_human"])


@pytest.mark.django_db
def test_task_and_command_call_the_service(capsys):
    partner_with_contact()
    run_renewals_task.delay("2025-11-01")
    assert Reminder.objects.count() == 1
    call_command("run_renewals", "--today", "2025-12-01")
    out = capsys.readouterr().out
    assert "renewals drafted: 1" in out
    with pytest.raises(Exception, match="--today"):
        call_command("run_renewals", "--today", "01/12/2025")


@pytest.mark.django_db
def test_query_count_does_not_grow_with_periods_scanned(django_assert_num_queries):
    for _ in range(3):
        partner_with_contact()
    services.run_renewals(today=D(2025, 11, 1))
    with CaptureQueriesContext(connection) as ctx:
        services.run_renewals(today=D(2025, 11, 2))
    # Scan (candidates, reminders, renewals, contacts, pending count) and the
    # day's JobRun under a row lock (savepoint, read, release).
    assert len(ctx.captured_queries) <= 12
    for _ in range(5):
        partner_with_contact()
    for period in AgreementPeriod.objects.all():
        Reminder.objects.get_or_create(
            period=period, kind="60", defaults={"for_date": D(2025, 11, 1)}
        )
    with django_assert_num_queries(len(ctx.captured_queries)):
        services.run_renewals(today=D(2025, 11, 3))


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_on_postgres(postgres):
    agreements = [partner_with_contact() for _ in range(5)]

    def worker():
        return services.run_renewals(today=D(2025, 12, 1))

    assert raised(at_once(worker, worker)) == []
    assert Reminder.objects.count() == 5
    assert AgreementPeriod.objects.filter(previous__isnull=False).count() == 5
    assert Invoice.objects.filter(period__previous__isnull=False).count() == 5
    assert len(customer_mail()) == 5
    assert len(agreements) == 5


@pytest.mark.django_db(transaction=True)
def test_invoice_numbers_unique_and_gap_free_under_concurrency(postgres):

    org = OrganisationFactory()
    drafts = [
        services.invoice_draft(
            organisation=org,
            lines=[services.invoice_line(product_code="site_licence", description="x", amount="1")],
        )
        for _ in range(8)
    ]
    issued = at_once(
        *[lambda d=d: services.invoice_issue(invoice=d, today=D(2025, 1, 1)) for d in drafts]
    )
    assert raised(issued) == []
    numbers = sorted(Invoice.objects.values_list("number", flat=True))
    assert numbers == [f"INV-{n:06d}" for n in range(1, 9)]


@pytest.mark.django_db
def test_reminder_recipients_are_exported_and_erased():

    agreement = partner_with_contact()
    services.run_renewals(today=D(2025, 11, 1))
    person = Person.objects.get(email=f"contact{agreement.pk}@partner.example")
    exported = person_export(person_id=person.pk)["partners_renewal_reminders"]
    assert exported == [
        {
            "agreement": agreement.reference,
            "kind": "60 days before the end",
            "sent_on": "2025-11-01",
        }
    ]
    person_erase(person_id=person.pk)
    assert Reminder.objects.get().recipients == ""


# --- batches and at-most-once e-mail ------------------------------------------------------


@pytest.mark.django_db
def test_a_long_catch_up_runs_in_batches_and_reports_once(
    settings, django_capture_on_commit_callbacks
):
    """Five periods due, batches of two: the service leaves what it did not
    reach, the task queues the next batch itself, and the day ends with one
    JobRun holding every batch's work and one staff summary e-mail."""
    settings.PARTNERS_RENEWALS_BATCH = 2
    UserFactory(email="boss@smartnet.example", role=Role.STAFF_ADMIN)
    agreements = [partner_with_contact() for _ in range(5)]
    first = services.run_renewals(today=D(2025, 11, 1))
    assert len(first["reminders"]) == 2 and first["left"] == 3
    run = JobRun.objects.get(job="partners.run_renewals")
    assert run.finished_at is None  # not done until the last batch
    assert not [m for m in mail.outbox if "boss@" in ",".join(m.to)]

    # The rest, batch after batch: each queues the next through the outbox
    # once its transaction commits.
    with django_capture_on_commit_callbacks(execute=True) as queued:
        run_renewals_task.delay("2025-11-01")
    # The task did two and queued the last one (beside the board's roll-up drops).
    assert len([c for c in queued if not isinstance(c, rollups._Drop)]) == 1
    assert Reminder.objects.count() == 5
    assert len(customer_mail()) == 5
    run.refresh_from_db()
    assert run.finished_at is not None and run.summary["left"] == 0
    assert sorted(run.summary["reminders"]) == sorted(
        f"{a.reference} (60 days)" for a in agreements
    )
    staff = [m for m in mail.outbox if "boss@" in ",".join(m.to)]
    assert len(staff) == 1
    # The same day again: nothing to do, nothing sent.
    assert services.run_renewals(today=D(2025, 11, 1))["left"] == 0
    assert len(mail.outbox) == 6


@pytest.mark.django_db
def test_a_failed_send_gives_back_the_claim(smtp_server):
    agreement = partner_with_contact()
    smtp_server.refuse(1)
    with pytest.raises(smtplib.SMTPException):
        services.run_renewals(today=D(2025, 11, 1))
    assert Reminder.objects.count() == 0  # the next run (the task's retry) tries again
    services.run_renewals(today=D(2025, 11, 1))
    services.run_renewals(today=D(2025, 11, 1))
    reminder = Reminder.objects.get()
    to_partner = [m for m in smtp_server.messages if "partner.example" in m.recipients[0]]
    assert reminder.sent_at is not None and len(to_partner) == 1
    assert to_partner[0].recipients == [f"contact{agreement.pk}@partner.example"]


@pytest.mark.django_db
def test_a_claim_cut_short_is_never_sent_again_and_staff_see_it(client):
    """A worker killed after committing the reminder row and before the mail
    server took the e-mail leaves a claim with no ``sent_at``: later runs do not
    send it (at most once), and the renewals page lists it for a human."""
    agreement = partner_with_contact()
    period = agreement.periods.get()
    cut_short = Reminder.objects.create(
        period=period,
        kind="60",
        for_date=D(2025, 11, 1),
        recipients=f"contact{agreement.pk}@partner.example",
        created_at=datetime.datetime(2025, 11, 1, 6, tzinfo=datetime.UTC),
    )
    services.run_renewals(today=D(2025, 11, 1))
    services.run_renewals(today=D(2025, 11, 2))
    assert customer_mail() == []
    cut_short.refresh_from_db()
    assert cut_short.sent_at is None
    client.force_login(UserFactory(role=Role.FINANCE))
    page = client.get("/staff/partners/renewals/").content.decode()
    assert "Reminders that may not have gone" in page
    assert agreement.reference in page and f"contact{agreement.pk}@partner.example" in page
    # Sent ones are not listed.
    Reminder.objects.filter(pk=cut_short.pk).update(sent_at=datetime.datetime.now(datetime.UTC))
    assert (
        "Reminders that may not have gone"
        not in client.get("/staff/partners/renewals/").content.decode()
    )


@pytest.mark.django_db
def test_a_lapse_notice_the_server_refused_stays_listed_for_staff(settings, smtp_server, client):
    """The lapse itself is committed and no later run returns to a lapsed term,
    so a refused lapse notice keeps its claim: unconfirmed, on the renewals page."""
    settings.PARTNERS_GRACE_DAYS = 30
    agreement = partner_with_contact()
    services.run_renewals(today=D(2025, 12, 1))
    smtp_server.messages.clear()
    smtp_server.refuse(1)
    with pytest.raises(smtplib.SMTPException):
        services.run_renewals(today=D(2026, 1, 31))
    notice = Reminder.objects.get(kind="lapsed")
    assert notice.sent_at is None
    assert agreement.periods.order_by("start_date").first().status == PeriodStatus.LAPSED
    services.run_renewals(today=D(2026, 1, 31))  # the retry: nothing sent twice
    assert not [m for m in smtp_server.messages if "partner.example" in m.recipients[0]]
    Reminder.objects.filter(pk=notice.pk).update(
        created_at=datetime.datetime(2026, 1, 31, 6, tzinfo=datetime.UTC)
    )
    client.force_login(UserFactory(role=Role.FINANCE))
    page = client.get("/staff/partners/renewals/").content.decode()
    assert "Reminders that may not have gone" in page and agreement.reference in page
