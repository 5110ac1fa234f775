"""The public's reports of a change or a problem with a meeting.

A report holds no personal data but an e-mail address, and only when the
reporter asks for a reply. Staff work a queue (new, in hand, done); who did
what is the history (django-simple-history). The meeting's facilitators are
told a report came in, never who made it nor what they typed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from meetings.models import Meeting


class ReportKind(models.TextChoices):
    MOVED = "moved", "It has moved (day, time or place)"
    NOT_HELD = "not_held", "It did not happen"
    LINK = "link", "The joining link or number does not work"
    OTHER = "other", "Something else"


class ReportStatus(models.TextChoices):
    NEW = "new", "New"
    IN_HAND = "in_hand", "In hand"
    DONE = "done", "Done"


class MeetingReport(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="reports")
    kind = models.CharField(max_length=10, choices=ReportKind.choices)
    details = models.TextField(max_length=2000, blank=True)
    reply_email = models.EmailField(blank=True)
    status = models.CharField(max_length=10, choices=ReportStatus.choices, default=ReportStatus.NEW)
    created_at = models.DateTimeField(default=timezone.now)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    staff_note = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "created_at"], name="report_status_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} - {self.meeting}"
