"""Staff two-factor: set-up keys bound to one session, backup codes, the notice
e-mail, and the staff admin's reset (smartnet.two_factor, smartnet.services)."""

import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from smartnet import emails
from smartnet import mail as mail_sender
from smartnet.models import TwoFactorEvent
from smartnet.roles import Role
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

SETUP = "/accounts/two-factor/setup/"
VERIFY = "/accounts/two-factor/"


@pytest.fixture(autouse=True)
def _second_factor_on(settings):
    settings.STAFF_2FA_REQUIRED = True


def _signed_in(user) -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _session_key(client: Client) -> str:
    return client.session["two_factor_setup"]["key"]


def _code(hex_key: str) -> str:
    device = TOTPDevice(key=hex_key)
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits).token():06d}"


def _shown_key(response) -> str:
    return re.search(rb'<code class="h5">([A-Z2-7=]+)</code>', response.content).group(1).decode()


def _enrol(client: Client, next_url: str = "/staff/"):
    client.get(SETUP)
    return client.post(SETUP, {"token": _code(_session_key(client)), "next": next_url})


def _backup_codes(response) -> list[str]:
    return re.findall(r"<li><code>([a-z2-7]{8})</code></li>", response.content.decode())


def test_two_sessions_of_one_user_see_different_keys():
    user = UserFactory(email="finance@example.org", role=Role.FINANCE)
    first, second = _signed_in(user), _signed_in(user)
    shown_first = _shown_key(first.get(SETUP))
    shown_second = _shown_key(second.get(SETUP))
    assert shown_first != shown_second
    assert _session_key(first) != _session_key(second)
    # The key stays the same for the session while it is being set up.
    assert _shown_key(first.get(SETUP)) == shown_first
    # Nothing is stored before a code confirms it.
    assert not TOTPDevice.objects.filter(user=user).exists()


def test_a_code_from_one_session_key_does_not_enrol_another_session():
    user = UserFactory(email="finance@example.org", role=Role.FINANCE)
    attacker, owner = _signed_in(user), _signed_in(user)
    attacker.get(SETUP)
    owner.get(SETUP)
    response = owner.post(SETUP, {"token": _code(_session_key(attacker)), "next": "/staff/"})
    assert response.status_code == 200
    assert b"That code is not right" in response.content
    assert not TOTPDevice.objects.filter(user=user).exists()

    # The owner's own code enrols the owner's key, and only that one.
    owner_key = _session_key(owner)
    response = owner.post(SETUP, {"token": _code(owner_key), "next": "/staff/"})
    assert response.status_code == 200
    device = TOTPDevice.objects.get(user=user)
    assert device.confirmed and device.key == owner_key != _session_key(attacker)
    assert owner.get("/staff/").status_code == 200
    # The other session, even with a right code of its own key, cannot add a second app.
    response = attacker.post(SETUP, {"token": _code(_session_key(attacker)), "next": "/staff/"})
    assert response.status_code == 302
    assert response["Location"] == VERIFY
    assert TOTPDevice.objects.filter(user=user).count() == 1


def test_an_unconfirmed_device_left_by_the_old_set_up_is_not_offered_and_goes():
    user = UserFactory(email="finance@example.org", role=Role.FINANCE)
    stale = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    client = _signed_in(user)
    client.get(SETUP)
    assert _session_key(client) != stale.key
    _enrol(client)
    assert list(TOTPDevice.objects.filter(user=user).values_list("key", flat=True)) != [stale.key]
    assert not TOTPDevice.objects.filter(pk=stale.pk).exists()


