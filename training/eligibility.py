"""Who may take which course on which day: the course-eligibility policy.

One owner for the rule that enrolment, event booking and every recorded
completion (manual, event attendance, Moodle import) ask:

- ``open`` (the introductory course): anyone;
- ``partner_staff``: someone holding a staff tie (any role but volunteer) with
  an organisation that is a partner on the day (``partners.selectors``);
- ``peers_or_partner_staff`` (facilitator training): free to peers, otherwise
  as ``partner_staff``.

The same facts answer which partner gave access (``Decision.organisation_id``),
which is the organisation a Champion is counted at.

Entry points: ``may_take(course=, person=, on=)`` for one person;
``Eligibility.load(person_ids)`` then ``.decide(...)`` for many at once (an
import checks thousands in a few queries). ``decide`` itself is pure.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from django.utils import timezone

from partners import selectors as partner_selectors
from partners.models import Affiliation, AffiliationRole, Person
from training.models import AccessRule, Course, TrainingProfile


class PartnerCalendar:
    """Which organisations are partners on a day. Every organisation's partner
    ranges are read once, on first use (``partners.selectors.partner_intervals``),
    and each day's answer is memoised, so a whole import costs one query."""

    def __init__(self) -> None:
        self._intervals: dict[int, list[tuple[date, date]]] | None = None
        self._by_day: dict[date, frozenset[int]] = {}

    def partner_ids_on(self, on: date) -> frozenset[int]:
        found = self._by_day.get(on)
        if found is None:
            if self._intervals is None:
                self._intervals = partner_selectors.partner_intervals()
            found = frozenset(
                org_id
                for org_id, spans in self._intervals.items()
                if any(first <= on <= last for first, last in spans)
            )
            self._by_day[on] = found
        return found


class Employer(NamedTuple):
    pk: int
    name: str


@dataclass
class StaffTies:
    """Non-volunteer affiliations of many people, loaded in one query as plain
    tuples (no model instances: an import checks thousands at once)."""

    by_person: dict[int, list[tuple[Employer, date, date | None]]] = field(default_factory=dict)

    @classmethod
    def load(cls, person_ids: Iterable[int]) -> StaffTies:
        ties: dict[int, list[tuple[Employer, date, date | None]]] = defaultdict(list)
        qs = (
            Affiliation.objects.filter(person_id__any=list(set(person_ids)))
            .exclude(role=AffiliationRole.VOLUNTEER)
            .order_by("-is_primary", "-start_date", "pk")
            .values_list(
                "person_id", "organisation_id", "organisation__name", "start_date", "end_date"
            )
        )
        for person_id, org_id, org_name, start, end in qs:
            ties[person_id].append((Employer(org_id, org_name), start, end))
        return cls(by_person=dict(ties))

    def organisations_on(self, person_id: int, on: date) -> list[Employer]:
        return [
            employer
            for employer, start, end in self.by_person.get(person_id, ())
            if start <= on and (end is None or end >= on)
        ]


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""
    organisation_id: int | None = None  # the partner whose agreement gave access


def decide(
    *,
    course: Course,
    person_id: int,
    on: date,
    is_peer: bool,
    ties: StaffTies,
    partners: PartnerCalendar,
) -> Decision:
    """Whether ``person_id`` may take ``course`` on ``on``, and if not, why."""
    employers = ties.organisations_on(person_id, on)
    # Asked only for people with an employer that day, so peers cost no query.
    partner_ids = partners.partner_ids_on(on) if employers else frozenset()
    partner_org = next((o for o in employers if o.pk in partner_ids), None)
    organisation_id = partner_org.pk if partner_org else None
    if course.access_rule == AccessRule.OPEN:
        return Decision(True, organisation_id=organisation_id)
    if course.access_rule == AccessRule.PEERS_OR_PARTNER_STAFF and is_peer:
        return Decision(True, organisation_id=organisation_id)
    if partner_org is not None:
        return Decision(True, organisation_id=organisation_id)
    if employers:
        names = ", ".join(o.name for o in employers)
        why = f"their organisation ({names}) had no active partnership agreement on {on:%d/%m/%Y}"
    else:
        why = f"they were not staff of any organisation on {on:%d/%m/%Y}"
    audience = (
        "peers and staff of a partner with an active agreement"
        if course.access_rule == AccessRule.PEERS_OR_PARTNER_STAFF
        else "staff of a partner with an active agreement"
    )
    return Decision(False, reason=f"course {course.code} is only for {audience}; {why}")


@dataclass
class Eligibility:
    """The facts the policy reads for a set of people (staff ties and peer
    flags, two queries) and the partner calendar (one query, shared between
    batches of an import)."""

    ties: StaffTies
    peers: frozenset[int]
    partners: PartnerCalendar

    @classmethod
    def load(
        cls, person_ids: Iterable[int], *, partners: PartnerCalendar | None = None
    ) -> Eligibility:
        ids = list(set(person_ids))
        peers = frozenset(
            TrainingProfile.objects.filter(person_id__any=ids, is_peer=True).values_list(
                "person_id", flat=True
            )
        )
        return cls(ties=StaffTies.load(ids), peers=peers, partners=partners or PartnerCalendar())

    def decide(self, *, course: Course, person_id: int, on: date) -> Decision:
        return decide(
            course=course,
            person_id=person_id,
            on=on,
            is_peer=person_id in self.peers,
            ties=self.ties,
            partners=self.partners,
        )

    def partner_employer(self, *, person_id: int, on: date) -> int | None:
        """The partner the person was staff of on ``on`` (where a Champion is counted)."""
        partner_ids = self.partners.partner_ids_on(on)
        return next(
            (o.pk for o in self.ties.organisations_on(person_id, on) if o.pk in partner_ids),
            None,
        )


def may_take(*, course: Course, person: Person, on: date | None = None) -> Decision:
    """May ``person`` take ``course`` on ``on`` (default today)? A few queries."""
    return Eligibility.load([person.pk]).decide(
        course=course, person_id=person.pk, on=on or timezone.localdate()
    )
