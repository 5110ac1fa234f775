"""Taking a public report and working it (see ``models``)."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import transaction

from feedback.models import MeetingReport, ReportKind, ReportStatus
from meetings import selectors as meeting_selectors
from meetings.models import Meeting
from partners.models import Person
from smartnet import mail
from smartnet.queue import enqueue

MAX_DETAILS = 2000
# A link in any spelling the public might type: a scheme, "www.", or a bare
# domain with a path; markup is anything that looks like a tag or an entity.
_LINK = re.compile(r"(?i)\b(?:[a-z][a-z0-9+.-]*://|www\.|[a-z0-9-]+\.(?:[a-z]{2,})/)")
_MARKUP = re.compile(r"<\s*/?\s*[a-z!?][^>]*>|&[a-z#0-9]+;|\[url|\]\(", re.IGNORECASE)


def details_problem(text: str) -> str:
    """Why ``text`` is refused ("" when it is fine)."""
    if len(text) > MAX_DETAILS:
        return f"Keep it to {MAX_DETAILS:,} characters (it has {len(text):,})."
    if _LINK.search(text):
        return "Leave out links and web addresses: describe the change in words."
    if _MARKUP.search(text):
        return "Leave out markup (such as <tags>): plain words only."
    return ""


def report_create(
    *, meeting: Meeting, kind: str, details: str = "", reply_email: str = ""
) -> MeetingReport:
    """Record a report and tell the meeting's facilitators (not who, not what
    they typed). ValidationError naming the field when refused."""
    details = details.strip()
    errors = {}
    if kind not in ReportKind.values:
        errors["kind"] = "Choose what is wrong."
    problem = details_problem(details)
    if problem:
        errors["details"] = problem
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        report = MeetingReport.objects.create(
            meeting=meeting, kind=kind, details=details, reply_email=reply_email.strip().lower()
        )
        enqueue("feedback.tasks.tell_facilitators", report.pk)
    return report


def facilitators_tell(*, report_id: int) -> int:
    """E-mail each current facilitator of the meeting, once per report."""
    report = MeetingReport.objects.select_related("meeting").get(pk=report_id)
    ids = meeting_selectors.current_facilitator_ids(meeting_id=report.meeting_id)
    sent = 0
    for person in Person.objects.filter(pk__in=ids, anonymised_at__isnull=True).exclude(email=""):
        message = mail.render(
            "feedback/email/report_notice",
            {"person": person, "meeting": report.meeting, "kind": report.get_kind_display()},
            to=[person.email],
        )
        sent += mail.send_once(
            message, kind="feedback.report_notice", key=f"{report.pk}:{person.pk}"
        )
    return sent


@transaction.atomic
def report_update(*, report: MeetingReport, status: str, note: str = "", by) -> MeetingReport:
    """Move a report along the queue; the history keeps who did it and when."""
    if status not in ReportStatus.values:
        raise ValidationError({"status": "Choose new, in hand or done."})
    report.status = status
    report.handled_by = by
    if note.strip():
        report.staff_note = note.strip()
    report._history_user = by
    report.save()
    return report


def personal_data_export(person_id: int) -> dict:
    email = Person.objects.filter(pk=person_id).values_list("email", flat=True).first()
    if not email:
        return {"reports": []}
    return {
        "reports": [
            {
                "meeting": r.meeting.name,
                "kind": r.get_kind_display(),
                "at": r.created_at.isoformat(),
            }
            for r in MeetingReport.objects.filter(reply_email__iexact=email).select_related(
                "meeting"
            )
        ]
    }


def personal_data_erase(person_id: int) -> dict[str, int]:
    email = Person.objects.filter(pk=person_id).values_list("email", flat=True).first()
    if not email:
        return {"report reply addresses": 0}
    changed = MeetingReport.objects.filter(reply_email__iexact=email).update(reply_email="")
    return {"report reply addresses": changed}
