"""The course-eligibility policy (``training.eligibility``): the pure rule, the
facts it loads, and that every place that lets someone take a course asks it."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from partners.models import AffiliationRole
from tests.factories import AffiliationFactory, PersonFactory
from tests.partners.factories import make_partner
from tests.training.conftest import fixture_bytes
from tests.training.factories import (
    champion_course,
    facilitator_course,
    intro_course,
    make_peer,
)
from training import eligibility, services
from training.eligibility import Decision, Eligibility, Employer, StaffTies, decide
from training.models import AccessRule, Completion, Course

D = datetime.date
ON = D(2014, 5, 1)
PARTNER = Employer(1, "Alpha Recovery")
OUTSIDER = Employer(2, "Nowhere Trust")


class Calendar:
    """A partner calendar without a database: organisation 1 is a partner in 2014."""

    def partner_ids_on(self, on):
        return frozenset({PARTNER.pk}) if D(2014, 1, 1) <= on <= D(2014, 12, 31) else frozenset()


def course(rule: str) -> Course:
    return Course(code=f"c-{rule}", title=rule, access_rule=rule)


def ties(*entries) -> StaffTies:
    return StaffTies(by_person={7: list(entries)})


def rule(access_rule, *, staff=(), is_peer=False, on=ON) -> Decision:
    return decide(
        course=course(access_rule),
        person_id=7,
        on=on,
        is_peer=is_peer,
        ties=ties(*staff),
        partners=Calendar(),
    )


# --- The rule itself (pure: no database) ---------------------------------------------


def test_open_course_is_for_anyone_and_names_the_partner_when_there_is_one():
    assert rule(AccessRule.OPEN) == Decision(True)
    assert rule(AccessRule.OPEN, staff=[(PARTNER, D(2013, 1, 1), None)]) == Decision(
        True, organisation_id=PARTNER.pk
    )


def test_partner_staff_course_needs_a_tie_to_a_partner_on_the_day():
    tie = (PARTNER, D(2013, 1, 1), None)
    assert rule(AccessRule.PARTNER_STAFF, staff=[tie]) == Decision(True, organisation_id=1)
    # The same tie after the agreement ended.
    late = rule(AccessRule.PARTNER_STAFF, staff=[tie], on=D(2015, 2, 1))
    assert not late.allowed
    assert "Alpha Recovery" in late.reason and "01/02/2015" in late.reason


def test_partner_staff_course_refused_with_the_organisation_named():
    refused = rule(AccessRule.PARTNER_STAFF, staff=[(OUTSIDER, D(2013, 1, 1), None)])
    assert not refused.allowed
    assert refused.reason == (
        "course c-partner_staff is only for staff of a partner with an active agreement; "
        "their organisation (Nowhere Trust) had no active partnership agreement on 01/05/2014"
    )


def test_a_tie_counts_only_between_its_dates():
    ended = (PARTNER, D(2013, 1, 1), D(2014, 4, 30))
    not_yet = (PARTNER, D(2014, 5, 2), None)
    for staff in ([ended], [not_yet]):
        refused = rule(AccessRule.PARTNER_STAFF, staff=staff)
        assert not refused.allowed
        assert "not staff of any organisation on 01/05/2014" in refused.reason
    assert rule(AccessRule.PARTNER_STAFF, staff=[(PARTNER, ON, ON)]).allowed


def test_facilitator_training_is_free_to_peers_only():
    assert rule(AccessRule.PEERS_OR_PARTNER_STAFF, is_peer=True) == Decision(True)
    refused = rule(AccessRule.PEERS_OR_PARTNER_STAFF)
    assert not refused.allowed
    assert "only for peers and staff of a partner" in refused.reason
    # Being a peer does not open a partner-staff course.
    assert not rule(AccessRule.PARTNER_STAFF, is_peer=True).allowed


def test_of_two_employers_the_partner_gives_access():
    staff = [(OUTSIDER, D(2013, 1, 1), None), (PARTNER, D(2013, 1, 1), None)]
    assert rule(AccessRule.PARTNER_STAFF, staff=staff) == Decision(True, organisation_id=1)


# --- The facts it reads ----------------------------------------------------------------


@pytest.mark.django_db
def test_load_reads_ties_and_peers_of_many_people_in_two_queries(django_assert_num_queries):
    partner = make_partner(
        signed_on=D(2013, 12, 1), start=D(2014, 1, 1), end=D(2014, 12, 31)
    ).organisation
    staff = [
        AffiliationFactory(
            organisation=partner, role=AffiliationRole.STAFF, start_date=D(2013, 1, 1)
        ).person
        for _ in range(3)
    ]
    volunteer = AffiliationFactory(
        organisation=partner, role=AffiliationRole.VOLUNTEER, start_date=D(2013, 1, 1)
    ).person
    peer = make_peer()
    with django_assert_num_queries(2):
        facts = Eligibility.load([p.pk for p in [*staff, volunteer, peer]])
    champion = champion_course()
    with django_assert_num_queries(1):  # the partner calendar, once for every day asked
        for person in staff:
            assert facts.decide(course=champion, person_id=person.pk, on=ON).organisation_id == (
                partner.pk
            )
        assert facts.partner_employer(person_id=staff[0].pk, on=D(2014, 6, 1)) == partner.pk
    # A volunteer is not staff; a peer is free on facilitator training only.
    assert not facts.decide(course=champion, person_id=volunteer.pk, on=ON).allowed
    assert facts.decide(course=facilitator_course(), person_id=peer.pk, on=ON).allowed
    assert not facts.decide(course=champion, person_id=peer.pk, on=ON).allowed


@pytest.mark.django_db
def test_may_take_answers_for_one_person_on_a_day():
    partner = make_partner(
        signed_on=D(2013, 12, 1), start=D(2014, 1, 1), end=D(2014, 12, 31)
    ).organisation
    person = AffiliationFactory(
        organisation=partner, role=AffiliationRole.STAFF, start_date=D(2013, 1, 1)
    ).person
    assert eligibility.may_take(course=champion_course(), person=person, on=ON).allowed
    assert not eligibility.may_take(
        course=champion_course(), person=person, on=D(2015, 6, 1)
    ).allowed


# --- Every way of taking a course asks the one rule -----------------------------------

SENTINEL = "the eligibility policy said no"


@pytest.fixture
def policy_refuses(monkeypatch):
    """Make the policy refuse everyone: any path that still lets someone in
    decides eligibility somewhere else."""
    asked = []

    def refuse(**kwargs):
        asked.append(kwargs["course"].code)
        return Decision(False, reason=SENTINEL)

    monkeypatch.setattr(eligibility, "decide", refuse)
    return asked


@pytest.mark.django_db
def test_enrolment_asks_the_policy(policy_refuses):
    with pytest.raises(ValidationError) as exc:
        services.enrolment_create(person=PersonFactory(), course=intro_course(), on=ON)
    assert SENTINEL in exc.value.message_dict["course"][0]
    assert policy_refuses == ["intro"]


@pytest.mark.django_db
def test_booking_and_attendance_ask_the_policy(policy_refuses, monkeypatch):
    event = services.event_create(course=intro_course(), held_on=ON, venue="Hub", capacity=5)
    person = PersonFactory()
    with pytest.raises(ValidationError) as exc:
        services.event_book(event=event, person=person)
    assert SENTINEL in exc.value.message_dict["person"][0]
    # Booked while the policy allowed it; attendance asks again on the day.
    monkeypatch.undo()
    services.event_book(event=event, person=person)
    monkeypatch.setattr(eligibility, "decide", lambda **kw: Decision(False, reason=SENTINEL))
    result = services.event_record_attendance(
        event=event, attended_ids=[person.pk], today=D(2014, 6, 1)
    )
    assert result.rejected == [(0, SENTINEL)]
    assert not Completion.objects.exists()


@pytest.mark.django_db
def test_a_manual_completion_asks_the_policy(policy_refuses):
    with pytest.raises(ValidationError) as exc:
        services.completion_record(person=PersonFactory(), course=intro_course(), completed_on=ON)
    assert SENTINEL in exc.value.message_dict["course"][0]


def test_the_moodle_import_asks_the_policy(moodle_world, policy_refuses):
    job = services.import_prepare(name="export.csv", data=fixture_bytes("moodle_long.csv"))
    job = services.import_run(job_id=job.pk, today=D(2015, 1, 1))
    assert job.created_count == 0
    assert SENTINEL in {r.reason for r in job.rejections.all()}
    assert not Completion.objects.exists()


@pytest.mark.django_db
def test_champions_refresh_asks_the_policy_which_partner(monkeypatch):
    partner = make_partner(
        signed_on=D(2013, 12, 1), start=D(2014, 1, 1), end=D(2014, 12, 31)
    ).organisation
    person = AffiliationFactory(
        organisation=partner, role=AffiliationRole.STAFF, start_date=D(2013, 1, 1)
    ).person
    completion = services.completion_record(
        person=person, course=champion_course(), completed_on=ON
    )
    assert completion.champion_organisation == partner
    monkeypatch.setattr(Eligibility, "partner_employer", lambda self, **kw: None)
    assert services.champions_refresh() == 1
    completion.refresh_from_db()
    assert completion.champion_organisation is None
