"""Who a communication is for: the segments, and why some of a segment do not
receive it. Reads only (other apps' models through plain filters on the
directory, as the board reads them)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from meetings.models import OPEN_STATUSES, LeadershipPeriod
from outreach.models import Communication, Segment, Unsubscription
from partners import selectors as partner_selectors
from partners.models import (
    Affiliation,
    AffiliationRole,
    AgreementPeriod,
    OrganisationKind,
    Person,
    Site,
)
from training import selectors as training_selectors
from training.models import TrainingProfile


def _main_contacts(orgs: Q, on: datetime.date) -> QuerySet[Person]:
    ties = Affiliation.objects.current(on).filter(
        orgs, person=OuterRef("pk"), role=AffiliationRole.MAIN_CONTACT
    )
    return Person.objects.filter(Exists(ties))


def _in_region(region: str, org_field: str) -> Q:
    return Q(Exists(Site.objects.filter(organisation_id=OuterRef(org_field), area__region=region)))


def segment_people(
    *,
    segment: str,
    region: str = "",
    kind: str = "",
    standing: str = "",
    on: datetime.date | None = None,
) -> QuerySet[Person]:
    """Everyone in the segment on ``on`` (default today), before consent and
    unsubscriptions are taken into account."""
    on = on or timezone.localdate()
    if segment == Segment.PARTNER_CONTACTS:
        orgs = ~Q(organisation__kind=OrganisationKind.COMMISSIONER)
        if standing:
            periods = AgreementPeriod.objects.with_standing(on).filter(
                agreement__organisation_id=OuterRef("organisation_id"), standing_then=standing
            )
            orgs &= Q(Exists(periods))
        else:
            orgs &= Q(organisation_id__in=partner_selectors.partner_ids_on(on=on))
        if kind:
            orgs &= Q(organisation__kind=kind)
        if region:
            orgs &= _in_region(region, "organisation_id")
        return _main_contacts(orgs, on)
    if segment == Segment.COMMISSIONERS:
        orgs = Q(organisation__kind=OrganisationKind.COMMISSIONER)
        if region:
            orgs &= Q(organisation__areas__region=region)
        return _main_contacts(orgs, on)
    if segment == Segment.CHAMPIONS:
        champions = training_selectors.champions(on=on).filter(person=OuterRef("pk"))
        if region:
            champions = champions.filter(_in_region(region, "champion_organisation_id"))
        return Person.objects.filter(Exists(champions))
    if segment == Segment.FACILITATORS:
        leading = LeadershipPeriod.objects.filter(
            facilitators=OuterRef("pk"), end_date__isnull=True, meeting__status__in=OPEN_STATUSES
        )
        return Person.objects.filter(Exists(leading))
    raise ValueError(f"unknown segment {segment!r}")


@dataclass(frozen=True)
class Audience:
    people: QuerySet[Person]  # who will receive it
    total: int  # the whole segment
    left_out: list[tuple[str, int]]  # (why, how many), only reasons that apply


def audience(communication: Communication, *, on: datetime.date | None = None) -> Audience:
    """Who of the communication's segment will receive it, and why the others
    will not: erased, no e-mail address, unsubscribed, and for facilitators no
    consent to contact. A fixed number of queries."""
    base = segment_people(
        segment=communication.segment,
        region=communication.region,
        kind=communication.kind,
        standing=communication.standing,
        on=on,
    )
    unsubscribed = Exists(Unsubscription.objects.filter(person=OuterRef("pk")))
    reasons: list[tuple[str, Q]] = [
        ("their record has been erased", Q(anonymised_at__isnull=False)),
        ("no e-mail address on record", Q(email="")),
        ("unsubscribed from communications", Q(unsubscribed)),
    ]
    if communication.segment == Segment.FACILITATORS:
        consent = Exists(
            TrainingProfile.objects.filter(person=OuterRef("pk"), consent_to_contact=True)
        )
        reasons.append(("no consent to contact", ~Q(consent)))
    left_out = []
    excluded = Q()
    for why, condition in reasons:
        # Each person is counted under the first reason that applies to them.
        count = (
            base.filter(condition).exclude(excluded).count()
            if excluded
            else base.filter(condition).count()
        )
        if count:
            left_out.append((why, count))
        excluded |= condition
    people = base.exclude(excluded).order_by("pk")
    return Audience(people=people, total=base.count(), left_out=left_out)
