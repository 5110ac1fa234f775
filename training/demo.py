"""Training's demo data: courses, 3,000 professionals at partners (x scale) with
their completions, 300 peer facilitators (x scale), face-to-face events, one
past Moodle import, and a facilitator login linked to a peer.

Professionals are Persons with staff affiliations at the organisations the
partners demo made (read through ``partners.selectors``); about one in ten
later moves to another organisation, which feeds the staff mobility report.
Completions go through ``training.services.completions_record`` (bulk), so the
access rule and the derived Champion status apply as they do in real use.
Historic facilitators are marked as already announced: seeding sends no
"facilitator trained" events.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from partners import selectors as partner_selectors
from partners.models import Affiliation, AffiliationRole, Organisation, OrganisationKind, Person
from smartnet.demo import DemoContext, make_user
from smartnet.roles import Role
from training import eligibility, services
from training.models import (
    AccessRule,
    Audience,
    Award,
    Course,
    Delivery,
    EventPlace,
    ImportJob,
    ImportStatus,
    MoodleCourse,
    Source,
    TrainingEvent,
    TrainingProfile,
)

FIRST = [
    "Aisha", "Ben", "Callum", "Chloe", "Daniel", "Eilidh", "Fatima", "George", "Hannah",
    "Imran", "Jack", "Kirsty", "Liam", "Megan", "Nadia", "Owen", "Priya", "Rhys", "Sophie",
    "Tom", "Usman", "Vicky", "Wendy", "Yusuf", "Zara", "Gareth", "Siobhan", "Declan",
]  # fmt: skip
LAST = [
    "Ahmed", "Baker", "Campbell", "Davies", "Evans", "Fraser", "Green", "Hughes", "Iqbal",
    "Jones", "Khan", "Lewis", "MacLeod", "Morgan", "Patel", "Roberts", "Smith", "Taylor",
    "Thomas", "Walker", "Williams", "Wilson", "Wright", "Young", "O'Neill", "Murray",
]  # fmt: skip
POSTCODES = [
    ("Manchester", "M1 1AE"),
    ("Leeds", "LS1 4AP"),
    ("Birmingham", "B1 1BB"),
    ("Newcastle upon Tyne", "NE1 4ST"),
    ("Glasgow", "G1 1XQ"),
    ("Cardiff", "CF10 1EP"),
    ("Bristol", "BS1 4DJ"),
    ("Norwich", "NR2 1TF"),
]

COURSES = [
    # code, title, delivery, audience, access, awards, validity, Moodle short names
    ("intro", "Introduction to SMART Recovery", Delivery.ONLINE, Audience.ANYONE,
     AccessRule.OPEN, Award.NONE, None, ["SRUK-INTRO"]),
    ("champion", "SMART Recovery Champion", Delivery.ONLINE, Audience.PROFESSIONALS,
     AccessRule.PARTNER_STAFF, Award.CHAMPION, 36, ["SRUK-CHAMP", "SRUK-CHAMP-2013"]),
    ("tools", "Using the SMART Recovery tools in one-to-one work", Delivery.ONLINE,
     Audience.PROFESSIONALS, AccessRule.PARTNER_STAFF, Award.NONE, None, ["SRUK-TOOLS"]),
    ("facilitator", "SMART Recovery Facilitator Training", Delivery.FACE_TO_FACE,
     Audience.FACILITATORS, AccessRule.PEERS_OR_PARTNER_STAFF, Award.FACILITATOR, 24,
     ["SRUK-FAC"]),
    ("trainer", "Training the Trainer", Delivery.TRAIN_THE_TRAINER, Audience.TRAINERS,
     AccessRule.PEERS_OR_PARTNER_STAFF, Award.TRAINER, None, []),
]  # fmt: skip


def _courses() -> dict[str, Course]:
    courses = {}
    for code, title, delivery, audience, access, awards, validity, shortnames in COURSES:
        course = Course.objects.create(
            code=code,
            title=title,
            delivery=delivery,
            audience=audience,
            access_rule=access,
            awards=awards,
            validity_months=validity,
        )
        MoodleCourse.objects.bulk_create(
            [MoodleCourse(shortname=s, course=course) for s in shortnames]
        )
        courses[code] = course
    return courses


def _day_between(ctx: DemoContext, start: date, end: date) -> date:
    if end <= start:
        return start
    return start + timedelta(days=ctx.rng.randrange((end - start).days + 1))


def _people(ctx: DemoContext, n: int, domain: str) -> list[Person]:
    people = []
    for i in range(n):
        first, last = ctx.rng.choice(FIRST), ctx.rng.choice(LAST)
        email = f"{first}.{last}.{i}@{domain}".lower().replace("'", "")
        people.append(Person(first_name=first, last_name=last, email=email))
    Person.objects.bulk_create(people, batch_size=1000)
    # Re-read so every row has its primary key whatever the database.
    return list(Person.objects.filter(email__endswith=f"@{domain}").order_by("pk"))


def seed(ctx: DemoContext) -> None:

    today = ctx.today
    courses = _courses()
    signed = partner_selectors.first_signed_on_by_organisation()
    employers = Organisation.objects.exclude(kind=OrganisationKind.COMMISSIONER).order_by("pk")
    partners = [o for o in employers if o.pk in signed]
    others = [o for o in employers if o.pk not in signed]
    if not partners:
        ctx.log("training: no partner organisations in the demo; professionals skipped")

    # --- Professionals at partners -----------------------------------------------------
    drafts: list[services.CompletionDraft] = []
    if partners:
        professionals = _people(ctx, ctx.count(3000), "staff.example")
        ties = []
        for person in professionals:
            org = ctx.rng.choice(partners)
            joined = signed[org.pk] - timedelta(days=ctx.rng.randrange(-400, 1500))
            joined = min(joined, today - timedelta(days=30))
            moves = ctx.rng.random() < 0.1
            left = (
                _day_between(ctx, joined + timedelta(days=200), today - timedelta(days=10))
                if moves
                else None
            )
            ties.append(
                Affiliation(
                    person=person,
                    organisation=org,
                    role=AffiliationRole.STAFF,
                    start_date=joined,
                    end_date=left,
                    is_primary=left is None,
                )
            )
            if left is not None:
                new_org = ctx.rng.choice(others or partners)
                ties.append(
                    Affiliation(
                        person=person,
                        organisation=new_org,
                        role=AffiliationRole.STAFF,
                        start_date=left + timedelta(days=ctx.rng.randrange(1, 60)),
                        is_primary=True,
                    )
                )
            # Training happens while at the partner, once it has signed.
            first_day = max(joined, signed[org.pk])
            last_day = min(left or today, today)
            if first_day >= last_day:
                continue
            if ctx.rng.random() < 0.8:
                day = _day_between(ctx, first_day, last_day)
                drafts.append(_draft(person, courses["intro"], day, Source.MOODLE))
            if ctx.rng.random() < 0.75:
                day = _day_between(ctx, first_day, last_day)
                drafts.append(_draft(person, courses["champion"], day, Source.MOODLE, ctx))
            if ctx.rng.random() < 0.2:
                day = _day_between(ctx, first_day, last_day)
                drafts.append(_draft(person, courses["tools"], day, Source.MOODLE, ctx))
        Affiliation.objects.bulk_create(ties, batch_size=1000)

    # --- Peer facilitators ----------------------------------------------------------------
    peers = _people(ctx, ctx.count(300), "peers.example")
    now = timezone.now()
    profiles = []
    for i, person in enumerate(peers):
        town, postcode = ctx.rng.choice(POSTCODES)
        consent = ctx.rng.random() < 0.85
        profiles.append(
            TrainingProfile(
                person=person,
                is_peer=True,
                consent_to_contact=consent,
                consent_recorded_on=today - timedelta(days=ctx.rng.randrange(30, 1200))
                if consent
                else None,
                address_line_1=f"{ctx.rng.randrange(1, 200)} {ctx.rng.choice(LAST)} Street",
                town=town,
                postcode=postcode,
                moodle_idnumber=f"SR-P{i + 1:05d}",
                moodle_username=person.email.split("@")[0],
                # Historic: their Facilitators Manual went out long ago.
                facilitator_announced_at=now,
            )
        )
    TrainingProfile.objects.bulk_create(profiles, batch_size=1000)

    events = []
    for i in range(max(4, ctx.count(12))):
        town, _ = POSTCODES[i % len(POSTCODES)]
        events.append(
            TrainingEvent(
                course=courses["facilitator"],
                held_on=today - timedelta(days=ctx.rng.randrange(60, 1400)),
                venue=f"{town} recovery hub",
                capacity=20,
            )
        )
    TrainingEvent.objects.bulk_create(events)
    events = list(TrainingEvent.objects.order_by("pk"))
    places = []
    taken: Counter[int] = Counter()  # places per event
    trainer_ids = []
    for person in peers:
        event = ctx.rng.choice(events) if ctx.rng.random() < 0.5 else None
        if event is not None and taken[event.pk] < event.capacity:
            taken[event.pk] += 1
            places.append(
                EventPlace(event=event, person=person, seat=taken[event.pk], attended=True)
            )
            drafts.append(
                services.CompletionDraft(
                    person_id=person.pk,
                    course=courses["facilitator"],
                    completed_on=event.held_on,
                    source=Source.EVENT,
                    source_id=f"event:{event.pk}:{person.pk}",
                    event_id=event.pk,
                )
            )
            trained_on = event.held_on
        else:
            trained_on = today - timedelta(days=ctx.rng.randrange(20, 1400))
            drafts.append(_draft(person, courses["facilitator"], trained_on, Source.MOODLE, ctx))
        if ctx.rng.random() < 0.07:
            trainer_ids.append(person.pk)
            drafts.append(
                _draft(
                    person,
                    courses["trainer"],
                    _day_between(ctx, trained_on + timedelta(days=1), today),
                    Source.MANUAL,
                )
            )
    EventPlace.objects.bulk_create(places, batch_size=1000)
    for event in events[:3]:
        event.trainers.set(trainer_ids[:2])
    # Two events ahead that people book themselves (one small, so its waiting list shows).
    for days, capacity in ((30, 16), (45, 2)):
        town, _ = POSTCODES[days % len(POSTCODES)]
        TrainingEvent.objects.create(
            course=courses["facilitator"],
            held_on=today + timedelta(days=days),
            venue=f"{town} recovery hub",
            capacity=capacity,
        )

    result = services.RecordResult()
    calendar = eligibility.PartnerCalendar()
    for start in range(0, len(drafts), 2000):
        batch = services.completions_record(
            drafts[start : start + 2000], today=today, partners=calendar
        )
        result.created += batch.created
        result.rejected += batch.rejected
    ctx.log(
        f"training: {len(result.created)} completions, {len(result.rejected)} refused by the "
        "access rule"
    )

    _past_import(ctx, courses)

    # A facilitator who signs in (the materials request form): one of the peers.
    user = make_user(
        ctx,
        email="facilitator@smartnet.example",
        full_name="Fern Facilitator",
        role=Role.FACILITATOR,
    )
    fern = peers[0]
    fern.first_name, fern.last_name, fern.email, fern.user = (
        "Fern",
        "Facilitator",
        "facilitator@smartnet.example",
        user,
    )
    fern.save()
    ctx.shared["training_facilitator_ids"] = [p.pk for p in peers]
    ctx.shared["training_trainer_ids"] = trainer_ids
    ctx.shared["training_facilitator_person_id"] = fern.pk


def _draft(person, course, day, source, ctx=None) -> services.CompletionDraft:
    score = None
    if ctx is not None and source == Source.MOODLE:
        score = Decimal(ctx.rng.randrange(60, 101))
    return services.CompletionDraft(
        person_id=person.pk,
        course=course,
        completed_on=day,
        source=source,
        source_id=f"demo:{person.pk}:{course.code}:{day.isoformat()}",
        score=score,
    )


def _past_import(ctx: DemoContext, courses) -> None:
    job = ImportJob.objects.create(
        original_name="moodle-completions-last-month.csv",
        size_bytes=48_213,
        layout="long",
        status=ImportStatus.DONE,
        total_rows=412,
        processed_rows=412,
        created_count=0,
        already_count=398,
        skipped_count=9,
        rejected_count=5,
        finished_at=timezone.now(),
    )
    for line, reason in [
        (17, "unknown course 'SRUK-FAMILY': map this Moodle short name to a course on the "
             "courses page"),
        (58, "e-mail address 'j.smith@@nhs.example' is not valid"),
        (102, "no person in the directory with e-mail 'someone@gmail.example'"),
        (233, "course champion is only for staff of a partner with an active agreement; "
              "they were not staff of any organisation on 03/02/2014"),
        (390, f"completion date {ctx.today + timedelta(days=30):%d/%m/%Y} is in the future"),
    ]:  # fmt: skip
        job.rejections.create(line=line, reason=reason)
