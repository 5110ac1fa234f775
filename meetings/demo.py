"""Meetings demo data: about 500 weekly meetings at scale 1 with four years of
lifecycle, leadership history and weekly head counts (about 6.5 a session).

The network grows from about 40 meetings four years before ``ctx.today`` to
about 500 now ("over three new meetings added each week"), mostly at the
partner sites the partners demo made (read from the database), some online and
some at community venues. Leadership moves from professional to co-facilitated
to peer led with about a year's lag; a few meetings go back to professional
leadership, some pause, some close. Everything is written in bulk (the head
counts as plain rows, ``smartnet.bulk.insert_rows``, a batch at a time); the
history is seeded as already announced (no ``meeting_started`` events).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from django.utils.text import slugify

from meetings import feeds_cache, selectors, services
from meetings.models import (
    Format,
    HeadCount,
    Leadership,
    LeadershipPeriod,
    Meeting,
    MeetingStatusChange,
    NotHeldReason,
    PostcodeCentroid,
    Programme,
    Status,
    Weekday,
)
from meetings.postcodes import FULL_POSTCODE, SAMPLE_FILE, load_file
from partners import selectors as partners_selectors
from partners.models import Affiliation, AffiliationRole, OrganisationKind, Person, Site
from partners.validators import compact_postcode
from smartnet.bulk import insert_rows
from smartnet.demo import DemoContext

COUNTS_BATCH = 20_000  # head counts held in memory before they are written
VENUES = [
    # town, postcode, lat, lon, venue
    ("Manchester", "M4 1HN", "53.48460", "-2.22900", "Ancoats Community Centre"),
    ("Leeds", "LS2 8AA", "53.80200", "-1.54400", "St George's Crypt"),
    ("Sheffield", "S1 2BX", "53.38000", "-1.47000", "The Quaker Meeting House"),
    ("Bristol", "BS1 5TR", "51.45400", "-2.59300", "Broadmead Baptist Church Hall"),
    ("Edinburgh", "EH6 6QU", "55.97200", "-3.17500", "Leith Community Centre"),
    ("Cardiff", "CF10 1BH", "51.47800", "-3.17800", "Cathays Community Centre"),
    ("Newcastle upon Tyne", "NE1 4ST", "54.97200", "-1.61300", "Brunswick Methodist Church"),
    ("Norwich", "NR1 3QU", "52.62500", "1.30000", "St Stephen's Church Rooms"),
]
CLOSURE_REASONS = [
    "Venue no longer available",
    "Facilitator moved away",
    "Low attendance for three months",
    "Merged with a nearby meeting",
    "Host service recommissioned",
]
DIRECTIONS = [
    "Enter by the side door on the left and follow the signs to the group room.",
    "Ring the bell at reception; the room is on the first floor (lift available).",
    "The meeting is in the back hall; buses stop outside.",
    "",
]


def _weekday_time(ctx: DemoContext) -> tuple[int, datetime.time, datetime.time]:
    weekday = ctx.rng.randrange(7)
    start = ctx.rng.choice(
        [
            datetime.time(10),
            datetime.time(11),
            datetime.time(13, 30),
            datetime.time(14),
            datetime.time(18),
            datetime.time(18, 30),
            datetime.time(19),
            datetime.time(19, 30),
        ]
    )
    end_hour = start.hour + 1 + (start.minute + 30) // 60
    end = datetime.time(end_hour, (start.minute + 30) % 60)
    return weekday, start, end


def _districts_from_sites(sites: list[Site]) -> None:
    """Make every demo site's postcode district searchable: districts missing
    from the shipped sample get the mean of their sites' coordinates."""
    known = set(PostcodeCentroid.objects.values_list("postcode", flat=True))
    found: dict[str, list] = {}
    for site in sites:
        match = FULL_POSTCODE.match(compact_postcode(site.postcode))
        if not match or site.latitude is None or site.longitude is None:
            continue
        district = match.group(1)
        if district in known:
            continue
        entry = found.setdefault(district, [Decimal(0), Decimal(0), 0, site.town])
        entry[0] += site.latitude
        entry[1] += site.longitude
        entry[2] += 1
    PostcodeCentroid.objects.bulk_create(
        [
            PostcodeCentroid(
                postcode=district,
                is_district=True,
                place=town,
                latitude=(lat / n).quantize(Decimal("0.00001")),
                longitude=(lon / n).quantize(Decimal("0.00001")),
            )
            for district, (lat, lon, n, town) in found.items()
        ]
    )