def test_backup_codes_are_shown_once_and_each_works_once():
    user = UserFactory(email="finance@example.org", role=Role.FINANCE)
    client = _signed_in(user)
    response = _enrol(client)
    codes = _backup_codes(response)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert b'href="/staff/"' in response.content
    # Not shown again: the set-up page now sends to the code page.
    assert client.get(SETUP)["Location"] == VERIFY

    other = _signed_in(user)
    assert other.get("/staff/")["Location"].startswith(VERIFY)
    response = other.post(VERIFY, {"token": codes[0].upper(), "next": "/staff/"})
    assert response.status_code == 302 and response["Location"] == "/staff/"
    assert other.get("/staff/").status_code == 200
    assert StaticToken.objects.filter(device__user=user).count() == 9

    again = _signed_in(user)
    response = again.post(VERIFY, {"token": codes[0], "next": "/staff/"})
    assert response.status_code == 200
    assert b"That code is not right" in response.content
    # The failed backup code did not hold up the authenticator app.
    device = TOTPDevice.objects.get(user=user)
    assert device.throttling_failure_count == 0
    StaticDevice.objects.filter(user=user).update(throttling_failure_count=0)
    assert again.post(VERIFY, {"token": codes[1], "next": "/staff/"}).status_code == 302


def test_the_notice_email_is_sent_once_when_an_app_is_added(django_capture_on_commit_callbacks):
    user = UserFactory(email="finance@example.org", role=Role.FINANCE)
    client = _signed_in(user)
    with django_capture_on_commit_callbacks(execute=True):
        _enrol(client)
    assert [m.to for m in mail.outbox] == [["finance@example.org"]]
    assert "authenticator app was added" in mail.outbox[0].subject
    assert "tell the central team" in mail.outbox[0].body
    event = TwoFactorEvent.objects.get(user=user)
    assert event.kind == TwoFactorEvent.Kind.ADDED
    assert mail_sender.was_sent(kind="smartnet.two_factor", key=str(event.pk))
    # A re-delivered task sends nothing more.
    assert emails.two_factor_notice_send(event_id=event.pk) is False
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("required", [True, False])
def test_a_staff_account_made_on_the_staff_screen_sets_up_its_second_factor_first(
    settings, django_capture_on_commit_callbacks, required
):
    """Issue 16: an account made on the staff accounts screen chooses its
    password from the invitation and, where the settings require a second
    factor (production), must set one up before any staff page; signing in
    again then asks for a code (not another set-up)."""
    settings.STAFF_2FA_REQUIRED = required
    admin = UserFactory(email="admin@example.org", role=Role.STAFF_ADMIN)
    admin_session = _signed_in(admin)
    if required:
        _enrol(admin_session)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        made = admin_session.post(
            "/staff/partners/accounts/new/",
            {"full_name": "Fin Ance", "email": "fin@example.org", "role": "finance"},
        )
    assert made.status_code == 302
    link = re.search(r"http://\S+(/accounts/invitation/\S+/)", mail.outbox[0].body).group(1)

    newcomer = Client()
    assert newcomer.get(link).status_code == 200
    chosen = newcomer.post(
        link, {"new_password1": "a-long-new-Passw0rd", "new_password2": "a-long-new-Passw0rd"}
    )
    assert chosen.status_code == 302
    home = chosen["Location"]
    assert home.startswith("/staff/")
    first = newcomer.get(home)
    if not required:
        assert first.status_code == 200
        return
    assert first.status_code == 302 and first["Location"].startswith(SETUP)
    assert not TOTPDevice.objects.filter(user__email="fin@example.org").exists()

    # Signing in with the new password: still the set-up before any staff page.
    again = Client()
    signed_in = again.post(
        "/accounts/login/", {"username": "fin@example.org", "password": "a-long-new-Passw0rd"}
    )
    assert signed_in.status_code == 302
    response = again.get(home)
    assert response.status_code == 302 and response["Location"].startswith(SETUP)
    _enrol(again, next_url=home)
    assert again.get(home).status_code == 200
    assert TOTPDevice.objects.filter(user__email="fin@example.org", confirmed=True).exists()

    # A later sign-in asks for the code of the app set up, not a new set-up.
    later = Client()
    later.post(
        "/accounts/login/", {"username": "fin@example.org", "password": "a-long-new-Passw0rd"}
    )
    response = later.get(home)
    assert response.status_code == 302 and response["Location"].startswith(VERIFY)
    assert not response["Location"].startswith(SETUP)


