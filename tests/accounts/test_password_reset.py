"""Password reset end to end: the same answer for a known and an unknown
address, one e-mail through the one sender, the link works once and expires,
a spoiled link says so and offers a new one, and the form is rate limited."""

import datetime
import re

import pytest
import time_machine
from django.core import mail

from smartnet.models import MailClaim, User
from smartnet.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NEW = "a-new-and-long-password-77"


def _link(message) -> str:
    return re.search(r"http://\S+/accounts/reset/\S+/", message.body).group(0)


def _path(link: str) -> str:
    return "/" + link.split("/", 3)[3]


def test_reset_end_to_end_and_the_link_works_once(client):
    user = UserFactory(email="sam@example.org", role=Role.PARTNER_CONTACT)
    response = client.post("/accounts/password_reset/", {"email": "SAM@example.org"})
    assert response.status_code == 302 and response["Location"] == "/accounts/password_reset/done/"
    (message,) = mail.outbox
    assert message.to == ["sam@example.org"]
    assert MailClaim.objects.filter(kind="accounts.password_reset").count() == 1
    link = _path(_link(message))
    # Django's confirm view swaps the token for a session marker, then shows the form.
    page = client.get(link, follow=True)
    assert b"Choose a new password" in page.content
    set_url = page.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302 and done["Location"] == "/accounts/reset/done/"
    user.refresh_from_db()
    assert user.check_password(NEW)
    # Spent: the same link again says so and offers a new one.
    client.logout()
    again = client.get(link, follow=True)
    assert b"This link no longer works" in again.content
    assert b'href="/accounts/password_reset/"' in again.content
    # Signing in with the new password works.
    assert client.login(email="sam@example.org", password=NEW)


def test_unknown_and_known_addresses_get_the_same_answer(client):
    UserFactory(email="known@example.org", role=Role.FINANCE)
    known = client.post("/accounts/password_reset/", {"email": "known@example.org"})
    unknown = client.post("/accounts/password_reset/", {"email": "nobody@example.org"})
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert [m.to for m in mail.outbox] == [["known@example.org"]]


def test_inactive_and_facilitator_accounts_get_no_e_mail(client):
    UserFactory(email="gone@example.org", role=Role.FINANCE, is_active=False)
    UserFactory(email="fac@example.org", role=Role.FACILITATOR)
    for email in ("gone@example.org", "fac@example.org"):
        assert client.post("/accounts/password_reset/", {"email": email}).status_code == 302
    assert mail.outbox == []


def test_the_link_expires(client, settings):
    settings.PASSWORD_RESET_TIMEOUT = 3600
    UserFactory(email="late@example.org", role=Role.TRAINING)
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)):
        client.post("/accounts/password_reset/", {"email": "late@example.org"})
    link = _path(_link(mail.outbox[0]))
    with time_machine.travel(datetime.datetime(2026, 3, 2, 10, 1, tzinfo=datetime.UTC)):
        page = client.get(link, follow=True)
    assert b"This link no longer works" in page.content


def test_a_tampered_link_says_so(client):
    UserFactory(email="t@example.org", role=Role.TRAINING)
    client.post("/accounts/password_reset/", {"email": "t@example.org"})
    link = _path(_link(mail.outbox[0]))
    tampered = link[:-3] + ("a" if link[-3] != "a" else "b") + link[-2:]
    page = client.get(tampered, follow=True)
    assert b"This link no longer works" in page.content
    assert User.objects.get(email="t@example.org").has_usable_password()


def test_the_form_is_rate_limited_per_address_and_per_e_mail(client, settings):
    settings.ACCOUNTS_RATE_LIMIT_PER_MINUTE = 2
    statuses = [
        client.post("/accounts/password_reset/", {"email": f"x{i}@example.org"}).status_code
        for i in range(3)
    ]
    assert statuses == [302, 302, 429]
    # Another address cannot be used to flood one inbox either.
    other = [
        client.post(
            "/accounts/password_reset/", {"email": "v@example.org"}, REMOTE_ADDR=f"10.1.0.{i}"
        ).status_code
        for i in range(3)
    ]
    assert other == [302, 302, 429]
