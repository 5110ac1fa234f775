"""Refresher reminders: 60 and 14 days before a status lapses, once each."""

import datetime
import html

import pytest
import time_machine
from django.core import mail as outbox
from django.core.management import call_command

from smartnet.models import JobRun
from smartnet.roles import Role
from tests.concurrency import at_once, raised
from tests.factories import AffiliationFactory, PersonFactory, UserFactory
from tests.partners.factories import make_partner
from tests.training.factories import champion_course, intro_course, make_trained_facilitator
from training import services
from training.models import RefresherReminder
from training.services.refreshers import offset_due

D = datetime.date


def _facilitator(email: str, on: datetime.date):
    """A trained facilitator (24 months' validity) from ``on``."""
    return make_trained_facilitator(PersonFactory(email=email), completed_on=on)


def test_offset_due_picks_the_nearest_reminder_not_yet_passed():
    assert offset_due(61) is None
    assert offset_due(60) == 60
    assert offset_due(15) == 60
    assert offset_due(14) == 14
    assert offset_due(0) == 14
    assert offset_due(-1) is None


@pytest.mark.django_db
def test_a_year_of_daily_runs_reminds_each_person_twice_and_only_twice():
    # Lapses 1 Mar 2027 (24 months from 1 Mar 2025).
    robin = _facilitator("robin@example.org", D(2025, 3, 1))
    # Refreshed: the 2025 completion is superseded by a later one, lapsing in 2028.
    sam = _facilitator("sam@example.org", D(2025, 3, 1))
    make_trained_facilitator(sam, completed_on=D(2026, 6, 1))
    outbox.outbox.clear()
    day = D(2026, 6, 1)
    while day <= D(2027, 5, 31):
        with time_machine.travel(datetime.datetime(day.year, day.month, day.day, 7, 0), tick=False):
            services.refresher_reminders_run(today=day)
            services.refresher_reminders_run(today=day)  # run twice: nothing more
        day += datetime.timedelta(days=1)
    reminders = list(RefresherReminder.objects.order_by("claimed_on"))
    assert [(r.person_id, r.days_before, r.claimed_on) for r in reminders] == [
        (robin.pk, 60, D(2026, 12, 31)),
        (robin.pk, 14, D(2027, 2, 15)),
    ]
    assert all(r.sent_at for r in reminders)
    assert [m.to for m in outbox.outbox] == [["robin@example.org"]] * 2
    assert "1 March 2027" in outbox.outbox[0].subject
    assert "in 60 days" in outbox.outbox[0].body
    assert not RefresherReminder.objects.filter(person=sam).exists()
    run = JobRun.objects.get(job="training.refresher_reminders", key="2026-12-31")
    assert run.summary["reminded"] == 1 and run.summary["already"] == 1


@pytest.mark.django_db
def test_a_missed_run_sends_only_the_nearest_reminder():
    _facilitator("robin@example.org", D(2025, 3, 1))
    outbox.outbox.clear()
    services.refresher_reminders_run(today=D(2027, 2, 20))  # 9 days before
    assert list(RefresherReminder.objects.values_list("days_before", flat=True)) == [14]
    assert len(outbox.outbox) == 1


@pytest.mark.django_db
def test_champions_are_reminded_and_people_without_an_address_are_counted():
    org = make_partner(
        signed_on=D(2023, 1, 1), start=D(2023, 1, 1), end=D(2023, 12, 31)
    ).organisation
    champion = AffiliationFactory(organisation=org, role="staff", start_date=D(2022, 1, 1)).person
    services.completion_record(
        person=champion, course=champion_course(), completed_on=D(2023, 5, 1)
    )
    nobody = make_trained_facilitator(PersonFactory(email=""), completed_on=D(2024, 5, 1))
    outbox.outbox.clear()
    summary = services.refresher_reminders_run(today=D(2026, 4, 20))  # 11 days before both
    assert summary["no_email"] == 1
    assert not RefresherReminder.objects.filter(person=nobody).exists()
    reminded = set(RefresherReminder.objects.values_list("person_id", flat=True))
    # 36 months' validity: lapses 1 May 2026.
    assert reminded == {champion.pk}


@pytest.mark.django_db
def test_a_refused_send_gives_the_claim_back_for_the_next_run(settings, monkeypatch):
    _facilitator("robin@example.org", D(2025, 3, 1))
    outbox.outbox.clear()

    def refuse(self, *args, **kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)
    with pytest.raises(OSError):
        services.refresher_reminders_run(today=D(2027, 2, 20))
    assert not RefresherReminder.objects.exists()
    monkeypatch.undo()
    services.refresher_reminders_run(today=D(2027, 2, 20))
    assert RefresherReminder.objects.count() == 1 and len(outbox.outbox) == 1


@pytest.mark.django_db
def test_command_takes_today_and_refuses_a_bad_date(capsys):
    _facilitator("robin@example.org", D(2025, 3, 1))
    call_command("run_refresher_reminders", "--today", "2027-02-20")
    assert "reminded: 1" in capsys.readouterr().out
    call_command("run_refresher_reminders", "--today", "2027-02-21")
    assert "reminded: 0" in capsys.readouterr().out
    with pytest.raises(Exception, match="--today"):
        call_command("run_refresher_reminders", "--today", "20/02/2027")


@pytest.mark.django_db
def test_the_task_is_on_the_beat_schedule(settings):
    entries = {e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "training.tasks.refresher_reminders" in entries


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_on_postgres_remind_once(postgres):
    for n in range(5):
        _facilitator(f"f{n}@example.org", D(2025, 3, 1))
    outbox.outbox.clear()

    def run():
        return services.refresher_reminders_run(today=D(2027, 2, 20))

    outcomes = at_once(run, run)
    assert raised(outcomes) == []
    assert RefresherReminder.objects.count() == 5
    assert len(outbox.outbox) == 5
    assert sum(o["reminded"] for o in outcomes) == 5


@pytest.mark.django_db
def test_staff_see_who_is_overdue(client):
    overdue = _facilitator("late@example.org", D(2024, 1, 10))  # lapsed 10 Jan 2026
    soon = _facilitator("soon@example.org", D(2024, 7, 1))  # lapses 1 Jul 2026
    intro = PersonFactory(email="intro@example.org")
    services.completion_record(person=intro, course=intro_course(), completed_on=D(2024, 1, 1))
    client.force_login(UserFactory(role=Role.TRAINING))
    with time_machine.travel(datetime.datetime(2026, 6, 1, 12, 0), tick=False):
        response = client.get("/staff/training/refreshers/")
    page = html.unescape(response.content.decode())
    assert response.status_code == 200
    overdue_part, soon_part = page.split("Due in the next", 1)
    assert overdue.full_name in overdue_part and soon.full_name not in overdue_part
    assert soon.full_name in soon_part
    assert intro.full_name not in page
