"""Communications: segments and who is left out, preview, sending in batches
once each, unsubscribing, history and personal data."""

import datetime

import pytest
from django.core import mail as outbox

from outreach import services
from outreach.models import (
    Communication,
    CommunicationStatus,
    Recipient,
    RecipientStatus,
    Segment,
    Unsubscription,
)
from outreach.segments import audience
from partners import personal_data
from partners.models import AffiliationRole
from smartnet import mail
from smartnet.roles import Role
from tests.factories import (
    AffiliationFactory,
    CommissionerFactory,
    PersonFactory,
    UserFactory,
)
from tests.meetings.factories import make_meeting
from tests.training.factories import make_trained_facilitator
from training import services as training_services

pytestmark = pytest.mark.django_db


def _commissioner_contacts(n: int, **person):
    org = CommissionerFactory()
    return [
        AffiliationFactory(
            organisation=org,
            role=AffiliationRole.MAIN_CONTACT,
            person=PersonFactory(**person),
        ).person
        for _ in range(n)
    ]


def _draft(segment=Segment.COMMISSIONERS, **kw):
    return services.communication_create(
        subject="Spring news", body="Dear {first_name},\nOur news.", segment=segment, **kw
    )


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_audience_counts_who_will_receive_it_and_why_others_will_not():
    people = _commissioner_contacts(4)
    _commissioner_contacts(1, email="")
    Unsubscription.objects.create(person=people[0])
    found = audience(_draft())
    assert found.total == 5 and found.people.count() == 3
    assert dict(found.left_out) == {
        "no e-mail address on record": 1,
        "unsubscribed from communications": 1,
    }


def test_facilitators_need_consent_to_contact():
    with_consent = make_trained_facilitator(completed_on=datetime.date(2024, 1, 1))
    training_services.profile_update(person=with_consent, consent_to_contact=True)
    without = make_trained_facilitator(completed_on=datetime.date(2024, 1, 1))
    make_meeting(started_on=datetime.date(2024, 2, 1), facilitators=[with_consent, without])
    found = audience(_draft(segment=Segment.FACILITATORS))
    assert list(found.people) == [with_consent]
    assert dict(found.left_out) == {"no consent to contact": 1}


def test_sending_in_batches_sends_each_once_even_when_batches_run_again(settings, committed):
    settings.OUTREACH_BATCH_SIZE = 2
    people = _commissioner_contacts(5)
    communication = _draft()
    with committed():
        assert services.communication_send(communication=communication) == 5
    assert len(outbox.outbox) == 5
    assert sorted(m.to[0] for m in outbox.outbox) == sorted(p.email for p in people)
    first = outbox.outbox[0]
    assert first.subject == "Spring news"
    assert "/outreach/unsubscribe/" in first.body
    # The task run again (a retry, a second worker): nobody is pending, nobody is sent to.
    assert services.send_batch(communication_id=communication.pk)["sent"] == 0
    assert len(outbox.outbox) == 5
    communication.refresh_from_db()
    assert communication.status == CommunicationStatus.SENT
    assert services.progress(communication)["percent"] == 100
    with pytest.raises(Exception, match="already been sent"):
        services.communication_send(communication=communication)


def test_a_refusal_mid_batch_stamps_what_went_and_the_retry_sends_only_the_rest(
    settings, monkeypatch
):
    settings.OUTREACH_BATCH_SIZE = 10
    _commissioner_contacts(4)
    communication = _draft()
    services.communication_send(communication=communication)  # batches wait for the commit
    real_send = mail.send
    calls = []

    def flaky(message):
        calls.append(message.to[0])
        if len(calls) == 3:
            raise OSError("mail server went away")
        return real_send(message)

    monkeypatch.setattr(mail, "send", flaky)
    with pytest.raises(OSError):
        services.send_batch(communication_id=communication.pk)
    assert len(outbox.outbox) == 2
    assert Recipient.objects.filter(status=RecipientStatus.SENT).count() == 2
    assert Recipient.objects.filter(status=RecipientStatus.PENDING).count() == 2
    monkeypatch.setattr(mail, "send", real_send)
    services.send_batch(communication_id=communication.pk)
    addresses = [m.to[0] for m in outbox.outbox]
    assert len(addresses) == 4 == len(set(addresses))


