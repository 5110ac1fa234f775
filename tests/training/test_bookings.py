"""People booking training themselves, the waiting list, offers and reminders."""

import datetime

import pytest
from django.conf import settings
from django.core import mail as outbox
from django.core.exceptions import ValidationError
from django.core.management import call_command

from smartnet.roles import Role
from tests.concurrency import at_once, raised
from tests.factories import OrganisationFactory, PersonFactory, UserFactory, portal_user
from tests.training.factories import CourseFactory
from training import services
from training.links import booking_token, booking_url
from training.models import (
    AccessRule,
    Delivery,
    EventPlace,
    WaitingListEntry,
    WaitStatus,
)

D = datetime.date
TODAY = D(2026, 3, 2)


def _event(capacity=2, held_on=None, **course):
    fields = {
        "code": "f2f",
        "delivery": Delivery.FACE_TO_FACE,
        "access_rule": AccessRule.OPEN,
        **course,
    }
    return services.event_create(
        course=CourseFactory(**fields),
        held_on=held_on or D(2026, 3, 20),
        venue="Leeds hub",
        capacity=capacity,
    )


def _mail_to(email):
    return [m for m in outbox.outbox if m.to == [email]]


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """``with committed():`` runs the block's after-commit callbacks (the queued e-mails)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 2, 9, 0), tick=False)


@pytest.mark.django_db
def test_booking_gives_a_seat_and_a_confirmation_with_a_calendar_file(committed):
    event = _event()
    person = PersonFactory(email="ann@example.org")
    with committed():
        result = services.booking_request(event=event, person=person, today=TODAY)
    assert result.outcome == "booked" and result.place.seat == 1
    [message] = _mail_to("ann@example.org")
    assert "Your place" in message.subject
    [(name, content, mimetype)] = message.attachments
    assert mimetype == "text/calendar" and name.endswith(".ics")
    ics = content.decode() if isinstance(content, bytes) else content
    assert "DTSTART;VALUE=DATE:20260320" in ics and "Leeds hub" in ics
    with committed():
        again = services.booking_request(event=event, person=person, today=TODAY)
    assert again.outcome == "already_booked"
    assert EventPlace.objects.count() == 1 and len(_mail_to("ann@example.org")) == 1


@pytest.mark.django_db
def test_waiting_list_moves_when_a_place_frees_and_offers_expire(settings, committed):
    settings.TRAINING_WAITING_OFFER_DAYS = 3
    event = _event(capacity=1)
    ann, bob, cat = (PersonFactory(email=f"{n}@example.org") for n in ("ann", "bob", "cat"))
    services.booking_request(event=event, person=ann, today=TODAY)
    second = services.booking_request(event=event, person=bob, today=TODAY)
    third = services.booking_request(event=event, person=cat, today=TODAY)
    assert second.outcome == third.outcome == "waiting"
    assert "number 1 in line" in second.message and "number 2 in line" in third.message
    assert "full (1 places)" in second.message or "full (1 place" in second.message
    # Ann cancels: Bob is offered the place, held for him (Cat cannot take it).
    with committed():
        assert services.booking_cancel(event=event, person=ann, today=TODAY) == 1
    bob_entry = WaitingListEntry.objects.get(person=bob)
    assert bob_entry.status == WaitStatus.OFFERED and bob_entry.offer_expires_on == D(2026, 3, 5)
    [offer] = [m for m in _mail_to("bob@example.org") if "place is free" in m.subject]
    assert booking_url(event.pk, bob.pk) in offer.body
    assert services.booking_request(event=event, person=cat, today=TODAY).outcome == (
        "already_waiting"
    )
    # Bob lets it lapse: the daily job passes it to Cat; run twice, once.
    for _ in range(2):
        with committed():
            services.bookings_daily_run(today=D(2026, 3, 6))
    bob_entry.refresh_from_db()
    assert bob_entry.status == WaitStatus.EXPIRED
    cat_entry = WaitingListEntry.objects.get(person=cat)
    assert cat_entry.status == WaitStatus.OFFERED
    assert len([m for m in _mail_to("cat@example.org") if "place is free" in m.subject]) == 1
    result = services.booking_request(event=event, person=cat, today=D(2026, 3, 7))
    assert result.outcome == "booked"
    cat_entry.refresh_from_db()
    assert cat_entry.status == WaitStatus.ACCEPTED
    # Bob asks again: the event is full, so he is back in the queue.
    assert services.booking_request(event=event, person=bob, today=D(2026, 3, 7)).outcome == (
        "waiting"
    )


@pytest.mark.django_db
def test_reminder_the_day_before_once_with_the_calendar_file(committed):
    event = _event()
    with committed():
        services.booking_request(event=event, person=PersonFactory(email="ann@example.org"))
    outbox.outbox.clear()
    services.bookings_daily_run(today=D(2026, 3, 18))
    assert outbox.outbox == []
    for _ in range(2):
        services.bookings_daily_run(today=D(2026, 3, 19))
    [reminder] = outbox.outbox
    assert reminder.subject.startswith("Tomorrow:")
    assert reminder.attachments[0][2] == "text/calendar"


@pytest.mark.django_db
def test_past_online_and_ineligible_bookings_explain_what_happened(committed):
    person = PersonFactory()
    with pytest.raises(ValidationError, match="took place on 1 March 2026"):
        services.booking_request(event=_event(held_on=D(2026, 3, 1)), person=person)
    with pytest.raises(ValidationError, match="online course"):
        services.booking_request(
            event=_event(code="online", delivery=Delivery.ONLINE), person=person
        )
    with pytest.raises(ValidationError, match="only for staff of a partner"):
        services.booking_request(
            event=_event(code="pro", access_rule=AccessRule.PARTNER_STAFF), person=person
        )
    assert not EventPlace.objects.exists() and not WaitingListEntry.objects.exists()


@pytest.mark.django_db
def test_the_invitation_link_books_and_a_tampered_one_does_nothing(client, committed):
    event = _event(capacity=1)
    ann = PersonFactory(email="ann@example.org")
    staff = UserFactory(role=Role.TRAINING)
    client.force_login(staff)
    with committed():
        response = client.post(
            f"/staff/training/events/{event.pk}/invite/", {"invite-emails": "ann@example.org"}
        )
    assert response.status_code == 302
    [invitation] = _mail_to("ann@example.org")
    path = booking_url(event.pk, ann.pk).removeprefix(settings.SITE_URL)
    assert path in invitation.body
    client.logout()
    page = client.get(path)
    assert page.status_code == 200 and "Book a place" in page.content.decode()
    response = client.post(path, {"action": "book"}, follow=True)
    assert "Place booked" in response.content.decode()
    assert EventPlace.objects.filter(event=event, person=ann).exists()
    token = booking_token(event.pk, ann.pk)
    tampered = path.replace(token, token[:-2] + ("AA" if token[-2:] != "AA" else "BB"))
    response = client.post(tampered, {"action": "cancel"})
    assert response.status_code == 400
    assert "not valid" in response.content.decode()
    assert EventPlace.objects.filter(event=event, person=ann).exists()


@pytest.mark.django_db
def test_a_full_event_by_link_says_so_and_puts_them_on_the_list(client, committed):
    event = _event(capacity=1)
    services.booking_request(event=event, person=PersonFactory())
    bob = PersonFactory(email="bob@example.org")
    path = booking_url(event.pk, bob.pk).removeprefix(settings.SITE_URL)
    assert "Join the waiting list" in client.get(path).content.decode()
    page = client.post(path, {"action": "book"}, follow=True).content.decode()
    assert "is full (1 places)" in page or "is full" in page
    assert "number 1 in line" in page


@pytest.mark.django_db
def test_a_past_event_link_explains_and_books_nothing(client, committed):
    event = _event(held_on=D(2026, 2, 1))
    bob = PersonFactory()
    path = booking_url(event.pk, bob.pk).removeprefix(settings.SITE_URL)
    response = client.post(path, {"action": "book"})
    assert response.status_code == 400
    assert "took place on 1 February 2026" in response.content.decode()
    assert not EventPlace.objects.exists()


@pytest.mark.django_db
def test_a_portal_contact_books_themselves(client, committed):
    event = _event()
    user = portal_user(OrganisationFactory())
    client.force_login(user)
    listing = client.get("/portal/training/events/").content.decode()
    assert event.course.title in listing
    response = client.post(f"/portal/training/events/{event.pk}/", {"action": "book"})
    assert response.status_code == 302
    place = EventPlace.objects.get(event=event)
    assert place.person.user == user and place.booked_by is None


@pytest.mark.django_db
def test_staff_book_on_behalf_and_a_full_event_puts_them_on_the_list(client, committed):
    event = _event(capacity=1)
    staff = UserFactory(role=Role.TRAINING)
    client.force_login(staff)
    for email in ("ann@example.org", "bob@example.org"):
        PersonFactory(email=email)
        client.post(f"/staff/training/events/{event.pk}/book/", {"book-email": email})
    place = EventPlace.objects.get(event=event)
    assert place.booked_by == staff and place.person.email == "ann@example.org"
    assert WaitingListEntry.objects.get(event=event).person.email == "bob@example.org"
    page = client.get(f"/staff/training/events/{event.pk}/").content.decode()
    assert "Waiting list" in page and "1 free" not in page
    client.post(f"/staff/training/events/{event.pk}/cancel/", {"person": place.person_id})
    assert not EventPlace.objects.exists()
    assert WaitingListEntry.objects.get(event=event).status == WaitStatus.OFFERED


@pytest.mark.django_db
def test_command_takes_today(capsys, committed):
    call_command("run_training_bookings", "--today", "2026-03-19")
    assert "reminders sent: 0" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
def test_two_people_taking_the_last_place_at_once_on_postgres(postgres):
    event = _event(capacity=1)
    ann, bob = PersonFactory(), PersonFactory()
    outcomes = at_once(
        lambda: services.booking_request(event=event, person=ann, today=TODAY).outcome,
        lambda: services.booking_request(event=event, person=bob, today=TODAY).outcome,
    )
    assert raised(outcomes) == []
    assert sorted(outcomes) == ["booked", "waiting"]
    assert EventPlace.objects.filter(event=event).count() == 1
    assert WaitingListEntry.objects.filter(event=event, status=WaitStatus.WAITING).count() == 1
