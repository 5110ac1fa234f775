"""Where a partner or commissioner stands, in plain words, for the portal.

``situations`` reads each agreement term of the portal user's organisations
with the one rule of where a term stands (``AgreementPeriod.standing``) and
its renewal, and says it as people would: "Your licence for 2 sites ends on
31 May 2027. Renewal: £1,000, waiting for your confirmation." Templates print
these sentences; they decide nothing. ``money_owed`` is the balance of the
organisations' open invoices, for the portal home.

A read: it changes nothing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import F, Prefetch, Q, Sum

from partners.models import (
    IN_FORCE_STATUSES,
    OPEN_INVOICE_STATUSES,
    PENDING_STATUSES,
    AgreementPeriod,
    Area,
    Invoice,
    InvoiceKind,
    InvoicePurpose,
    InvoiceStatus,
    Standing,
)
from smartnet.templatetags.numbers import format_money


def _day(value: datetime.date) -> str:
    return f"{value.day} {value:%B %Y}"


@dataclass
class Situation:
    """One agreement term as its holder reads it."""

    period: AgreementPeriod
    standing: str
    sentence: str
    renewal: AgreementPeriod | None = None
    renewal_sentence: str = ""
    # The renewal waits for the holder's confirmation (the portal offers the button).
    may_confirm: bool = False
    tone: str = "info"  # "info", "action" (something to do), "warning" (late)
    facts: list[str] = field(default_factory=list)

    @property
    def next_renewal_on(self) -> datetime.date | None:
        if self.standing in (Standing.ENDED, Standing.PENDING):
            return None
        return self.period.end_date


def _sites_on(period: AgreementPeriod, on: datetime.date) -> int:
    """Sites the term covers on ``on`` (or at its start, before it begins); from the
    prefetched coverage."""
    day = max(on, period.start_date)
    return sum(
        1
        for c in period.coverage.all()
        if c.joined_on <= day and (c.left_on is None or c.left_on >= day)
    )


def _what(period: AgreementPeriod, on: datetime.date, areas: dict[int, list[str]]) -> str:
    """ "Your licence for 2 sites" / "Your block agreement for Leeds and Bradford"."""
    if period.agreement.is_block:
        names = areas.get(period.agreement.organisation_id, [])
        if not names:
            return "Your block agreement"
        listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        return f"Your block agreement for {listed}"
    count = _sites_on(period, on)
    return f"Your licence for {count} site{'' if count == 1 else 's'}"


def _renewal_amount(renewal: AgreementPeriod) -> Decimal | None:
    """The total of the renewal's term invoice (prefetched), or None before it is drafted."""
    for invoice in renewal.invoices.all():
        if invoice.kind == InvoiceKind.INVOICE and invoice.purpose == InvoicePurpose.TERM:
            return invoice.total
    return None


def _renewal_words(renewal: AgreementPeriod, on: datetime.date) -> tuple[str, bool]:
    """What the renewal waits for, and whether the holder may confirm it now."""
    amount = _renewal_amount(renewal)
    head = f"Renewal: {format_money(amount)}" if amount is not None else "Renewal"
    if renewal.activated_on is not None:
        return f"{head}, accepted: the new term runs from {_day(renewal.start_date)}.", False
    paid = any(
        i.kind == InvoiceKind.INVOICE and i.status == InvoiceStatus.PAID
        for i in renewal.invoices.all()
    )
    if paid:
        return f"{head}, paid: thank you. The new term starts on {_day(renewal.start_date)}.", False
    if renewal.confirmed_on:
        return (
            f"{head}, confirmed by you on {_day(renewal.confirmed_on)}; "
            "the central team will accept it.",
            False,
        )
    return f"{head}, waiting for your confirmation.", True


