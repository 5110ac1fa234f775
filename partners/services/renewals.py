"""A term's renewal (draft, confirm, approve, activate) and the daily
renewals job with its reminders, lapses and staff summary."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from partners.models import (
    IN_FORCE_STATUSES,
    PENDING_STATUSES,
    Affiliation,
    AgreementPeriod,
    InvoiceKind,
    InvoicePurpose,
    InvoiceStatus,
    PeriodStatus,
    Person,
    Reminder,
    ReminderKind,
    SiteCoverage,
    SiteFlag,
)
from partners.services.fees import fee_rate_on, one_year_from, period_lines
from partners.services.invitations import portal_link_for
from partners.services.invoices import invoice_draft, invoice_issue
from smartnet import mail
from smartnet.models import JobRun, User
from smartnet.roles import Role

REMINDER_DAYS = (60, 30, 7)


def period_audit(period_pk: int) -> None:
    """Write the audit-trail row (django-simple-history) for a term just
    changed by a conditional update, which itself writes none."""
    AgreementPeriod.objects.get(pk=period_pk).save(update_fields=["status"])


@transaction.atomic
def renewal_draft(*, period: AgreementPeriod, today: datetime.date) -> AgreementPeriod | None:
    """Draft the next term (sites then covered, fee in force at its start) and
    its invoice. Returns None if the renewal already exists (unique ``previous``)."""
    start = period.end_date + datetime.timedelta(days=1)
    end = one_year_from(start)
    agreement = period.agreement
    try:
        with transaction.atomic():
            renewal = AgreementPeriod.objects.create(
                agreement=agreement,
                previous=period,
                start_date=start,
                end_date=end,
                status=PeriodStatus.DRAFT,
                drafted_on=today,
                annual_amount=period.annual_amount,
                site_fee=None if agreement.is_block else fee_rate_on(start),
            )
    except IntegrityError:
        return None
    if not agreement.is_block:
        staying = (
            period.coverage.filter(Q(left_on__isnull=True) | Q(left_on__gt=period.end_date))
            .filter(Q(site__closed_on__isnull=True) | Q(site__closed_on__gt=period.end_date))
            .values_list("site_id", flat=True)
        )
        SiteCoverage.objects.bulk_create(
            SiteCoverage(period=renewal, site_id=site_id, joined_on=start) for site_id in staying
        )
    invoice_draft(
        organisation=agreement.organisation,
        period=renewal,
        purpose=InvoicePurpose.TERM,
        lines=period_lines(renewal),
    )
    if AgreementPeriod.objects.filter(pk=period.pk, status=PeriodStatus.ACTIVE).update(
        status=PeriodStatus.RENEWAL_DUE, renewal_due_on=today
    ):
        period_audit(period.pk)
    return renewal


@transaction.atomic
def renewal_confirm(
    *, renewal: AgreementPeriod, person: Person | None, today: datetime.date | None = None
) -> AgreementPeriod:
    """The partner confirms the renewal in the portal; staff then accept it."""
    today = today or timezone.localdate()
    if renewal.previous_id is None or renewal.status not in PENDING_STATUSES:
        raise ValidationError({"renewal": "There is no renewal waiting for confirmation."})
    if AgreementPeriod.objects.filter(pk=renewal.pk, confirmed_on__isnull=True).update(
        confirmed_on=today, confirmed_by=person
    ):
        period_audit(renewal.pk)
    renewal.refresh_from_db()
    return renewal


@transaction.atomic
def renewal_approve(*, renewal: AgreementPeriod, today: datetime.date | None = None) -> str:
    """Staff approval of a drafted renewal: its invoice is issued and the period
    sent; if the partner has confirmed (or paid) it becomes active. Returns
    what happened ("activated", "sent" or "unchanged")."""
    today = today or timezone.localdate()
    renewal = AgreementPeriod.objects.select_for_update().get(pk=renewal.pk)
    if renewal.previous_id is None or renewal.status not in PENDING_STATUSES:
        return "unchanged"
    if renewal.status == PeriodStatus.DRAFT:
        AgreementPeriod.objects.filter(pk=renewal.pk).update(
            status=PeriodStatus.SENT, sent_on=today
        )
        period_audit(renewal.pk)
    for invoice in renewal.invoices.filter(status=InvoiceStatus.DRAFT, kind=InvoiceKind.INVOICE):
        invoice_issue(invoice=invoice, today=today)
    paid = renewal.invoices.filter(
        kind=InvoiceKind.INVOICE, purpose=InvoicePurpose.TERM, status=InvoiceStatus.PAID
    ).exists()
    if renewal.confirmed_on or paid:
        renewal_activate(renewal=renewal, today=today)
        return "activated"
    return "sent"


@transaction.atomic
def renewal_activate(*, renewal: AgreementPeriod, today: datetime.date) -> AgreementPeriod:
    """The renewal is in force: the period it follows becomes renewed. Claimed by
    a conditional update, so a second call does nothing."""
    if not AgreementPeriod.objects.filter(pk=renewal.pk, status__in=PENDING_STATUSES).update(
        status=PeriodStatus.ACTIVE, activated_on=today, sent_on=renewal.sent_on or today
    ):
        renewal.refresh_from_db()
        return renewal
    period_audit(renewal.pk)
    previous_id = renewal.previous_id
    if previous_id is not None and AgreementPeriod.objects.filter(
        pk=previous_id, status__in=[*IN_FORCE_STATUSES, PeriodStatus.LAPSED]
    ).update(status=PeriodStatus.RENEWED, renewed_on=today):
        period_audit(previous_id)
    for invoice in renewal.invoices.filter(status=InvoiceStatus.DRAFT, kind=InvoiceKind.INVOICE):
        invoice_issue(invoice=invoice, today=today)
    renewal.refresh_from_db()
    return renewal


def renewals_bulk_approve(
    *, renewal_ids: Iterable[int], today: datetime.date | None = None
) -> dict:
    """Approve many renewals; each in its own transaction. Counts by outcome."""
    counts: dict[str, int] = defaultdict(int)
    for renewal in AgreementPeriod.objects.filter(pk__in=list(renewal_ids)):
        counts[renewal_approve(renewal=renewal, today=today)] += 1
    return dict(counts)


def _contacts_by_org(org_ids: Iterable[int], on: datetime.date) -> dict[int, list[Person]]:
    result: dict[int, list[Person]] = defaultdict(list)
    rows = (
        Affiliation.objects.current(on)
        .contacts()
        .filter(organisation_id__in=set(org_ids), person__anonymised_at__isnull=True)
        .exclude(person__email="")
        .select_related("person")
    )
    for row in rows:
        if row.person not in result[row.organisation_id]:
            result[row.organisation_id].append(row.person)
    return result


def _reminder_kind_due(days_left: int) -> str | None:
    """The most recent reminder threshold reached: only that one is sent, so a
    run after missed days does not send the stale earlier ones."""
    due = [d for d in REMINDER_DAYS if days_left <= d]
    return str(min(due)) if due and days_left >= 0 else None


def _claim_reminder(
    period: AgreementPeriod, kind: str, today: datetime.date, contacts: list[Person]
) -> Reminder | None:
    """The Reminder row, or None when one of this kind exists (a second run or
    a second worker). Made in a savepoint, so a clash spoils nothing around it."""
    try:
        with transaction.atomic():
            return Reminder.objects.create(
                period=period,
                kind=kind,
                for_date=today,
                recipients=", ".join(p.email for p in contacts),
            )
    except IntegrityError:
        return None


def _deliver_reminder(
    reminder: Reminder,
    today: datetime.date,
    contacts: list[Person],
    renewal: AgreementPeriod | None = None,
) -> None:
    """E-mail a claimed reminder, after its row is committed (the row is the
    e-mail's claim; ``smartnet.mail.deliver`` stamps ``sent_at``). A reminder
    before the end whose send fails gives back its claim, so the next run (or
    the task's retry) tries again; a lapse notice keeps it, since its term has
    lapsed and no run comes back to it: unconfirmed, it is listed for staff, as
    is any claim whose worker was killed between the commit and this point.
    Never sent twice."""
    if not contacts:
        return
    period = reminder.period
    lapse = reminder.kind == ReminderKind.LAPSED
    message = mail.render(
        f"partners/email/{'lapsed' if lapse else 'reminder'}",
        {
            "period": period,
            "agreement": period.agreement,
            "organisation": period.agreement.organisation,
            "days_left": (period.end_date - today).days,
            "renewal": renewal,
            # Each contact's way in: sign in, or ask for their invitation.
            "portal_links": [(p.full_name, portal_link_for(p)) for p in contacts],
        },
        to=[p.email for p in contacts],
    )
    mail.deliver(message, reminder, give_back=not lapse)


def _send_reminder(
    period: AgreementPeriod,
    kind: str,
    today: datetime.date,
    contacts: list[Person],
    renewal: AgreementPeriod | None = None,
) -> bool:
    """Claim, commit, then send: at most one e-mail per (period, kind)."""
    reminder = _claim_reminder(period, kind, today, contacts)
    if reminder is None:
        return False
    _deliver_reminder(reminder, today, contacts, renewal)
    return True


@transaction.atomic
def _lapse(
    period: AgreementPeriod, today: datetime.date, summary: dict, contacts
) -> Reminder | None:
    """Lapse the period; returns the lapse reminder claimed in the same
    transaction (delivered by the caller once committed), or None when another
    worker lapsed it first."""
    if not AgreementPeriod.objects.filter(pk=period.pk, status__in=IN_FORCE_STATUSES).update(
        status=PeriodStatus.LAPSED, lapsed_on=today
    ):
        return None  # another worker got there first
    period_audit(period.pk)
    summary["lapsed"].append(period.agreement.reference)
    for renewal in AgreementPeriod.objects.filter(previous=period, status__in=PENDING_STATUSES):
        AgreementPeriod.objects.filter(pk=renewal.pk).update(
            status=PeriodStatus.LAPSED, lapsed_on=today
        )
        period_audit(renewal.pk)
        renewal.invoices.filter(status=InvoiceStatus.DRAFT).update(status=InvoiceStatus.VOID)
        for number in renewal.invoices.filter(status__in=[InvoiceStatus.ISSUED]).values_list(
            "number", flat=True
        ):
            summary["needs_human"].append(
                f"{number}: renewal invoice of lapsed {period.agreement.reference} is unpaid; "
                "credit it or chase it"
            )
    sites = list(period.coverage.filter(left_on__isnull=True).values_list("site_id", flat=True))
    SiteFlag.objects.bulk_create(
        SiteFlag(site_id=s, reason=f"Licence {period.agreement.reference} lapsed", raised_on=today)
        for s in sites
    )
    return _claim_reminder(period, ReminderKind.LAPSED, today, contacts)


def run_renewals(*, today: datetime.date | None = None, batch: int | None = None) -> dict:
    """The daily renewals job. Idempotent and safe to run twice or in two
    workers at once: each reminder is a unique (period, kind) row, each renewal
    a unique ``previous``, each lapse a conditional status update. Scanning is
    a fixed number of queries; the rest grows with the periods acted on.

    It acts on at most ``batch`` periods (``PARTNERS_RENEWALS_BATCH``), soonest
    end first, and says how many it left in ``summary["left"]``: a catch-up
    after the job has not run for weeks is worked in runs of bounded length
    (the task queues the next run itself); an ordinary day fits in one."""
    today = today or timezone.localdate()
    batch = batch or settings.PARTNERS_RENEWALS_BATCH
    summary: dict[str, Any] = {
        "reminders": [],
        "renewals_drafted": [],
        "lapsed": [],
        "needs_human": [],
    }
    todo = _renewals_scan(today)
    left = max(0, len(todo) - batch)
    _renewals_act(todo[:batch], today, summary)
    summary["awaiting_approval"] = AgreementPeriod.objects.filter(
        previous__isnull=False, status__in=PENDING_STATUSES
    ).count()
    summary["left"] = left
    _record_run(today, summary)
    return summary


# One term's work for the day: (the term, its renewal if drafted, its actions).
Todo = tuple[AgreementPeriod, AgreementPeriod | None, list]


def _renewals_scan(today: datetime.date) -> list[Todo]:
    """What each term in the reminder window needs today ("lapse", "draft",
    ("remind", kind)), soonest end first; terms needing nothing are left out.
    A fixed number of queries whatever the number of terms; writes nothing."""
    grace = datetime.timedelta(days=settings.PARTNERS_GRACE_DAYS)
    draft_days = settings.PARTNERS_RENEWAL_DRAFT_DAYS
    window = {
        "status__in": IN_FORCE_STATUSES,
        "end_date__lte": today + datetime.timedelta(days=max(REMINDER_DAYS)),
    }
    candidates = list(
        AgreementPeriod.objects.filter(**window)
        .select_related("agreement__organisation")
        .order_by("end_date", "pk")
    )
    # Reminders sent and renewals drafted for the whole window, in two queries
    # (joins on the same conditions, not long lists of ids).
    sent = set(
        Reminder.objects.filter(**{f"period__{k}": v for k, v in window.items()}).values_list(
            "period_id", "kind"
        )
    )
    renewals = {
        r.previous_id: r
        for r in AgreementPeriod.objects.filter(**{f"previous__{k}": v for k, v in window.items()})
    }
    todo: list[Todo] = []
    for period in candidates:
        days_left = (period.end_date - today).days
        renewal = renewals.get(period.pk)
        actions: list = []
        if period.end_date + grace < today:
            if renewal is None or renewal.activated_on is None:
                actions.append("lapse")
        else:
            # Draft first, so that the reminder of the same run can point at it.
            if days_left <= draft_days and renewal is None:
                actions.append("draft")
            kind = _reminder_kind_due(days_left)
            confirmed = renewal is not None and renewal.confirmed_on is not None
            if kind and (period.pk, kind) not in sent and not confirmed:
                actions.append(("remind", kind))
        if actions:
            todo.append((period, renewal, actions))
    return todo


def _renewals_act(todo: list[Todo], today: datetime.date, summary: dict) -> None:
    """Do what the scan found, term by term, and note it in ``summary``."""
    contacts = _contacts_by_org({p.agreement.organisation_id for p, _, _ in todo}, today)
    for period, renewal, actions in todo:
        org_contacts = contacts.get(period.agreement.organisation_id, [])
        for action in actions:
            if action == "lapse":
                reminder = _lapse(period, today, summary, org_contacts)
                if reminder is not None:  # committed with the lapse; now e-mail it
                    _deliver_reminder(reminder, today, org_contacts)
            elif action == "draft":
                drafted = renewal_draft(period=period, today=today)
                if drafted is not None:
                    summary["renewals_drafted"].append(period.agreement.reference)
                    renewal = drafted
            else:
                if _send_reminder(period, action[1], today, org_contacts, renewal):
                    summary["reminders"].append(f"{period.agreement.reference} ({action[1]} days)")
                    if not org_contacts:
                        summary["needs_human"].append(
                            f"{period.agreement.reference}: {period.agreement.organisation} has "
                            "no contact with an e-mail address; reminder not e-mailed"
                        )


ACTED = ("reminders", "renewals_drafted", "lapsed", "needs_human")


def _record_run(today: datetime.date, summary: dict) -> None:
    """One JobRun per day, its summary the sum of the day's runs; staff get the
    summary e-mail when a run that did something leaves nothing for later."""
    with transaction.atomic():
        run, created = JobRun.objects.select_for_update().get_or_create(
            job="partners.run_renewals", key=today.isoformat(), defaults={"summary": summary}
        )
        did_something = any(summary[k] for k in ACTED)
        if not created:
            if not did_something and not run.summary.get("left"):
                return
            merged = {k: run.summary.get(k, []) + summary[k] for k in ACTED}
            summary = {**summary, **merged}
            JobRun.objects.filter(pk=run.pk).update(summary=summary)
        if summary["left"]:
            return  # finished_at and the e-mail wait for the last batch
        JobRun.objects.filter(pk=run.pk).update(finished_at=timezone.now())
    staff = list(
        User.objects.filter(is_active=True, role__in=[Role.STAFF_ADMIN, Role.FINANCE]).values_list(
            "email", flat=True
        )
    )
    message = mail.render(
        "partners/email/staff_summary", {"summary": summary, "today": today}, to=staff
    )
    mail.send_once(message, kind="partners.renewals_summary", key=today.isoformat())


def reminders_erase(person_id: int) -> dict[str, int]:
    """Remove the person's address from the reminders' recipient lists."""
    email = Person.objects.filter(pk=person_id).values_list("email", flat=True).first()
    if not email:
        return {}
    changed = 0
    for reminder in Reminder.objects.filter(recipients__icontains=email):
        kept = [e.strip() for e in reminder.recipients.split(",") if e.strip().lower() != email]
        Reminder.objects.filter(pk=reminder.pk).update(recipients=", ".join(kept))
        changed += 1
    return {"reminder recipients": changed}
