"""Invitations: the role follows the affiliation, one invitation per person
and account, the e-mail sent once, the link works once and expires, the bulk
invite is safe to repeat, the reminder job runs once a day and reminds once."""

import datetime
import re

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from partners import personal_data, services
from partners.models import AffiliationRole, Invitation, PendingContact
from partners.services.invitations import invitation_url
from smartnet.models import JobRun, User
from smartnet.roles import Role
from tests.factories import (
    AffiliationFactory,
    CommissionerFactory,
    OrganisationFactory,
    PersonFactory,
    UserFactory,
    portal_user,
)

pytestmark = pytest.mark.django_db

NEW = "a-long-enough-password-42"


def _contact(org, role=AffiliationRole.MAIN_CONTACT, **person):
    person = PersonFactory(**person)
    AffiliationFactory(person=person, organisation=org, role=role)
    return person


def _link_path(message) -> str:
    return re.search(r"http://\S+(/accounts/invitation/\S+/)", message.body).group(1)


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_staff_invite_makes_a_portal_account_and_the_link_lands_on_the_portal(client, commit):
    org = OrganisationFactory(name="Harbour Recovery")
    person = _contact(org, email="ana@example.org", first_name="Ana", last_name="Lee")
    staff = UserFactory(role=Role.STAFF_ADMIN)
    with commit():
        invitation = services.invitation_create(person=person, invited_by=staff)
    person.refresh_from_db()
    assert person.user.role == Role.PARTNER_CONTACT and not person.user.has_usable_password()
    (message,) = mail.outbox
    assert message.to == ["ana@example.org"] and "Harbour Recovery" in message.body
    invitation.refresh_from_db()
    assert invitation.sent_at is not None
    link = _link_path(message)
    page = client.get(link)
    assert page.status_code == 200 and b"Choose your password" in page.content
    response = client.post(link, {"new_password1": NEW, "new_password2": NEW})
    assert response.status_code == 302 and response["Location"] == "/portal/"
    assert client.get("/portal/").status_code == 200
    # Spent: the same link now sends its holder to sign in.
    client.logout()
    again = client.get(link)
    assert again.status_code == 302 and again["Location"].startswith("/accounts/login/")
    assert client.login(email="ana@example.org", password=NEW)


def test_the_role_follows_the_affiliation_commissioner(commit):
    council = CommissionerFactory()
    person = _contact(council, role=AffiliationRole.BILLING_CONTACT)
    with commit():
        services.invitation_create(person=person, invited_by=None)
    person.refresh_from_db()
    assert person.user.role == Role.COMMISSIONER_CONTACT


def test_nobody_without_a_current_contact_tie_is_invited():
    org = OrganisationFactory()
    former = PersonFactory()
    AffiliationFactory(
        person=former,
        organisation=org,
        role=AffiliationRole.MAIN_CONTACT,
        start_date=datetime.date(2020, 1, 1),
        end_date=datetime.date(2021, 1, 1),
    )
    with pytest.raises(Exception, match="not a current contact"):
        services.invitation_create(person=former, invited_by=None)
    assert not User.objects.filter(email=former.email).exists()


def test_a_facilitator_account_is_not_turned_into_a_portal_one():
    org = OrganisationFactory()
    person = _contact(org)
    person.user = UserFactory(email=person.email, role=Role.FACILITATOR)
    person.save()
    with pytest.raises(Exception, match="facilitator"):
        services.invitation_create(person=person, invited_by=None)
    assert not Invitation.objects.exists()


