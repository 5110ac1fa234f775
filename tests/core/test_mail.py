"""The one mail sender: rendered from templates, sent once per key, claims
given back when the server refuses, through a real SMTP conversation."""

import datetime
import re
import smtplib
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail as django_mail
from django.db import transaction

from smartnet import mail
from smartnet.models import MailClaim


@pytest.fixture
def notice(tmp_path, settings):
    """A template set of our own, so the tests do not hang on an app's wording
    (changing TEMPLATES resets Django's template engines)."""
    folder = tmp_path / "templates" / "testmail"
    folder.mkdir(parents=True)
    (folder / "notice_subject.txt").write_text("Notice for\n {{ name }}\n")
    (folder / "notice.txt").write_text("Hello {{ name }}, see {{ site_url }}/x\n")
    (folder / "notice.html").write_text("<p>Hello {{ name }}</p>\n")
    (folder / "plain_subject.txt").write_text("Plain\n")
    (folder / "plain.txt").write_text("Only text\n")
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path / "templates", *settings.TEMPLATES[0]["DIRS"]]}
    ]


def test_render_makes_subject_text_and_html(notice, settings):
    settings.SITE_URL = "https://smartnet.example"
    message = mail.render("testmail/notice", {"name": "Sam"}, to=["sam@example.org"])
    assert message.subject == "Notice for Sam"
    assert message.text == "Hello Sam, see https://smartnet.example/x\n"
    assert message.html == "<p>Hello Sam</p>\n"
    plain = mail.render("testmail/plain", {}, to=["sam@example.org"])
    assert plain.html is None


@pytest.mark.django_db
def test_send_once_sends_once_per_key(notice):
    message = mail.render("testmail/notice", {"name": "Sam"}, to=["sam@example.org"])
    assert mail.send_once(message, kind="test.notice", key="1") is True
    assert mail.send_once(message, kind="test.notice", key="1") is False
    assert mail.send_once(message, kind="test.notice", key="2") is True
    assert len(django_mail.outbox) == 2
    claim = MailClaim.objects.get(kind="test.notice", key="1")
    assert claim.sent_at is not None and claim.recipients == "sam@example.org"
    assert mail.was_sent(kind="test.notice", key="1")


@pytest.mark.django_db
def test_attachments_and_html_reach_the_smtp_server(notice, smtp_server):
    message = mail.render(
        "testmail/notice",
        {"name": "Sam"},
        to=["sam@example.org"],
        attachments=[mail.Attachment("INV-000001.pdf", b"%PDF-1.7 fake")],
    )
    assert mail.send_once(message, kind="test.notice", key="a")
    (received,) = smtp_server.messages
    assert received.recipients == ["sam@example.org"]
    parts = {part.get_content_type(): part for part in received.message.walk()}
    assert "text/plain" in parts and "text/html" in parts
    assert parts["application/pdf"].get_filename() == "INV-000001.pdf"
    assert parts["application/pdf"].get_content() == b"%PDF-1.7 fake"


@pytest.mark.django_db
def test_a_refused_send_gives_the_claim_back_and_the_retry_delivers_once(notice, smtp_server):
    message = mail.render("testmail/notice", {"name": "Sam"}, to=["sam@example.org"])
    smtp_server.refuse(1)
    with pytest.raises(smtplib.SMTPException):
        mail.send_once(message, kind="test.notice", key="r")
    assert not MailClaim.objects.filter(kind="test.notice", key="r").exists()
    assert mail.send_once(message, kind="test.notice", key="r") is True  # the retry
    assert mail.send_once(message, kind="test.notice", key="r") is False  # a third try
    assert len(smtp_server.messages) == 1


@pytest.mark.django_db
def test_a_claim_kept_after_refusal_is_listed_as_unconfirmed(notice, smtp_server):
    message = mail.render("testmail/notice", {"name": "Sam"}, to=["sam@example.org"])
    smtp_server.refuse(1)
    with pytest.raises(smtplib.SMTPException):
        mail.send_once(message, kind="test.final", key="k", give_back=False)
    assert mail.send_once(message, kind="test.final", key="k") is False
    assert smtp_server.messages == []
    assert list(mail.unconfirmed(older_than_minutes=10)) == []  # too fresh to judge
    MailClaim.objects.update(claimed_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC))
    (claim,) = mail.unconfirmed(kinds=["test.final"])
    assert claim.key == "k"
    assert list(mail.unconfirmed(kinds=["other"])) == []


@pytest.mark.django_db
def test_a_claim_cannot_ride_inside_a_transaction_that_might_roll_back(notice):
    message = mail.render("testmail/notice", {"name": "Sam"}, to=["sam@example.org"])
    with pytest.raises(RuntimeError), transaction.atomic():
        mail.send_once(message, kind="test.notice", key="t")
    assert django_mail.outbox == []


@pytest.mark.django_db
def test_no_recipient_sends_nothing_and_claims_nothing(notice):
    message = mail.render("testmail/notice", {"name": "Sam"}, to=[])
    assert mail.send_once(message, kind="test.notice", key="n") is False
    assert mail.send(message) == 0
    assert not MailClaim.objects.exists()


def test_no_module_sends_mail_but_the_one_sender():
    """Every e-mail goes through smartnet.mail (claims, templates, one sender)."""
    root = Path(settings.BASE_DIR)
    senders = re.compile(
        r"\b(send_mail|send_mass_mail|mail_admins|mail_managers|EmailMessage|EmailMultiAlternatives)\b"
    )
    # Django's password reset form calls its own ``send_mail`` method: a module
    # may override it (that is how the reset e-mail goes through smartnet.mail),
    # provided the module uses the one sender and no other.
    override = re.compile(r"^\s*def send_mail\(", re.MULTILINE)

    def sends_otherwise(text: str) -> bool:
        if override.search(text) and "from smartnet import mail" not in text:
            return True
        return bool(senders.search(override.sub("", text)))

    offenders = [
        str(path.relative_to(root))
        for path in root.glob("*/**/*.py")
        if path.relative_to(root).parts[0] not in {".venv", "tests", "bench"}
        and path.relative_to(root) != Path("smartnet/mail.py")
        and sends_otherwise(path.read_text())
    ]
    assert offenders == []
