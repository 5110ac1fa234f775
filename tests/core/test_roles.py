"""Refusals: unknown role, deactivated user, portal user with no organisation."""

import pytest

from smartnet.models import User
from smartnet.roles import Role
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_a_user_with_an_unknown_role_gets_a_clear_refusal(client):
    user = UserFactory(role=Role.FINANCE)
    User.objects.filter(pk=user.pk).update(role="wizard")
    client.force_login(user)
    response = client.get("/staff/")
    assert response.status_code == 403
    assert b"no recognised role" in response.content


def test_a_deactivated_user_cannot_sign_in_and_is_told_why(client):
    UserFactory(email="gone@example.org", role=Role.FINANCE, is_active=False)
    response = client.post(
        "/accounts/login/", {"username": "gone@example.org", "password": PASSWORD}
    )
    assert response.status_code == 200
    assert b"This account has been deactivated" in response.content
    assert "_auth_user_id" not in client.session


def test_a_session_of_a_user_deactivated_since_is_refused(client):
    user = UserFactory(role=Role.FINANCE)
    client.force_login(user)
    User.objects.filter(pk=user.pk).update(is_active=False)
    response = client.get("/staff/")
    assert response.status_code == 403
    assert b"deactivated" in response.content


def test_a_partner_contact_with_no_organisation_gets_a_clear_refusal(client):
    client.force_login(UserFactory(role=Role.PARTNER_CONTACT))
    response = client.get("/portal/")
    assert response.status_code == 403
    assert b"not linked to any organisation" in response.content


def test_sign_in_is_by_email_in_any_case(client):
    UserFactory(email="case@example.org", role=Role.TRAINING)
    response = client.post(
        "/accounts/login/", {"username": "CASE@Example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get("/staff/").status_code == 200


def test_wrong_password_is_refused_with_a_message(client):
    UserFactory(email="who@example.org")
    response = client.post("/accounts/login/", {"username": "who@example.org", "password": "nope"})
    assert response.status_code == 200
    assert b"is not right" in response.content


def test_is_staff_follows_the_role():
    assert UserFactory(role=Role.FINANCE).is_staff is True
    assert UserFactory(role=Role.TRUSTEE).is_staff is False
    assert UserFactory(role=Role.PARTNER_CONTACT).is_staff is False