def test_an_address_that_signs_in_already_is_told_to_sign_in(client, commit):
    org = OrganisationFactory()
    user = portal_user(org, email="has.password@example.org")
    with commit():
        invitation = services.invitation_create(person=user.person, invited_by=None)
    (message,) = mail.outbox
    assert "You already have an account" in message.body
    assert "/accounts/invitation/" not in message.body
    response = client.get(invitation_url(invitation).removeprefix("http://127.0.0.1:8000"))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_bulk_invite_run_twice_sends_each_invitation_once(client, commit):
    org, other = OrganisationFactory(), OrganisationFactory()
    people = [
        _contact(org),
        _contact(org, role=AffiliationRole.BILLING_CONTACT),
        _contact(other),
    ]
    _contact(other, role=AffiliationRole.SIGNATORY)  # signatories need no login
    portal_user(other)  # signs in already
    client.force_login(UserFactory(role=Role.STAFF_ADMIN))
    for _ in range(2):
        with commit():
            assert client.post("/staff/partners/invitations/invite-all/").status_code == 302
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)
    assert Invitation.objects.count() == 3
    # And by the service: nothing more.
    with commit():
        again = services.invite_all_contacts(invited_by=None)
    assert again.invited == [] and len(mail.outbox) == 3


def test_expired_and_tampered_links_say_so_and_offer_a_new_one(client, commit, settings):
    settings.INVITATION_MAX_AGE_DAYS = 14
    person = _contact(OrganisationFactory())
    with time_machine.travel(datetime.datetime(2026, 3, 1, 9, tzinfo=datetime.UTC)):
        with commit():
            services.invitation_create(person=person, invited_by=None)
        link = _link_path(mail.outbox[0])
    with time_machine.travel(datetime.datetime(2026, 3, 16, 10, tzinfo=datetime.UTC)):
        expired = client.get(link)
    assert expired.status_code == 410 and b"has expired" in expired.content
    assert b'href="/accounts/invitation/"' in expired.content
    tampered = client.get(link[:-4] + "xyz/")
    assert tampered.status_code == 404 and b"no longer works" in tampered.content
    assert not User.objects.get(email=person.email).has_usable_password()


def test_the_link_works_once_even_posted_twice(client, commit):
    person = _contact(OrganisationFactory())
    with commit():
        invitation = services.invitation_create(person=person, invited_by=None)
    services.invitation_accept(invitation=invitation, password=NEW)
    with pytest.raises(Exception, match="already been used"):
        services.invitation_accept(invitation=invitation, password="another-password-99")
    assert User.objects.get(email=person.email).check_password(NEW)


def test_reminders_once_after_n_days_by_the_daily_job(commit, settings):
    settings.INVITATION_REMINDER_DAYS = 7
    early, late = _contact(OrganisationFactory()), _contact(OrganisationFactory())
    with time_machine.travel(datetime.datetime(2026, 3, 1, 9, tzinfo=datetime.UTC)), commit():
        services.invitation_create(person=early, invited_by=None)
    with time_machine.travel(datetime.datetime(2026, 3, 5, 9, tzinfo=datetime.UTC)), commit():
        services.invitation_create(person=late, invited_by=None)
    mail.outbox.clear()
    with time_machine.travel(datetime.datetime(2026, 3, 8, 9, tzinfo=datetime.UTC)):
        call_command("run_invitation_reminders", "--today", "2026-03-08")
        call_command("run_invitation_reminders", "--today", "2026-03-08")  # same day: nothing
    assert [m.to for m in mail.outbox] == [[early.email]]
    assert "Reminder" in mail.outbox[0].subject and "/accounts/invitation/" in mail.outbox[0].body
    with time_machine.travel(datetime.datetime(2026, 3, 13, 9, tzinfo=datetime.UTC)):
        services.run_invitation_reminders(today=datetime.date(2026, 3, 13))
    assert [m.to for m in mail.outbox] == [[early.email], [late.email]]
    assert JobRun.objects.filter(job="partners.invitation_reminders").count() == 2