def test_a_staff_admin_resets_a_device_and_the_user_sets_up_again(
    django_capture_on_commit_callbacks,
):
    admin = UserFactory(email="admin@example.org", role=Role.STAFF_ADMIN)
    user = UserFactory(email="finance@example.org", role=Role.FINANCE)
    users_session = _signed_in(user)
    _enrol(users_session)
    assert users_session.get("/staff/").status_code == 200
    admin_session = _signed_in(admin)
    _enrol(admin_session)
    mail.outbox.clear()

    page = admin_session.get("/staff/two-factor/")
    assert page.status_code == 200
    assert b"finance@example.org" in page.content
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_session.post(f"/staff/two-factor/{user.pk}/reset/")
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert not StaticDevice.objects.filter(user=user).exists()
    event = TwoFactorEvent.objects.filter(user=user).first()
    assert event.kind == TwoFactorEvent.Kind.RESET and event.actor == admin
    assert [m.to for m in mail.outbox] == [["finance@example.org"]]
    # The audit shows on the staff screen.
    assert (
        b"Reset by a staff admin by admin@example.org"
        in admin_session.get("/staff/two-factor/").content
    )

    # The user's verified session is verified no more: set up again.
    response = users_session.get("/staff/")
    assert response.status_code == 302
    assert response["Location"].startswith(SETUP)
    _enrol(users_session)
    assert users_session.get("/staff/").status_code == 200


def test_only_a_staff_admin_resets_and_not_their_own(client):
    admin = UserFactory(email="admin@example.org", role=Role.STAFF_ADMIN)
    finance = UserFactory(email="finance@example.org", role=Role.FINANCE)
    training = UserFactory(email="training@example.org", role=Role.TRAINING)
    partner = UserFactory(email="partner@example.org", role=Role.PARTNER_CONTACT)
    for user in (admin, finance, training):
        _enrol(_signed_in(user))

    finance_session = _signed_in(finance)
    token = StaticToken.objects.filter(device__user=finance).first().token
    assert finance_session.post(VERIFY, {"token": token, "next": "/"}).status_code == 302
    assert finance_session.post(f"/staff/two-factor/{training.pk}/reset/").status_code == 403
    assert TOTPDevice.objects.filter(user=training).exists()

    admin_session = _signed_in(admin)
    token = StaticToken.objects.filter(device__user=admin).first().token
    assert admin_session.post(VERIFY, {"token": token, "next": "/"}).status_code == 302
    response = admin_session.post(f"/staff/two-factor/{admin.pk}/reset/", follow=True)
    assert b"Ask another staff admin" in response.content
    assert TOTPDevice.objects.filter(user=admin).exists()
    response = admin_session.post(f"/staff/two-factor/{partner.pk}/reset/", follow=True)
    assert b"Only staff accounts have a second factor" in response.content
    assert admin_session.post("/staff/two-factor/999999/reset/").status_code == 404
    assert admin_session.get(f"/staff/two-factor/{training.pk}/reset/").status_code == 405
    assert not TwoFactorEvent.objects.filter(kind=TwoFactorEvent.Kind.RESET).exists()


def test_the_code_that_enrolled_is_not_taken_again_and_the_next_one_is():
    user = UserFactory(email="finance@example.org", role=Role.FINANCE)
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, 5, tzinfo=UTC), tick=False):
        client = _signed_in(user)
        client.get(SETUP)
        key = _session_key(client)
        code = _code(key)
        client.post(SETUP, {"token": code, "next": "/staff/"})
        replay = _signed_in(user)
        assert replay.post(VERIFY, {"token": code, "next": "/staff/"}).status_code == 200
    TOTPDevice.objects.filter(user=user).update(throttling_failure_count=0)
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, 40, tzinfo=UTC), tick=False):
        later = _signed_in(user)
        assert later.post(VERIFY, {"token": _code(key), "next": "/staff/"}).status_code == 302