def demo_joining_link(rng) -> str:
    """A joining link on a host that meeting-finder apps recognise (the shapes
    Zoom, Google Meet and Teams links have; the numbers are made up)."""
    roll = rng.random()
    if roll < 0.6:
        return f"https://us02web.zoom.us/j/{rng.randrange(10**10, 10**11)}"
    if roll < 0.85:
        letters = "abcdefghijkmnopqrstuvwxyz"
        parts = ["".join(rng.choice(letters) for _ in range(n)) for n in (3, 4, 3)]
        return "https://meet.google.com/" + "-".join(parts)
    return (
        "https://teams.microsoft.com/l/meetup-join/19%3ameeting_"
        f"{rng.randrange(16**16):016x}%40thread.v2/0"
    )


def seed(ctx: DemoContext) -> None:
    today = ctx.today
    rng = ctx.rng
    load_file(SAMPLE_FILE)
    first_day = today - timedelta(days=4 * 365)

    sites = list(
        Site.objects.exclude(organisation__kind=OrganisationKind.COMMISSIONER)
        .select_related("organisation")
        .order_by("pk")
    )
    _districts_from_sites(sites)
    signed = partners_selectors.first_signed_on_by_organisation()
    staff_by_org: dict[int, list[int]] = defaultdict(list)
    for org_id, person_id in Affiliation.objects.filter(role=AffiliationRole.STAFF).values_list(
        "organisation_id", "person_id"
    ):
        staff_by_org[org_id].append(person_id)
    peers = list(ctx.shared.get("training_facilitator_ids", []))

    partner_id = ctx.shared.get("partners_partner_org_id")
    demo_partner_sites = [s for s in sites if s.organisation_id == partner_id][:3]
    total = ctx.count(600)
    initial = ctx.count(40)
    meetings: list[Meeting] = []
    plans = []
    used_slugs: set[str] = set()
    now = timezone.now()
    for n in range(total):
        if n < initial:
            opened = first_day - timedelta(days=rng.randrange(30, 400))
        else:
            opened = first_day + timedelta(days=rng.randrange(0, (today - first_day).days))
        roll = rng.random()
        fmt = Format.IN_PERSON if roll < 0.8 else (Format.ONLINE if roll < 0.92 else Format.HYBRID)
        roll = rng.random()
        programme = (
            Programme.SMART
            if roll < 0.85
            else (Programme.FAMILY_FRIENDS if roll < 0.95 else Programme.PRISON)
        )
        site = None
        venue = None
        if n < len(demo_partner_sites):
            # The demo partner's login has meetings to see in the portal.
            fmt, programme = Format.IN_PERSON, Programme.SMART
            site = demo_partner_sites[n]
        elif fmt != Format.ONLINE:
            if sites and rng.random() < 0.85:
                site = rng.choice(sites)
            else:
                venue = rng.choice(VENUES)
        if site is not None:
            host = site.organisation
        elif fmt == Format.ONLINE and sites and rng.random() < 0.7:
            host = rng.choice(sites).organisation  # an online meeting run by a partner
        else:
            host = None
        # The first meetings ran before the Partnership Scheme; later ones open
        # after their partner signs.
        if n >= initial and host is not None and host.pk in signed and opened < signed[host.pk]:
            opened = min(today, signed[host.pk] + timedelta(days=rng.randrange(30, 200)))
        town = site.town if site else (venue[0] if venue else "")
        weekday, start, end = _weekday_time(ctx)
        label = {
            "smart": "SMART Recovery",
            "family_friends": "Family & Friends",
            "prison": "SMART Recovery",
        }[programme]
        if fmt == Format.ONLINE:
            name = f"{label} Online {Weekday(weekday).label}"
        elif programme == Programme.PRISON:
            name = f"{label} at {site.name if site else venue[4]}"
        else:
            name = f"{town} {label}" + (f" at {site.name}" if site else "")
        base = slugify(name)[:56].strip("-")
        slug, k = base, 2
        while slug in used_slugs:
            slug = f"{base}-{k}"
            k += 1
        used_slugs.add(slug)
        meeting = Meeting(
            name=name[:200],
            slug=slug,
            programme=programme,
            weekday=weekday,
            start_time=start,
            end_time=end,
            format=fmt,
            site=site,
            host=host,
            is_public=programme != Programme.PRISON and rng.random() > 0.03,
            wheelchair_access=fmt != Format.ONLINE and rng.random() < 0.6,
            directions=rng.choice(DIRECTIONS) if fmt != Format.ONLINE else "",
            status=Status.ACTIVE,
            first_active_on=opened,
            created_at=now,
            updated_at=now,
        )
        if venue is not None:
            (meeting.venue_town, meeting.venue_postcode, lat, lon, meeting.venue_name) = venue
            meeting.venue_latitude = lat
            meeting.venue_longitude = lon
            meeting.venue_address_line_1 = f"{rng.randrange(1, 120)} Church Street"
        if fmt != Format.IN_PERSON:
            meeting.conference_url = demo_joining_link(rng)
            if rng.random() < 0.4:
                meeting.conference_phone = f"+44 20 7946 {rng.randrange(1000):04d}"
            meeting.conference_notes = f"Meeting ID {rng.randrange(10**9, 10**10)}"
        # Lifecycle: a few close, a few are paused now.
        closed_on = None
        paused_on = None
        if opened < today - timedelta(days=120):
            roll = rng.random()
            if roll < 0.11:
                closed_on = opened + timedelta(days=rng.randrange(90, (today - opened).days))
                meeting.status = Status.CLOSED
                meeting.closure_reason = rng.choice(CLOSURE_REASONS)
            elif roll < 0.15:
                paused_on = today - timedelta(days=rng.randrange(7, 90))
                meeting.status = Status.PAUSED
        meetings.append(meeting)
        plans.append((opened, closed_on, paused_on))
    # A handful proposed, not yet open.
    for n in range(ctx.count(8)):
        weekday, start, end = _weekday_time(ctx)
        venue = rng.choice(VENUES)
        slug = f"proposed-{slugify(venue[0])}-{n + 1}"
        meetings.append(
            Meeting(
                name=f"{venue[0]} SMART Recovery (proposed)",
                slug=slug,
                weekday=weekday,
                start_time=start,
                end_time=end,
                venue_name=venue[4],
                venue_town=venue[0],
                venue_postcode=venue[1],
                venue_latitude=venue[2],
                venue_longitude=venue[3],
                venue_address_line_1="1 Market Street",
                status=Status.PROPOSED,
                created_at=now,
                updated_at=now,
            )
        )
        plans.append((None, None, None))
    Meeting.objects.bulk_create(meetings, batch_size=500)

    changes: list[MeetingStatusChange] = []
    periods: list[LeadershipPeriod] = []
    facilitator_rows: list[tuple[int, list[int]]] = []  # (index into periods, people)
    # Head counts (ten times the meetings' other rows put together) go in as
    # plain tuples a batch at a time: model instances for all of them took
    # gigabytes at scale 100.
    counts: list[tuple] = []
    counted = 0
    for meeting, (opened, closed_on, paused_on) in zip(meetings, plans, strict=True):
        if opened is None:
            changes.append(
                MeetingStatusChange(
                    meeting=meeting,
                    status=Status.PROPOSED,
                    on=today - timedelta(days=rng.randrange(1, 30)),
                )
            )
            continue
        changes.append(
            MeetingStatusChange(
                meeting=meeting,
                status=Status.PROPOSED,
                on=opened - timedelta(days=rng.randrange(14, 60)),
            )
        )
        changes.append(MeetingStatusChange(meeting=meeting, status=Status.ACTIVE, on=opened))
        last_day = closed_on or today
        # Leadership: professional, maybe co-facilitated, maybe peer led, rarely back.
        staff = staff_by_org.get(meeting.host_id, [])
        steps = [(Leadership.PROFESSIONAL, opened, rng.sample(staff, min(2, len(staff))))]
        day = opened
        if rng.random() < 0.6:
            day = day + timedelta(days=rng.randrange(60, 200))
            if day < last_day:
                people = rng.sample(staff, min(1, len(staff))) + (
                    rng.sample(peers, 1) if peers else []
                )
                steps.append((Leadership.CO_FACILITATED, day, people))
        if rng.random() < 0.55:
            day = day + timedelta(days=rng.randrange(90, 260))
            if day < last_day:
                steps.append((Leadership.PEER_LED, day, rng.sample(peers, min(2, len(peers)))))
                if rng.random() < 0.07:
                    back = day + timedelta(days=rng.randrange(60, 300))
                    if back < last_day:
                        steps.append((Leadership.PROFESSIONAL, back, staff[:1]))
        for i, (kind, start_date, people) in enumerate(steps):
            end_date = steps[i + 1][1] - timedelta(days=1) if i + 1 < len(steps) else closed_on
            periods.append(
                LeadershipPeriod(
                    meeting=meeting, kind=kind, start_date=start_date, end_date=end_date
                )
            )
            facilitator_rows.append((len(periods) - 1, people))
        if paused_on:
            changes.append(
                MeetingStatusChange(
                    meeting=meeting,
                    status=Status.PAUSED,
                    on=paused_on,
                    reason="Facilitator on leave",
                )
            )
        if closed_on:
            changes.append(
                MeetingStatusChange(
                    meeting=meeting,
                    status=Status.CLOSED,
                    on=closed_on,
                    reason=meeting.closure_reason,
                )
            )
        # Weekly head counts from the first session to the last (or the pause), some missed.
        session = opened + timedelta(days=(meeting.weekday - opened.weekday()) % 7)
        stop = min(paused_on or last_day, today)
        while session < stop:
            if rng.random() < 0.9:
                attendance = max(1, round(rng.gauss(6.5, 2.6)))
                new = rng.choice([0, 0, 0, 1, 1, 2]) if attendance > 2 else 0
                counts.append((meeting.pk, session, attendance, new, now))
            session += timedelta(days=7)
        if len(counts) >= COUNTS_BATCH:
            counted += _write_counts(counts)
    MeetingStatusChange.objects.bulk_create(changes, batch_size=2000)
    LeadershipPeriod.objects.bulk_create(periods, batch_size=2000)
    through = LeadershipPeriod.facilitators.through
    through.objects.bulk_create(
        [
            through(leadershipperiod_id=periods[i].pk, person_id=person_id)
            for i, people in facilitator_rows
            for person_id in set(people)
        ],
        batch_size=2000,
    )
    counted += _write_counts(counts)
    feeds_cache.invalidate()
    active = sum(1 for m in meetings if m.status == Status.ACTIVE)
    ctx.shared["meetings_active_ids"] = [m.pk for m in meetings if m.status == Status.ACTIVE]
    ctx.log(
        f"meetings: {len(meetings)} meetings ({active} active), {len(periods)} leadership "
        f"periods, {counted} head counts"
    )
    _facilitator_records(ctx)


