"""The one way smartnet sends e-mail.

Every e-mail is a set of templates: ``<name>_subject.txt``, ``<name>.txt`` and,
when it exists, ``<name>.html``, rendered with one context. ``send_once``
sends it at most once per ``(kind, key)``:

1. claim: a ``MailClaim`` row, committed on its own (``durable``: it cannot
   ride inside a caller's transaction that might roll back after the send);
2. send: hand the message to the mail server;
3. stamp: ``sent_at``; or, when the server refused, give the claim back
   (delete the row) and re-raise, so the task's retry sends it.

A second call for the same key, from a retry or a second worker, finds the
claim and sends nothing. A claim with no stamp older than a few minutes is a
send whose outcome is unknown (a worker stopped between 2 and 3): it is never
retried automatically and ``unconfirmed`` lists it for staff.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, models, transaction
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone

from smartnet.models import MailClaim


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mimetype: str = "application/pdf"


@dataclass(frozen=True)
class Message:
    """A rendered e-mail, ready for the mail server."""

    subject: str
    text: str
    html: str | None
    to: list[str]
    attachments: Sequence[Attachment] = field(default_factory=tuple)

    def as_email(self) -> EmailMultiAlternatives:
        email = EmailMultiAlternatives(
            self.subject, self.text, settings.DEFAULT_FROM_EMAIL, self.to
        )
        if self.html is not None:
            email.attach_alternative(self.html, "text/html")
        for item in self.attachments:
            email.attach(item.filename, item.content, item.mimetype)
        return email


def render(
    template: str,
    context: dict,
    *,
    to: Iterable[str],
    attachments: Sequence[Attachment] = (),
) -> Message:
    """Render ``template`` (a path without its ending) for ``to``; ``site_url``
    is always in the context."""
    context = {"site_url": settings.SITE_URL, **context}
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    text = render_to_string(f"{template}.txt", context)
    try:
        html = render_to_string(f"{template}.html", context)
    except TemplateDoesNotExist:
        html = None
    return Message(
        subject=subject, text=text, html=html, to=list(to), attachments=tuple(attachments)
    )


def send(message: Message) -> int:
    """Send a message that needs no claim (one whose duplicate harms nobody,
    such as a sign-in link the visitor asked for again). Returns 1 when sent."""
    if not message.to:
        return 0
    return message.as_email().send()


def send_once(message: Message, *, kind: str, key: str, give_back: bool = True) -> bool:
    """Send ``message`` unless ``(kind, key)`` was claimed before; True when
    this call sent it. ``give_back=False`` keeps the claim when the server
    refuses (for a notice no later run would come back to: it is then listed
    by ``unconfirmed``)."""
    if not message.to:
        return False
    try:
        with transaction.atomic(durable=True):
            claim = MailClaim.objects.create(
                kind=kind,
                key=str(key),
                recipients=", ".join(message.to),
                subject=message.subject[:250],
            )
    except IntegrityError:
        return False
    deliver(message, claim, give_back=give_back)
    return True


def deliver(message: Message, claim: models.Model, *, give_back: bool = True) -> None:
    """Send ``message`` for a claim row that is already committed, and stamp it.

    ``claim`` is a ``MailClaim`` or a domain app's own record that is its
    e-mail's claim (a renewal reminder: unique per term and kind, claimed in
    the same transaction as the change it announces); either way it has a
    nullable ``sent_at``. On refusal the row is deleted (given back) unless
    ``give_back`` is False, and the error propagates for the task to retry.
    """
    _require_committed()
    rows = type(claim)._base_manager.filter(pk=claim.pk)
    try:
        message.as_email().send()
    except Exception:
        if give_back:
            rows.filter(sent_at__isnull=True).delete()
        raise
    rows.update(sent_at=timezone.now())


def _require_committed() -> None:
    """Refuse to send from inside a transaction: the claim would not be
    committed yet, so a rollback after the send would let a retry send again.
    (A durable block is refused inside any transaction but a test's own.)"""
    with transaction.atomic(durable=True):
        pass


def was_sent(*, kind: str, key: str) -> bool:
    return MailClaim.objects.filter(kind=kind, key=str(key), sent_at__isnull=False).exists()


def unconfirmed(*, kinds: Iterable[str] | None = None, older_than_minutes: int = 10):
    """Claims whose send was never confirmed: a worker stopped mid-send, or a
    refusal that kept its claim. Staff decide whether to send by hand."""
    cutoff = timezone.now() - datetime.timedelta(minutes=older_than_minutes)
    claims = MailClaim.objects.filter(sent_at__isnull=True, claimed_at__lt=cutoff)
    if kinds is not None:
        claims = claims.filter(kind__in=list(kinds))
    return claims.order_by("claimed_at")