def _sentence(
    period: AgreementPeriod, standing: str, on: datetime.date, what: str
) -> tuple[str, str]:
    """The term's own sentence and its tone, by its standing."""
    grace_ends = period.end_date + datetime.timedelta(days=settings.PARTNERS_GRACE_DAYS)
    if standing == Standing.PENDING:
        if period.activated_on is None:
            return (
                f"{what} from {_day(period.start_date)} is being set up by the central team.",
                "info",
            )
        return f"{what} starts on {_day(period.start_date)}.", "info"
    if standing == Standing.CURRENT:
        return f"{what} runs until {_day(period.end_date)}.", "info"
    if standing == Standing.RENEWAL_DUE:
        days = (period.end_date - on).days
        when = "today" if days == 0 else f"in {days} day{'' if days == 1 else 's'}"
        return f"{what} ends on {_day(period.end_date)} ({when}).", "action"
    if standing == Standing.GRACE:
        return (
            f"{what} ended on {_day(period.end_date)}. It stays in force until "
            f"{_day(grace_ends)} while the renewal is settled.",
            "warning",
        )
    if standing == Standing.LAPSED:
        return (
            f"{what} ended on {_day(period.end_date)} and was not renewed. "
            "Please contact the central team to renew.",
            "warning",
        )
    ended = period.terminated_on or period.end_date
    return f"{what} ended on {_day(ended)}.", "info"


def situations(*, organisations, on: datetime.date) -> list[Situation]:
    """Each current or pending term of ``organisations`` (a renewal is told with the
    term it follows), in a fixed number of queries."""
    invoices = Prefetch("invoices", queryset=Invoice.objects.exclude(status=InvoiceStatus.VOID))
    periods = list(
        AgreementPeriod.objects.filter(
            agreement__organisation__in=organisations,
            status__in=[*IN_FORCE_STATUSES, *PENDING_STATUSES],
        )
        .select_related("agreement__organisation", "previous")
        .prefetch_related("coverage__site__area", invoices)
        .order_by("agreement__organisation__name", "start_date")
    )
    areas: dict[int, list[str]] = {}
    if any(p.agreement.is_block for p in periods):
        for area in (
            Area.objects.filter(commissioners__in=organisations)
            .order_by("name")
            .values("name", "commissioners")
        ):
            areas.setdefault(area["commissioners"], []).append(area["name"])
    renewals = {p.previous_id: p for p in periods if p.previous_id}
    result = []
    for period in periods:
        if period.previous_id and period.previous_id in {q.pk for q in periods}:
            continue  # told with the term it renews
        standing = period.standing(on)
        what = _what(period, on, areas)
        sentence, tone = _sentence(period, standing, on, what)
        situation = Situation(period=period, standing=standing, sentence=sentence, tone=tone)
        renewal = renewals.get(period.pk)
        if renewal is None and period.previous_id and standing == Standing.PENDING:
            # A renewal whose first term is no longer listed: it is the renewal itself.
            situation.renewal_sentence, situation.may_confirm = _renewal_words(period, on)
            situation.renewal = period
        elif renewal is not None:
            situation.renewal = renewal
            situation.renewal_sentence, situation.may_confirm = _renewal_words(renewal, on)
            if situation.may_confirm:
                situation.tone = "action" if standing != Standing.GRACE else "warning"
        elif standing == Standing.RENEWAL_DUE:
            situation.renewal_sentence = (
                "The central team will send you the renewal before it ends."
            )
        result.append(situation)
    return result


def money_owed(*, organisations, on: datetime.date) -> dict:
    """What the organisations' open invoices still owe, and how much of it is late."""
    balance = F("total") - F("amount_paid") - F("amount_credited")
    row = Invoice.objects.filter(
        organisation__in=organisations,
        kind=InvoiceKind.INVOICE,
        status__in=OPEN_INVOICE_STATUSES,
    ).aggregate(
        owed=Sum(balance),
        late=Sum(balance, filter=Q(due_date__lt=on)),
    )
    return {"owed": row["owed"] or Decimal(0), "late": row["late"] or Decimal(0)}