def _write_counts(counts: list[tuple]) -> int:
    """Insert the head counts gathered so far (and empty the list): how many."""
    written = len(counts)
    insert_rows(
        HeadCount,
        ["meeting_id", "held_on", "attendance", "new_attendees", "created_at"],
        counts,
        page_size=5000,
    )
    counts.clear()
    return written


def _facilitator_records(ctx: DemoContext) -> None:
    """The demo facilitator (training's Fern, who signs in) keeps her meeting's
    records: the latest head counts are hers, a holiday week is marked not held,
    the last two sessions wait for her count (her home page lists them), and a
    later start time waits in the staff queue as a change proposal."""
    person = Person.objects.filter(pk=ctx.shared.get("training_facilitator_person_id")).first()
    if person is None or person.user_id is None:
        return
    today = ctx.today
    meeting = selectors.meetings_for_facilitator(person_id=person.pk).filter(
        status=Status.ACTIVE, first_active_on__lte=today - timedelta(weeks=9)
    ).first() or _lead_one(person, today)
    if meeting is None:
        return
    last = today - timedelta(days=(today.weekday() - meeting.weekday) % 7)
    sessions = [last - timedelta(weeks=n) for n in range(8)]
    HeadCount.objects.filter(meeting=meeting, held_on__in=sessions[:2] + sessions[3:4]).delete()
    HeadCount.objects.filter(meeting=meeting, held_on__in=sessions[4:]).update(
        recorded_by=person.user
    )
    services.session_not_held_record(
        meeting=meeting, held_on=sessions[3], reason=NotHeldReason.HOLIDAY, by=person.user
    )
    later = datetime.datetime.combine(today, meeting.end_time) + timedelta(minutes=30)
    if later.date() == today:
        services.proposal_change(
            organisation=meeting.host,
            meeting=meeting,
            changes={
                "start_time": (
                    datetime.datetime.combine(today, meeting.start_time) + timedelta(minutes=30)
                ).time(),
                "end_time": later.time(),
            },
            note="The room is free half an hour later from next month.",
            by=person.user,
        )
    ctx.log(f"meetings: the demo facilitator keeps the records of {meeting.name}")


def _lead_one(person: Person, today) -> Meeting | None:
    """Make ``person`` a facilitator of an active meeting's current leadership."""
    period = (
        LeadershipPeriod.objects.in_force(today)
        .filter(
            meeting__status=Status.ACTIVE,
            meeting__first_active_on__lte=today - timedelta(weeks=9),
        )
        .order_by("meeting_id")
        .first()
    )
    if period is None:
        return None
    period.facilitators.add(person)
    return period.meeting
