"""Reads of the Partnership Scheme that other apps (training, meetings, board)
rely on. Contract: /work/brief/CONTRACTS.md; all dates are ``datetime.date``.

A period is *in force* on a day when it was activated, has started, and the day
is no later than its end plus the grace period (unless it was terminated
before). That covers the standings current, renewal due and grace.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Exists, F, Min, OuterRef, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from partners.models import (
    IN_FORCE_STATUSES,
    OPEN_INVOICE_STATUSES,
    PENDING_STATUSES,
    Affiliation,
    AffiliationRole,
    Agreement,
    AgreementKind,
    AgreementPeriod,
    Area,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
    Organisation,
    Payment,
    PendingContact,
    PendingContactStatus,
    PeriodStatus,
    Person,
    Product,
    Reminder,
    SiteCoverage,
    Standing,
)

IN_FORCE_STANDINGS = (Standing.CURRENT, Standing.RENEWAL_DUE, Standing.GRACE)


def periods_in_force(*, on: datetime.date, kind: str | None = None) -> QuerySet[AgreementPeriod]:
    """Periods in force on ``on``: standing current, renewal due or in grace
    (``AgreementPeriod.standing``, by its SQL twin ``with_standing``)."""
    grace = datetime.timedelta(days=settings.PARTNERS_GRACE_DAYS)
    # The date bounds only narrow the rows on the end-date index; the standing decides.
    qs = (
        AgreementPeriod.objects.filter(start_date__lte=on, end_date__gte=on - grace)
        .with_standing(on)
        .filter(standing_then__in=IN_FORCE_STANDINGS)
    )
    if kind:
        qs = qs.filter(agreement__kind=kind)
    return qs


def partner_ids_on(*, on: datetime.date) -> set[int]:
    """Organisations holding a site licence in force on ``on``."""
    return set(
        periods_in_force(on=on, kind=AgreementKind.SITE_LICENCE).values_list(
            "agreement__organisation_id", flat=True
        )
    )


def partner_intervals(
    *, organisation_ids: Iterable[int] | None = None
) -> dict[int, list[tuple[datetime.date, datetime.date]]]:
    """Organisation id -> the inclusive day ranges ``(first, last)`` in which it
    holds a site licence in force, read in one query, merged and sorted.

    The same rule as ``periods_in_force``/``partner_ids_on``: an activated period
    counts from its start to its end plus the grace period (to its end only once
    renewed), and up to the day before it was terminated. ``partner_ids_on(on=d)``
    holds ``o`` exactly when ``d`` falls in one of ``o``'s ranges; a caller
    checking many days (an import) asks once instead of once per day.
    """
    grace = datetime.timedelta(days=settings.PARTNERS_GRACE_DAYS)
    one_day = datetime.timedelta(days=1)
    qs = AgreementPeriod.objects.filter(
        activated_on__isnull=False, agreement__kind=AgreementKind.SITE_LICENCE
    ).exclude(status__in=[PeriodStatus.DRAFT, PeriodStatus.SENT])
    if organisation_ids is not None:
        qs = qs.filter(agreement__organisation_id__in=list(organisation_ids))
    ranges: dict[int, list[tuple[datetime.date, datetime.date]]] = {}
    for org_id, start, end, status, terminated_on in qs.values_list(
        "agreement__organisation_id", "start_date", "end_date", "status", "terminated_on"
    ):
        last = end if status == PeriodStatus.RENEWED else end + grace
        if terminated_on is not None:
            last = min(last, terminated_on - one_day)
        if last >= start:
            ranges.setdefault(org_id, []).append((start, last))
    merged: dict[int, list[tuple[datetime.date, datetime.date]]] = {}
    for org_id, spans in ranges.items():
        spans.sort()
        out = [spans[0]]
        for start, last in spans[1:]:
            prev_start, prev_last = out[-1]
            if start <= prev_last + one_day:
                out[-1] = (prev_start, max(prev_last, last))
            else:
                out.append((start, last))
        merged[org_id] = out
    return merged


def is_partner_on(*, organisation_id: int, on: datetime.date) -> bool:
    return (
        periods_in_force(on=on, kind=AgreementKind.SITE_LICENCE)
        .filter(agreement__organisation_id=organisation_id)
        .exists()
    )


def first_signed_on_by_organisation() -> dict[int, datetime.date]:
    """Organisation id -> signing date of its first partnership (site-licence) agreement."""
    rows = (
        Agreement.objects.filter(kind=AgreementKind.SITE_LICENCE, signed_on__isnull=False)
        .order_by()
        .values("organisation_id")
        .annotate(first=Min("signed_on"))
        .values_list("organisation_id", "first")
    )
    return dict(rows)


def active_partner_count(*, on: datetime.date) -> int:
    return len(partner_ids_on(on=on))


def covered_sites(*, on: datetime.date) -> QuerySet[SiteCoverage]:
    """Coverage rows of site licences in force on ``on`` that cover the site that day."""
    return SiteCoverage.objects.filter(
        Q(left_on__isnull=True) | Q(left_on__gte=on),
        joined_on__lte=on,
        period__in=periods_in_force(on=on, kind=AgreementKind.SITE_LICENCE),
    )


def block_area_ids(*, on: datetime.date) -> set[int]:
    """Areas covered by a block agreement in force on ``on``."""
    commissioners = periods_in_force(on=on, kind=AgreementKind.BLOCK).values(
        "agreement__organisation_id"
    )
    return set(Area.objects.filter(commissioners__in=commissioners).values_list("pk", flat=True))


def active_site_count(*, on: datetime.date) -> int:
    """Sites in the scheme on ``on``: covered by a licence in force (including
    those whose fee a block agreement pays)."""
    return covered_sites(on=on).values("site_id").distinct().count()


def block_covered_site_count(*, on: datetime.date) -> int:
    return (
        covered_sites(on=on)
        .filter(site__area_id__in=block_area_ids(on=on))
        .values("site_id")
        .distinct()
        .count()
    )


def block_population_by_nation(*, on: datetime.date) -> dict[str, tuple[int, int]]:
    """Nation -> (population of areas under a block agreement, total population)."""
    covered = block_area_ids(on=on)
    result: dict[str, tuple[int, int]] = {}
    for nation, area_id, population in Area.objects.values_list("nation", "pk", "population"):
        got, total = result.get(nation, (0, 0))
        result[nation] = (got + (population if area_id in covered else 0), total + population)
    return result


def renewal_rate(*, on: datetime.date) -> Decimal | None:
    """Share of periods that ended in the 12 months to ``on`` and were decided
    (renewed or lapsed) that renewed. None when there are none."""
    start = on - datetime.timedelta(days=365)
    decided = AgreementPeriod.objects.filter(
        end_date__gt=start,
        end_date__lte=on,
        status__in=[PeriodStatus.RENEWED, PeriodStatus.LAPSED],
    )
    total = decided.count()
    if not total:
        return None
    renewed = decided.filter(status=PeriodStatus.RENEWED).count()
    return (Decimal(renewed) / Decimal(total)).quantize(Decimal("0.0001"))


def licence_income(*, start: datetime.date, end: datetime.date) -> Decimal:
    """Net (ex-VAT) licence and block income invoiced in [start, end], less credit notes."""
    lines = InvoiceLine.objects.filter(
        product__code__in=[Product.SITE_LICENCE, Product.BLOCK_AGREEMENT],
        invoice__issue_date__gte=start,
        invoice__issue_date__lte=end,
        invoice__number__isnull=False,
    )
    invoiced = lines.filter(invoice__kind=InvoiceKind.INVOICE).aggregate(s=Sum("net_amount"))["s"]
    credited = lines.filter(invoice__kind=InvoiceKind.CREDIT_NOTE).aggregate(s=Sum("net_amount"))[
        "s"
    ]
    return ((invoiced or Decimal(0)) - (credited or Decimal(0))).quantize(Decimal("0.01"))


def renewals_due(*, on: datetime.date, days: int = 90) -> QuerySet[AgreementPeriod]:
    """Periods in force whose term ends within ``days`` of ``on`` and not yet renewed
    (the agreement is ``period.agreement``), soonest first."""
    renewed = AgreementPeriod.objects.filter(previous=OuterRef("pk"), activated_on__isnull=False)
    return (
        AgreementPeriod.objects.filter(
            status__in=[PeriodStatus.ACTIVE, PeriodStatus.RENEWAL_DUE],
            end_date__gte=on,
            end_date__lte=on + datetime.timedelta(days=days),
        )
        .exclude(Exists(renewed))
        .select_related("agreement__organisation", "renewal")
        .order_by("end_date", "pk")
    )


def overdue_invoices(*, on: datetime.date) -> QuerySet[Invoice]:
    """Issued or part-paid invoices whose due date is before ``on``, oldest first."""
    return (
        Invoice.objects.filter(
            kind=InvoiceKind.INVOICE, status__in=OPEN_INVOICE_STATUSES, due_date__lt=on
        )
        .select_related("organisation")
        .order_by("due_date", "pk")
    )


def income_by_month(*, on: datetime.date, months: int = 12) -> list[tuple[datetime.date, Decimal]]:
    """Money received (payments) in each of the last ``months`` calendar months up to
    ``on``, oldest first, as (first day of the month, total); one query."""
    first = on.replace(day=1)
    for _ in range(months - 1):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    totals = {
        row["month"]: row["total"]
        for row in Payment.objects.filter(received_on__gte=first, received_on__lte=on)
        .annotate(month=TruncMonth("received_on"))
        .values("month")
        .annotate(total=Sum("amount"))
    }
    result, month = [], first
    for _ in range(months):
        result.append((month, totals.get(month, Decimal(0)) or Decimal(0)))
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return result


# Age bands of money owed: (label, fewest days past due, most days past due or None).
OWED_AGE_BANDS = [
    ("Not yet due", None, 0),
    ("1-30 days late", 1, 30),
    ("31-60 days late", 31, 60),
    ("61-90 days late", 61, 90),
    ("Over 90 days late", 91, None),
]


def owed_by_age(*, on: datetime.date) -> list[tuple[str, Decimal]]:
    """What open invoices still owe on ``on``, by how late they are; one query."""
    balance = F("total") - F("amount_paid") - F("amount_credited")
    sums = {}
    for index, (_label, fewest, most) in enumerate(OWED_AGE_BANDS):
        condition = Q()
        if fewest is not None:
            condition &= Q(due_date__lte=on - datetime.timedelta(days=fewest))
        if most is not None:
            condition &= Q(due_date__gte=on - datetime.timedelta(days=most))
        sums[f"band{index}"] = Sum(balance, filter=condition)
    row = Invoice.objects.filter(
        kind=InvoiceKind.INVOICE, status__in=OPEN_INVOICE_STATUSES, due_date__isnull=False
    ).aggregate(**sums)
    return [
        (label, row[f"band{index}"] or Decimal(0))
        for index, (label, _, _) in enumerate(OWED_AGE_BANDS)
    ]


__all__ = [
    "InvoiceStatus",
    "active_partner_count",
    "active_site_count",
    "block_covered_site_count",
    "block_population_by_nation",
    "first_signed_on_by_organisation",
    "is_partner_on",
    "licence_income",
    "income_by_month",
    "overdue_invoices",
    "owed_by_age",
    "partner_ids_on",
    "renewal_rate",
    "renewals_due",
]


def unconfirmed_reminders(*, older_than_minutes: int = 10) -> QuerySet:
    """Reminders claimed (their row committed) with recipients but never
    confirmed sent: the sending was cut short, and no run sends them again
    (at most once). Staff check with the partner and send by hand."""

    cutoff = timezone.now() - datetime.timedelta(minutes=older_than_minutes)
    return (
        Reminder.objects.filter(sent_at__isnull=True, created_at__lt=cutoff)
        .exclude(recipients="")
        .select_related("period__agreement__organisation")
        .order_by("created_at")
    )


def pending_contacts_with_matches() -> list[tuple[PendingContact, Person | None]]:
    """Contacts partners named in the portal, waiting for staff, each with the
    person in the directory who has that e-mail (None when nobody has it) and
    that person's current ties, so staff can decide who it is."""
    pending = list(
        PendingContact.objects.filter(status=PendingContactStatus.PENDING)
        .select_related("organisation", "requested_by")
        .order_by("requested_at", "pk")
    )
    emails = {p.email for p in pending}
    matches = {
        person.email: person
        for person in Person.objects.filter(
            email__in=emails, anonymised_at__isnull=True
        ).prefetch_related(
            Prefetch(
                "affiliations",
                queryset=Affiliation.objects.current().select_related("organisation"),
                to_attr="current_ties",
            )
        )
    }
    return [(p, matches.get(p.email)) for p in pending]


