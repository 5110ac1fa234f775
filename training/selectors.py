"""Reads of training data for this app's views and for other apps.

Statuses are derived from completions of courses that award them:
Champion (``Completion.champion_organisation`` set: partner staff on the day),
trained facilitator, trainer.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from django.db.models import Exists, F, Max, Min, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from partners import selectors as partner_selectors
from partners.models import Affiliation, AffiliationRole, Person, Site
from training.models import Award, Completion, TrainingProfile
from training.postal import PostalAddress
from training.visibility import people_for_staff


def _completions_awarding(award: str, on: date | None) -> QuerySet[Completion]:
    qs = Completion.objects.filter(course__awards=award)
    if on is not None:
        qs = qs.filter(completed_on__lte=on)
    return qs


def champions(*, on: date | None = None) -> QuerySet[Completion]:
    """Completions that made someone a Champion, up to ``on``."""
    qs = Completion.objects.filter(
        course__awards=Award.CHAMPION, champion_organisation__isnull=False
    )
    if on is not None:
        qs = qs.filter(completed_on__lte=on)
    return qs


def is_trained_facilitator(*, person_id: int, on: date | None = None) -> bool:
    """True when the person completed facilitator training on or before ``on``
    (default today)."""
    on = on or timezone.localdate()
    return _completions_awarding(Award.FACILITATOR, on).filter(person_id=person_id).exists()


def trained_facilitator_ids(
    *, person_ids: Iterable[int] | None = None, on: date | None = None
) -> set[int]:
    """The trained facilitators among ``person_ids`` (everyone when None), in one query."""
    on = on or timezone.localdate()
    qs = _completions_awarding(Award.FACILITATOR, on)
    if person_ids is not None:
        qs = qs.filter(person_id__in=list(person_ids))
    return set(qs.values_list("person_id", flat=True).distinct())


def is_trainer(*, person_id: int, on: date | None = None) -> bool:
    on = on or timezone.localdate()
    return _completions_awarding(Award.TRAINER, on).filter(person_id=person_id).exists()


def champion_count(*, on: date) -> int:
    """Cumulative number of people who had become Champions by ``on``."""
    return champions(on=on).values("person_id").distinct().count()


def champion_count_at(*, organisations, on: date) -> int:
    """People who had become Champions by ``on`` while at one of ``organisations``
    (a queryset or ids): a commissioner's impact counts its areas' partners."""
    return (
        champions(on=on)
        .filter(champion_organisation__in=organisations)
        .values("person_id")
        .distinct()
        .count()
    )


def facilitator_count(*, on: date) -> int:
    """Cumulative number of people who had become trained facilitators by ``on``."""
    return _completions_awarding(Award.FACILITATOR, on).values("person_id").distinct().count()


def refreshers_overdue_count(*, on: date) -> int:
    """People whose latest completion of a course with a refresher period had
    lapsed by ``on`` (``valid_until`` before it) with no later completion of
    that course by then: one per person and course."""
    latest = (
        Completion.objects.filter(completed_on__lte=on, course__validity_months__isnull=False)
        .values("person_id", "course_id")
        .annotate(last=Max("completed_on"))
    )
    lapsed = Completion.objects.filter(
        completed_on__lte=on,
        valid_until__lt=on,
        course__validity_months__isnull=False,
        person__anonymised_at__isnull=True,
    ).values_list("person_id", "course_id", "completed_on")
    last = {(r["person_id"], r["course_id"]): r["last"] for r in latest}
    return sum(1 for person, course, done in lapsed if last.get((person, course)) == done)


def delivery_address(*, person_id: int) -> PostalAddress | None:
    """The person's postal address for materials, only if they consented to contact
    and gave one."""
    profile = (
        TrainingProfile.objects.filter(person_id=person_id, consent_to_contact=True)
        .exclude(address_line_1="")
        .exclude(postcode="")
        .first()
    )
    if profile is None:
        return None
    return PostalAddress.of(profile)


# --- Screens --------------------------------------------------------------------------


def people_search(*, user, q: str = "", today: date | None = None) -> QuerySet[Person]:
    """The people ``user`` may look up in training (``visibility.people_for_staff``)
    whose first name, last name or e-mail holds every word of ``q``, by name;
    each with ``is_champion``, ``is_facilitator`` and ``current_ties`` (today's
    affiliations with their organisations), so a page costs a fixed number of
    queries."""
    today = today or timezone.localdate()
    qs = people_for_staff(user)
    terms = Q()
    for word in q.split():
        terms &= (
            Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(email__icontains=word)
        )
    return (
        qs.filter(terms)
        .annotate(
            is_champion=Exists(champions().filter(person=OuterRef("pk"))),
            is_facilitator=Exists(
                Completion.objects.filter(person=OuterRef("pk"), course__awards=Award.FACILITATOR)
            ),
        )
        .prefetch_related(
            Prefetch(
                "affiliations",
                queryset=Affiliation.objects.current(today).select_related("organisation"),
                to_attr="current_ties",
            )
        )
        .order_by("last_name", "first_name", "pk")
    )


def champion_register(
    *,
    people=None,
    organisation_id: int | None = None,
    organisation_name: str = "",
    region: str = "",
    start: date | None = None,
    end: date | None = None,
) -> QuerySet:
    """One row per Champion, ``{"person_id", "first_on"}`` (the day they first
        became one), newest first; filtered by the partner they were at (by id, or
    part of its name), the region
        of its sites and that day. ``people`` limits it to a queryset of Persons (the
        viewer's scope). A grouped query (linear, whatever the planner's statistics),
        so counting and paging cost one query each; ``champion_rows`` fetches a page's
        completions in one more."""

    if not (organisation_id or organisation_name or region):
        # The whole register: each person's stored "Champion since" (kept by
        # ``services.champion_since_refresh``), an indexed read per page.
        profiles = TrainingProfile.objects.filter(champion_since__isnull=False)
        if people is not None:
            profiles = profiles.filter(person__in=people)
        if start:
            profiles = profiles.filter(champion_since__gte=start)
        if end:
            profiles = profiles.filter(champion_since__lte=end)
        return profiles.values("person_id", first_on=F("champion_since")).order_by(
            "-champion_since", "person_id"
        )
    qs = champions()
    if people is not None:
        qs = qs.filter(person__in=people)
    if organisation_id:
        qs = qs.filter(champion_organisation_id=organisation_id)
    if organisation_name:
        qs = qs.filter(champion_organisation__name__icontains=organisation_name)
    if region:
        in_region = Site.objects.filter(
            organisation_id=OuterRef("champion_organisation_id"), area__region=region
        )
        qs = qs.filter(Exists(in_region))
    grouped = qs.order_by().values("person_id").annotate(first_on=Min("completed_on"))
    if start:
        grouped = grouped.filter(first_on__gte=start)
    if end:
        grouped = grouped.filter(first_on__lte=end)
    return grouped.order_by("-first_on", "person_id")


def champion_rows(entries) -> list[Completion]:
    """The completions behind register entries (one query), in the same order."""
    entries = list(entries)
    wanted = [(e["person_id"], e["first_on"]) for e in entries]
    found: dict[tuple[int, date], Completion] = {}
    qs = (
        champions()
        .filter(person_id__in=[pid for pid, _ in wanted], completed_on__in={d for _, d in wanted})
        .select_related("person", "course", "champion_organisation")
        .order_by("pk")
    )
    for completion in qs:
        found.setdefault((completion.person_id, completion.completed_on), completion)
    return [found[key] for key in wanted if key in found]


def staff_mobility() -> dict:
    """The "staff mobility" effect, from the affiliation history.

    ``moves``: people who became Champions at one partner and later joined another
    organisation (any role but volunteer), with whether that organisation signed
    its first partnership after they joined. ``signed_after``: those
    organisations, each with the people who joined before it signed.
    """

    firsts: dict[int, Completion] = {}
    for completion in (
        champions().select_related("champion_organisation").order_by("person_id", "-completed_on")
    ):
        firsts[completion.person_id] = completion  # the earliest wins
    later = (
        Affiliation.objects.filter(person_id__in=list(firsts))
        .exclude(role=AffiliationRole.VOLUNTEER)
        .select_related("person", "organisation")
        .order_by("start_date", "pk")
    )
    signed = partner_selectors.first_signed_on_by_organisation()
    moves = []
    signed_after: dict[int, dict] = {}
    for tie in later:
        trained = firsts[tie.person_id]
        if tie.organisation_id == trained.champion_organisation_id:
            continue
        if tie.start_date <= trained.completed_on:
            continue
        signed_on = signed.get(tie.organisation_id)
        after = signed_on is not None and signed_on > tie.start_date
        moves.append(
            {
                "person": tie.person,
                "trained_at": trained.champion_organisation,
                "trained_on": trained.completed_on,
                "moved_to": tie.organisation,
                "joined_on": tie.start_date,
                "signed_on": signed_on,
                "signed_after_joining": after,
            }
        )
        if after:
            entry = signed_after.setdefault(
                tie.organisation_id,
                {"organisation": tie.organisation, "signed_on": signed_on, "people": []},
            )
            entry["people"].append(tie.person)
    return {
        "moves": moves,
        "signed_after": sorted(signed_after.values(), key=lambda e: e["signed_on"]),
    }


def statuses_for(*, person_id: int, on: date | None = None) -> dict:
    """Derived statuses of one person (for the person page)."""
    on = on or timezone.localdate()
    completions = Completion.objects.filter(person_id=person_id, completed_on__lte=on)
    return {
        "champion": champions(on=on).filter(person_id=person_id).exists(),
        "facilitator": completions.filter(course__awards=Award.FACILITATOR).exists(),
        "trainer": completions.filter(course__awards=Award.TRAINER).exists(),
    }


def awards_by_person(*, person_ids: Iterable[int], on: date | None = None) -> dict[int, list[str]]:
    """Each person's training, as words ("Trained facilitator 2023", "Champion
    2021"), earliest award first, in one query (for telling two people of the
    same name apart)."""
    on = on or timezone.localdate()
    rows = (
        Completion.objects.filter(person_id__in=list(person_ids), completed_on__lte=on)
        .exclude(course__awards=Award.NONE)
        .values("person_id", "course__awards")
        .annotate(first=Min("completed_on"))
        .order_by("person_id", "first")
    )
    labels = dict(Award.choices)
    found: dict[int, list[str]] = {}
    for row in rows:
        found.setdefault(row["person_id"], []).append(
            f"{labels[row['course__awards']]} {row['first']:%Y}"
        )
    return found


# --- Refreshers -------------------------------------------------------------------------


def current_statuses() -> QuerySet[Completion]:
    """Each person's latest completion giving a status that lapses: a Champion
    (``champion_organisation`` set) or a trained facilitator, of a course with
    ``validity_months``. A later completion of a course awarding the same
    status (a refresher) supersedes it."""
    later = Completion.objects.filter(
        person=OuterRef("person"),
        course__awards=OuterRef("course__awards"),
        completed_on__gt=OuterRef("completed_on"),
    )
    return (
        Completion.objects.filter(valid_until__isnull=False, person__anonymised_at__isnull=True)
        .filter(
            Q(course__awards=Award.CHAMPION, champion_organisation__isnull=False)
            | Q(course__awards=Award.FACILITATOR)
        )
        .exclude(Exists(later))
    )


def refresher_dates_for(*, person_id: int) -> QuerySet[Completion]:
    """One person's statuses that lapse (``current_statuses``), soonest first:
    the dates their refreshers fall due."""
    return (
        current_statuses()
        .filter(person_id=person_id)
        .select_related("course")
        .order_by("valid_until", "pk")
    )


def lapsing_statuses(*, start: date, end: date) -> QuerySet[Completion]:
    """Current statuses that lapse between ``start`` and ``end`` (inclusive)."""
    return current_statuses().filter(valid_until__gte=start, valid_until__lte=end)


def refreshers_overdue(*, people: QuerySet[Person], today: date) -> QuerySet[Completion]:
    """Current statuses of ``people`` that lapsed before ``today`` (a refresher
    is overdue), longest overdue first, with the reminders they were sent."""
    return (
        current_statuses()
        .filter(person__in=people, valid_until__lt=today)
        .select_related("person", "course")
        .prefetch_related("refresher_reminders")
        .order_by("valid_until", "pk")
    )


def refreshers_due_soon(
    *, people: QuerySet[Person], today: date, days: int
) -> QuerySet[Completion]:
    """Current statuses of ``people`` lapsing in the next ``days`` days."""
    return (
        lapsing_statuses(start=today, end=today + timedelta(days=days))
        .filter(person__in=people)
        .select_related("person", "course")
        .prefetch_related("refresher_reminders")
        .order_by("valid_until", "pk")
    )