def test_a_main_contact_invites_a_colleague_once_staff_confirm(client, commit):
    org = OrganisationFactory()
    main = portal_user(org, email="main@example.org")
    client.force_login(main)
    data = {
        "organisation": org.pk,
        "role": "billing_contact",
        "first_name": "Bo",
        "last_name": "Reed",
        "email": "bo.reed@example.org",
        "invite": "on",
    }
    assert client.post("/portal/contacts/", data).status_code == 302
    pending = PendingContact.objects.get(email="bo.reed@example.org")
    assert pending.invite and mail.outbox == []
    staff = UserFactory(role=Role.STAFF_ADMIN)
    client.force_login(staff)
    with commit():
        client.post(
            f"/staff/partners/contacts/pending/{pending.pk}/decide/", {"decision": "create"}
        )
    (message,) = mail.outbox
    assert message.to == ["bo.reed@example.org"]
    assert Invitation.objects.get().user.role == Role.PARTNER_CONTACT


def test_only_the_main_contact_may_invite(client):
    org = OrganisationFactory()
    billing = UserFactory(role=Role.PARTNER_CONTACT)
    person = PersonFactory(user=billing, email=billing.email)
    AffiliationFactory(person=person, organisation=org, role=AffiliationRole.BILLING_CONTACT)
    client.force_login(billing)
    response = client.post(
        "/portal/contacts/",
        {
            "organisation": org.pk,
            "role": "signatory",
            "first_name": "Cy",
            "last_name": "Ng",
            "email": "cy@example.org",
            "invite": "on",
        },
    )
    assert response.status_code == 200 and b"Only the organisation&#x27;s main contact" in (
        response.content
    )
    assert not PendingContact.objects.exists()


def test_the_request_form_sends_a_fresh_link_the_same_answer_for_anyone(client, commit):
    person = _contact(OrganisationFactory(), email="lost@example.org")
    with commit():
        services.invitation_create(person=person, invited_by=None)
    mail.outbox.clear()
    known = client.post("/accounts/invitation/", {"email": "lost@example.org"})
    unknown = client.post("/accounts/invitation/", {"email": "who@example.org"})
    assert known.content == unknown.content
    assert [m.to for m in mail.outbox] == [["lost@example.org"]]
    assert "/accounts/invitation/" in mail.outbox[0].body


def test_portal_link_for_gives_sign_in_or_the_invitation_page():
    org = OrganisationFactory()
    signs_in = portal_user(org).person
    new = _contact(org)
    assert services.portal_link_for(signs_in).endswith("/accounts/login/?next=/portal/")
    assert services.portal_link_for(new).endswith("/accounts/invitation/")


def test_staff_account_made_with_a_role_and_invited(client, commit):
    admin = UserFactory(role=Role.STAFF_ADMIN)
    client.force_login(admin)
    with commit():
        response = client.post(
            "/staff/partners/accounts/new/",
            {"full_name": "Fin Ance", "email": "fin@example.org", "role": "finance"},
        )
    assert response.status_code == 302
    user = User.objects.get(email="fin@example.org")
    assert user.role == Role.FINANCE and user.is_staff and not user.has_usable_password()
    assert [m.to for m in mail.outbox] == [["fin@example.org"]]
    # The address taken: refused naming the field.
    again = client.post(
        "/staff/partners/accounts/new/",
        {"full_name": "X", "email": "fin@example.org", "role": "finance"},
    )
    assert again.status_code == 200 and b"E-mail address: fin@example.org already has" in (
        again.content
    )
    # A portal role is not offered.
    bad = client.post(
        "/staff/partners/accounts/new/",
        {"full_name": "Y", "email": "y@example.org", "role": "partner_contact"},
    )
    assert bad.status_code == 200 and not User.objects.filter(email="y@example.org").exists()


def test_invitations_are_in_subject_access_and_erased(commit):
    person = _contact(OrganisationFactory())
    with commit():
        services.invitation_create(person=person, invited_by=None)
    exported = personal_data.person_export(person_id=person.pk)
    assert exported["partners_invitations"][0]["account"] == person.email
    report = personal_data.person_erase(person_id=person.pk)
    assert report.removed["partners_invitations: invitations"] == 1
    assert not Invitation.objects.filter(person_id=person.pk).exists()
    assert not Invitation.history.filter(person_id=person.pk).exists()