def pending_contacts_for(organisation: Organisation) -> QuerySet[PendingContact]:
    """What the portal may show of its own pending contacts: what it typed."""
    return PendingContact.objects.filter(
        organisation=organisation, status=PendingContactStatus.PENDING
    ).order_by("role")


def current_site_licence(
    *, organisation: Organisation, on: datetime.date
) -> AgreementPeriod | None:
    """The organisation's site-licence period in force (or pending) on ``on``."""
    return (
        AgreementPeriod.objects.filter(
            agreement__organisation=organisation,
            agreement__kind=AgreementKind.SITE_LICENCE,
            start_date__lte=on,
            end_date__gte=on,
            status__in=[*IN_FORCE_STATUSES, *PENDING_STATUSES],
        )
        .select_related("agreement")
        .order_by("-start_date")
        .first()
    )


def pending_contacts_of(*, person_id: int) -> QuerySet[PendingContact]:
    """Pending contacts typed with this person's e-mail, or that became their affiliation."""
    email = Person.objects.filter(pk=person_id).values_list("email", flat=True).first()
    query = Q(affiliation__person_id=person_id)
    if email:
        query |= Q(email__iexact=email)
    return PendingContact.objects.filter(query)


# Age bands of the overdue screen: (label, first day overdue, last day or None).
AGE_BANDS = (
    ("1-30 days", 1, 30),
    ("31-60 days", 31, 60),
    ("61-90 days", 61, 90),
    ("Over 90 days", 91, None),
)


