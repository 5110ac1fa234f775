"""Communications: e-mails staff write to a segment of the network.

A ``Communication`` is written once and sent once: sending snapshots its
audience as ``Recipient`` rows (unique per communication and person), which
background batches work through. The recipient row is its e-mail's claim (as
``smartnet.mail.deliver`` allows a domain record to be): a batch claims its
rows with one committed conditional update (pending -> claimed) before any
e-mail goes, sends them (``smartnet.mail.send``) and stamps them sent; a
refusal stamps what went and gives the rest back. So a retried batch, or two
workers at once, sends nobody twice; a row left claimed (a worker stopped
mid-batch) has an unknown outcome and is shown to staff, never resent by
itself. (One claim commit per batch rather than per e-mail: 10,000 separate
claim commits took over five minutes on a loaded machine.) The recipient rows
are the communications history kept on each person. An ``Unsubscription`` (one per
person, kept) stops every later communication, never an automatic e-mail.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from partners.models import Person


class Segment(models.TextChoices):
    PARTNER_CONTACTS = "partner_contacts", "Partners' main contacts"
    CHAMPIONS = "champions", "Champions"
    FACILITATORS = "facilitators", "Active facilitators"
    COMMISSIONERS = "commissioners", "Commissioners' main contacts"


class CommunicationStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"


class Communication(models.Model):
    subject = models.CharField(max_length=150)
    body = models.TextField(
        help_text="Plain text. {first_name} is replaced by each recipient's first name."
    )
    segment = models.CharField(max_length=30, choices=Segment.choices)
    region = models.CharField(max_length=60, blank=True)
    kind = models.CharField(max_length=30, blank=True)
    standing = models.CharField(max_length=20, blank=True)
    status = models.CharField(
        max_length=10, choices=CommunicationStatus.choices, default=CommunicationStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    queued_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    total = models.PositiveIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.subject


class RecipientStatus(models.TextChoices):
    PENDING = "pending", "Waiting to send"
    CLAIMED = "claimed", "Being sent (not confirmed)"
    SENT = "sent", "Sent"
    SKIPPED = "skipped", "Not sent (unsubscribed before it went)"


class Recipient(models.Model):
    """One person a communication is for; unique, so nobody is on it twice."""

    communication = models.ForeignKey(
        Communication, on_delete=models.CASCADE, related_name="recipients"
    )
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="communications")
    email = models.EmailField(max_length=254)
    status = models.CharField(
        max_length=10, choices=RecipientStatus.choices, default=RecipientStatus.PENDING
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["communication", "person"], name="recipient_once_per_communication"
            )
        ]
        indexes = [
            models.Index(
                fields=["communication", "id"],
                name="recipient_pending_idx",
                condition=models.Q(status="pending"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.communication} to {self.person}"


class Unsubscription(models.Model):
    """A person asked for no more communications (kept; automatic e-mails still go)."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="unsubscription")
    unsubscribed_at = models.DateTimeField(default=timezone.now)
    communication = models.ForeignKey(
        Communication, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.person} unsubscribed"
