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
from django.db import IntegrityError, transaction
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
    try:
        message.as_email().send()
    except Exception:
        if give_back:
            MailClaim.objects.filter(pk=claim.pk, sent_at__isnull=True).delete()
        raise
    MailClaim.objects.filter(pk=claim.pk).update(sent_at=timezone.now())
    return True


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


def recipients_erase(email: str) -> int:
    """Remove one address from every claim's recipients (a person's erasure)."""
    email = email.strip().lower()
    if not email:
        return 0
    changed = 0
    for claim in MailClaim.objects.filter(recipients__icontains=email):
        kept = [r for r in claim.recipients.split(", ") if r.strip().lower() != email]
        claim.recipients = ", ".join(kept)
        claim.save(update_fields=["recipients"])
        changed += 1
    return changed