def overdue_ageing(*, on: datetime.date) -> dict:
    """Totals of what is overdue on ``on``: in all, and by age band (count and
    balance owed), in one query."""
    balance = F("total") - F("amount_paid") - F("amount_credited") + F("amount_refunded")
    aggregates: dict[str, Count | Sum] = {}
    for i, (_label, first, last) in enumerate(AGE_BANDS):
        window = Q(due_date__lte=on - datetime.timedelta(days=first))
        if last is not None:
            window &= Q(due_date__gte=on - datetime.timedelta(days=last))
        aggregates[f"n{i}"] = Count("pk", filter=window)
        aggregates[f"s{i}"] = Sum(balance, filter=window)
    aggregates["n"] = Count("pk")
    aggregates["s"] = Sum(balance)
    row = overdue_invoices(on=on).order_by().aggregate(**aggregates)
    bands = [
        {"label": label, "count": row[f"n{i}"], "total": row[f"s{i}"] or Decimal(0)}
        for i, (label, _f, _l) in enumerate(AGE_BANDS)
    ]
    return {"count": row["n"], "total": row["s"] or Decimal(0), "bands": bands}


def staff_person_ids(
    *, organisation_id: int, person_ids: Iterable[int], on: datetime.date
) -> set[int]:
    """Those of ``person_ids`` who held a staff role at the organisation on ``on``:
    any affiliation but a volunteer's (contacts and signatories are staff too)."""
    return set(
        Affiliation.objects.current(on)
        .filter(organisation_id=organisation_id, person_id__in=list(person_ids))
        .exclude(role=AffiliationRole.VOLUNTEER)
        .values_list("person_id", flat=True)
    )
