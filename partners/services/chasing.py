"""Chasing overdue invoices: the daily job that sends reminders a set number
of days after the due date (``PARTNERS_CHASE_DAYS``), a reminder sent by hand
from the overdue screen, and holds (an organisation's or one invoice's
chasing stopped, with a reason)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from partners.models import (
    OPEN_INVOICE_STATUSES,
    Affiliation,
    AffiliationRole,
    ChasingHold,
    Invoice,
    InvoiceKind,
    InvoiceReminder,
    Organisation,
)
from partners.services.invitations import portal_link_for
from partners.services.invoices import charity_details
from smartnet import mail
from smartnet.models import JobRun
from smartnet.queue import enqueue

JOB = "partners.run_chasing"


def chase_days() -> list[int]:
    return sorted(set(settings.PARTNERS_CHASE_DAYS))


def open_holds():
    """Holds in force: on the invoice itself or on its organisation."""
    return ChasingHold.objects.filter(released_on__isnull=True)


def on_hold_q() -> Q:
    """Invoices whose chasing is on hold (for ``Invoice`` querysets)."""
    return Q(
        Exists(open_holds().filter(invoice=OuterRef("pk")))
        | Exists(open_holds().filter(organisation=OuterRef("organisation"), invoice__isnull=True))
    )


def chaseable():
    """Open invoices (issued or part paid, not credited in full) not on hold."""
    return Invoice.objects.filter(
        kind=InvoiceKind.INVOICE, status__in=OPEN_INVOICE_STATUSES
    ).exclude(on_hold_q())


def _due_today(today: datetime.date) -> list[tuple[Invoice, int]]:
    """(invoice, step) for every invoice whose latest step is reached today
    and not yet sent: one query per step, returning only the invoices to act on
    (never those merely scanned). A run after missed days sends only the latest
    step reached, not the stale earlier ones."""
    days = chase_days()
    todo: list[tuple[Invoice, int]] = []
    for i, step in enumerate(days):
        window = Q(due_date__lte=today - datetime.timedelta(days=step))
        if i + 1 < len(days):
            window &= Q(due_date__gt=today - datetime.timedelta(days=days[i + 1]))
        rows = (
            chaseable()
            .filter(window)
            .exclude(Exists(InvoiceReminder.objects.filter(invoice=OuterRef("pk"), days=step)))
            .select_related("organisation")
            .order_by("due_date", "pk")
        )
        todo.extend((invoice, step) for invoice in rows)
    return todo


def _recipients_by_org(org_ids: set[int], on: datetime.date) -> dict[int, tuple[list[str], str]]:
    """Per organisation: its billing contacts' e-mails (else its main
    contacts'), and the first one's way into the portal. One query for all."""
    found: dict[int, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    rows = (
        Affiliation.objects.current(on)
        .filter(
            organisation_id__in=org_ids,
            role__in=[AffiliationRole.BILLING_CONTACT, AffiliationRole.MAIN_CONTACT],
            person__anonymised_at__isnull=True,
        )
        .exclude(person__email="")
        .select_related("person__user")
        .order_by("pk")
    )
    for row in rows:
        people = found[row.organisation_id][row.role]
        if row.person.email not in [p.email for p in people]:
            people.append(row.person)
    result = {}
    for org_id, roles in found.items():
        people = roles.get(AffiliationRole.BILLING_CONTACT) or roles.get(
            AffiliationRole.MAIN_CONTACT, []
        )
        if people:
            result[org_id] = ([p.email for p in people], portal_link_for(people[0]))
    return result


def _claim(invoice: Invoice, days: int, today: datetime.date, to: list[str]):
    """The reminder row (the e-mail's claim), or None when it exists already
    (a second run, a second worker). Committed on its own before the send."""
    try:
        with transaction.atomic():
            return InvoiceReminder.objects.create(
                invoice=invoice, days=days, for_date=today, recipients=", ".join(to)
            )
    except IntegrityError:
        return None


def _deliver(
    reminder: InvoiceReminder,
    invoice: Invoice,
    today: datetime.date,
    to: list[str],
    link: str,
    *,
    give_back: bool = True,
):
    """E-mail a claimed reminder; a refusal gives back the claim (the row is
    deleted) so the task's retry or tomorrow's run sends it, or with
    ``give_back=False`` keeps it unsent for the queued task's retry."""
    if not to:
        return
    message = mail.render(
        "partners/email/overdue",
        {
            "invoice": invoice,
            "organisation": invoice.organisation,
            "charity": charity_details(),
            "days_overdue": invoice.days_overdue(today),
            "portal_url": link,
        },
        to=to,
    )
    mail.deliver(message, reminder, give_back=give_back)


def run_chasing(*, today: datetime.date | None = None) -> dict[str, Any]:
    """The daily chasing job. Idempotent and safe in two workers at once: each
    reminder is a unique (invoice, step) row, claimed before its e-mail. An
    invoice paid, credited in full or on hold is not chased. The day's run is
    recorded in ``JobRun`` (job ``partners.run_chasing``, key the date)."""
    today = today or timezone.localdate()
    summary: dict[str, Any] = {"reminders": [], "needs_human": []}
    todo = _due_today(today)
    recipients = _recipients_by_org({i.organisation_id for i, _ in todo}, today)
    for invoice, step in todo:
        to, link = recipients.get(invoice.organisation_id, ([], ""))
        reminder = _claim(invoice, step, today, to)
        if reminder is None:
            continue
        _deliver(reminder, invoice, today, to, link)
        summary["reminders"].append(f"{invoice.number} ({step} days overdue)")
        if not to:
            summary["needs_human"].append(
                f"{invoice.number}: {invoice.organisation} has no billing or main contact "
                "with an e-mail address; reminder not e-mailed"
            )
    _record_run(today, summary)
    return summary


def _record_run(today: datetime.date, summary: dict) -> None:
    """One JobRun per day; a second run that day adds what it did."""
    with transaction.atomic():
        run, created = JobRun.objects.select_for_update().get_or_create(
            job=JOB, key=today.isoformat(), defaults={"summary": summary}
        )
        if not created:
            merged = {k: run.summary.get(k, []) + summary[k] for k in ("reminders", "needs_human")}
            JobRun.objects.filter(pk=run.pk).update(summary=merged)
        JobRun.objects.filter(pk=run.pk).update(finished_at=timezone.now())


def reminder_send_now(*, invoice: Invoice, today: datetime.date | None = None) -> InvoiceReminder:
    """Send an overdue reminder by hand (from the overdue screen): at most one
    a day per invoice; listed on the invoice with the job's."""
    today = today or timezone.localdate()
    invoice = Invoice.objects.select_related("organisation").get(pk=invoice.pk)
    if not invoice.is_overdue_on(today):
        raise ValidationError({"invoice": f"{invoice} is not overdue."})
    to, link = _recipients_by_org({invoice.organisation_id}, today).get(
        invoice.organisation_id, ([], "")
    )
    if not to:
        raise ValidationError(
            {"invoice": f"{invoice.organisation} has no billing or main contact with an e-mail."}
        )
    reminder = _claim(invoice, 0, today, to)
    if reminder is None:
        raise ValidationError({"invoice": f"A reminder for {invoice} was already sent today."})
    # Sent by the queue once the claim is committed: the request does not wait
    # on the mail server, and a refusal is retried by the task.
    enqueue("partners.tasks.reminder_send", reminder.pk)
    return reminder


def reminder_deliver(*, reminder_id: int) -> bool:
    """Send a reminder claimed by hand (:func:`reminder_send_now`) unless it has
    gone already; True when this call sent it. A refusal keeps the row unsent
    and propagates, for the task's retry."""
    reminder = (
        InvoiceReminder.objects.filter(pk=reminder_id, sent_at__isnull=True)
        .select_related("invoice__organisation")
        .first()
    )
    if reminder is None:
        return False
    invoice = reminder.invoice
    to, link = _recipients_by_org({invoice.organisation_id}, reminder.for_date).get(
        invoice.organisation_id, ([], "")
    )
    if not to:
        return False
    _deliver(reminder, invoice, reminder.for_date, to, link, give_back=False)
    return True


@transaction.atomic
def chasing_hold(
    *,
    organisation: Organisation,
    reason: str,
    invoice: Invoice | None = None,
    held_by=None,
    today: datetime.date | None = None,
) -> ChasingHold:
    """Stop chasing an organisation (or one of its invoices), with a reason."""
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why chasing is put on hold."})
    if invoice is not None and invoice.organisation_id != organisation.pk:
        raise ValidationError({"invoice": "That invoice is not this organisation's."})
    try:
        with transaction.atomic():
            return ChasingHold.objects.create(
                organisation=organisation,
                invoice=invoice,
                reason=reason.strip()[:300],
                held_on=today or timezone.localdate(),
                held_by=held_by,
            )
    except IntegrityError:
        raise ValidationError(
            {"reason": f"Chasing of {invoice or organisation} is already on hold."}
        ) from None


@transaction.atomic
def chasing_release(*, hold: ChasingHold, today: datetime.date | None = None) -> ChasingHold:
    """Chasing resumes (saved, not updated: the audit trail records it)."""
    hold = ChasingHold.objects.select_for_update().get(pk=hold.pk)
    if hold.released_on is None:
        hold.released_on = today or timezone.localdate()
        hold.save(update_fields=["released_on"])
    return hold
