"""Meetings for tests, and ``make_meeting`` for other apps' tests."""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Iterable

from meetings import services
from meetings.models import Format, Meeting
from partners.models import Organisation
from tests.factories import OrganisationFactory, SiteFactory
from tests.training.factories import make_trained_facilitator

_numbers = itertools.count(1)


def make_meeting(
    *,
    host: Organisation | None = None,
    started_on: datetime.date,
    led: str = "professional",
    facilitators: Iterable = (),
    site=None,
    proposed_on: datetime.date | None = None,
    **fields,
) -> Meeting:
    """An ACTIVE weekly in-person meeting at a site of ``host`` (a new
    organisation if None), opened on ``started_on`` and led ``led`` from then
    by ``facilitators`` (Persons). Extra keyword arguments set meeting fields.

    A co-facilitated or peer-led meeting needs a peer facilitator (trained, not
    on the host's staff): with none among ``facilitators``, the first of them
    (or a new peer) is given facilitator training the year before."""
    host = host or OrganisationFactory()
    facilitators = list(facilitators)
    if site is None and fields.get("format", Format.IN_PERSON) != Format.ONLINE:
        site = SiteFactory(organisation=host)
    n = next(_numbers)
    details = {
        "name": f"SMART Recovery meeting {n}",
        "weekday": 1,
        "start_time": datetime.time(18, 30),
        "end_time": datetime.time(20, 0),
        "format": Format.IN_PERSON,
        "site": site,
        "host": host,
    }
    details.update(fields)
    meeting = services.meeting_create(proposed_on=proposed_on or started_on, **details)
    if led in services.PEER_KINDS and not services.peer_ids(
        meeting=meeting, person_ids=[p.pk for p in facilitators], on=started_on
    ):
        trained_on = started_on - datetime.timedelta(days=365)
        if facilitators:
            make_trained_facilitator(facilitators[0], completed_on=trained_on)
        else:
            facilitators = [make_trained_facilitator(completed_on=trained_on)]
    services.leadership_change(
        meeting=meeting, kind=led, start_date=started_on, facilitators=list(facilitators)
    )
    services.meeting_activate(meeting=meeting, on=started_on)
    meeting.refresh_from_db()
    return meeting
