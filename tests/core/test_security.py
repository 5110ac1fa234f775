"""Sign-in lockout, staff two-factor, and the security headers."""

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from smartnet.roles import Role
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_repeated_wrong_passwords_lock_the_account_out(client, settings):
    UserFactory(email="target@example.org", role=Role.FINANCE)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(
            "/accounts/login/", {"username": "target@example.org", "password": "x"}
        )
        assert response.status_code == 200
    response = client.post("/accounts/login/", {"username": "target@example.org", "password": "x"})
    assert response.status_code == 429
    assert b"Too many sign-in attempts" in response.content
    # Even the right password is refused while locked out.
    response = client.post(
        "/accounts/login/", {"username": "target@example.org", "password": PASSWORD}
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_success_before_the_limit_resets_the_count(client, settings):
    UserFactory(email="ok@example.org", role=Role.FINANCE)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post("/accounts/login/", {"username": "ok@example.org", "password": "x"})
    response = client.post("/accounts/login/", {"username": "ok@example.org", "password": PASSWORD})
    assert response.status_code == 302
    client.logout()
    response = client.post("/accounts/login/", {"username": "ok@example.org", "password": "x"})
    assert response.status_code == 200


def _code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


def test_staff_set_up_and_use_a_second_factor(client, settings):
    settings.STAFF_2FA_REQUIRED = True
    user = UserFactory(email="staff2fa@example.org", role=Role.FINANCE)
    client.post("/accounts/login/", {"username": user.email, "password": PASSWORD})

    response = client.get("/staff/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/two-factor/setup/")
    response = client.get(response["Location"])
    assert response.status_code == 200
    # The key is this session's until a code confirms it: nothing stored yet.
    assert not TOTPDevice.objects.filter(user=user).exists()
    device = TOTPDevice(key=client.session["two_factor_setup"]["key"])

    response = client.post("/accounts/two-factor/setup/", {"token": "000000", "next": "/staff/"})
    assert b"That code is not right" in response.content
    response = client.post(
        "/accounts/two-factor/setup/", {"token": _code(device), "next": "/staff/"}
    )
    # The backup codes, shown once, then on to the page asked for.
    assert response.status_code == 200
    assert b"Your backup codes" in response.content
    assert b'href="/staff/"' in response.content
    assert client.get("/staff/").status_code == 200
    assert client.get("/admin/").status_code == 200

    # A new session asks for the code, not a new set-up.
    client.logout()
    client.post("/accounts/login/", {"username": user.email, "password": PASSWORD})
    response = client.get("/staff/")
    assert response["Location"].startswith("/accounts/two-factor/?next=")
    assert client.get("/admin/").status_code == 302


def test_portal_users_do_not_need_a_second_factor(client, settings, world):
    settings.STAFF_2FA_REQUIRED = True
    client.force_login(world.users["partner_contact"])
    assert client.get("/portal/").status_code == 200


def test_pages_carry_a_content_security_policy_without_inline_script(client):
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy.split("script-src", 1)[1].split(";", 1)[0]
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"<script>" not in response.content