def test_a_batch_a_worker_died_in_is_not_resent_but_shown(settings):
    _commissioner_contacts(3)
    communication = _draft()
    services.communication_send(communication=communication)
    Recipient.objects.update(status=RecipientStatus.CLAIMED)  # claimed, then the worker died
    assert services.send_batch(communication_id=communication.pk)["sent"] == 0
    assert outbox.outbox == []
    assert services.progress(communication)["unconfirmed"] == 3


def test_someone_who_unsubscribes_while_it_is_queued_is_skipped(settings):
    people = _commissioner_contacts(2)
    communication = _draft()
    services.communication_send(communication=communication)  # batches wait for the commit
    services.unsubscribe(person_id=people[0].pk)
    services.send_batch(communication_id=communication.pk)
    assert [m.to for m in outbox.outbox] == [[people[1].email]]
    assert Recipient.objects.get(person=people[0]).status == RecipientStatus.SKIPPED


def test_staff_preview_as_a_real_recipient_and_send_with_progress(client, committed):
    people = _commissioner_contacts(2, first_name="Robin")
    client.force_login(UserFactory(role=Role.STAFF_ADMIN))
    response = client.post(
        "/staff/outreach/new/",
        {"subject": "Hello", "body": "Dear {first_name}, hello.", "segment": "commissioners"},
    )
    assert response.status_code == 302
    communication = Communication.objects.get()
    page = client.get(response.url).content.decode()
    assert "2</strong> of 2" in page
    assert "Dear Robin, hello." in page and people[0].email in page
    with committed():
        client.post(f"/staff/outreach/{communication.pk}/send/")
    progress = client.get(f"/staff/outreach/{communication.pk}/progress/").content.decode()
    assert "2 of 2 sent" in progress and 'value="100"' in progress


def test_bad_input_names_the_field(client):
    client.force_login(UserFactory(role=Role.TRAINING))
    response = client.post(
        "/staff/outreach/new/",
        {"subject": "", "body": "x", "segment": "champions", "kind": "nhs"},
    )
    assert response.status_code == 400
    assert not Communication.objects.exists()


def test_the_unsubscribe_link_is_kept_and_a_tampered_one_does_nothing(client):
    [person] = _commissioner_contacts(1)
    token = services.unsubscribe_token(person.pk)
    tampered = token[:-3] + ("xyz" if not token.endswith("xyz") else "abc")
    response = client.post(f"/outreach/unsubscribe/{tampered}/")
    assert response.status_code == 400 and "not valid" in response.content.decode()
    assert not Unsubscription.objects.exists()
    assert client.get(f"/outreach/unsubscribe/{token}/").status_code == 200
    assert not Unsubscription.objects.exists()  # a GET (a link preview) changes nothing
    response = client.post(f"/outreach/unsubscribe/{token}/")
    assert "no more network e-mails" in response.content.decode()
    assert Unsubscription.objects.filter(person=person).count() == 1
    client.post(f"/outreach/unsubscribe/{token}/")
    assert Unsubscription.objects.count() == 1


def test_automatic_e_mails_still_go_after_unsubscribing(committed):
    [person] = _commissioner_contacts(1)
    services.unsubscribe(person_id=person.pk)
    make_trained_facilitator(person, completed_on=datetime.date(2025, 3, 1))
    outbox.outbox.clear()
    training_services.refresher_reminders_run(today=datetime.date(2027, 2, 20))
    assert [m.to for m in outbox.outbox] == [[person.email]]


def test_history_export_and_erasure(committed):
    [person] = _commissioner_contacts(1)
    with committed():
        services.communication_send(communication=_draft())
    assert services.history_lines(person.pk)[0].startswith("Spring news")
    exported = personal_data.person_export(person_id=person.pk)["outreach"]
    assert exported["communications"][0]["to"] == person.email
    services.unsubscribe(person_id=person.pk)
    result = services.personal_data_erase(person.pk)
    assert result == {"communications received": 1, "unsubscriptions": 1}
    assert not Recipient.objects.filter(person=person).exists()
