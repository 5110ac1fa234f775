"""The access rule, derived statuses over time, refreshers and face-to-face events."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from partners import personal_data
from partners.models import AffiliationRole
from tests.factories import AffiliationFactory, OrganisationFactory, PersonFactory
from tests.partners.factories import make_partner
from tests.training.factories import (
    champion_course,
    facilitator_course,
    intro_course,
    make_peer,
)
from training import selectors, services
from training.models import Completion, EventPlace, Source

pytestmark = pytest.mark.django_db

D = datetime.date


START = D(2013, 1, 1)


def staff_of(org, start=START, end=None, **kw):
    return AffiliationFactory(
        organisation=org, role=AffiliationRole.STAFF, start_date=start, end_date=end, **kw
    ).person


@pytest.fixture
def partner():
    # A partner from 1 Jan 2014 to 31 Dec 2014.
    return make_partner(
        signed_on=D(2013, 12, 1), start=D(2014, 1, 1), end=D(2014, 12, 31)
    ).organisation


def test_intro_course_is_open_to_anyone():
    person = PersonFactory()
    enrolment = services.enrolment_create(person=person, course=intro_course(), on=D(2014, 5, 1))
    assert enrolment.organisation_id is None


def test_professional_course_refused_to_staff_of_a_non_partner_with_a_reason():
    outsider = staff_of(OrganisationFactory(name="Nowhere Trust"))
    with pytest.raises(ValidationError) as exc:
        services.enrolment_create(person=outsider, course=champion_course(), on=D(2014, 5, 1))
    message = exc.value.message_dict["course"][0]
    assert "only for staff of a partner with an active agreement" in message
    assert "Nowhere Trust" in message


def test_professional_course_open_to_staff_of_a_partner_while_it_is_one(partner):
    person = staff_of(partner)
    enrolment = services.enrolment_create(person=person, course=champion_course(), on=D(2014, 5, 1))
    assert enrolment.organisation_id == partner.pk
    later = staff_of(partner)
    with pytest.raises(ValidationError):
        # After the agreement (and its grace period) has ended.
        services.enrolment_create(person=later, course=champion_course(), on=D(2016, 5, 1))


def test_volunteers_are_not_partner_staff(partner):
    volunteer = AffiliationFactory(organisation=partner, role=AffiliationRole.VOLUNTEER).person
    with pytest.raises(ValidationError):
        services.enrolment_create(person=volunteer, course=champion_course(), on=D(2014, 5, 1))


def test_facilitator_training_is_free_to_peers_and_refused_to_others():
    peer = make_peer()
    services.enrolment_create(person=peer, course=facilitator_course(), on=D(2014, 5, 1))
    with pytest.raises(ValidationError) as exc:
        services.enrolment_create(
            person=PersonFactory(), course=facilitator_course(), on=D(2014, 5, 1)
        )
    assert "only for peers and staff of a partner" in exc.value.message_dict["course"][0]


def test_champion_is_derived_from_the_employer_being_a_partner_on_the_day(partner):
    person = staff_of(partner)
    completion = services.completion_record(
        person=person, course=champion_course(), completed_on=D(2014, 6, 1)
    )
    assert completion.champion_organisation_id == partner.pk
    assert selectors.champion_count(on=D(2014, 5, 31)) == 0
    assert selectors.champion_count(on=D(2014, 6, 1)) == 1
    assert selectors.champion_count(on=D(2020, 1, 1)) == 1  # cumulative


def test_completion_of_a_restricted_course_refused_for_non_partner_staff():
    person = staff_of(OrganisationFactory())
    with pytest.raises(ValidationError) as exc:
        services.completion_record(
            person=person, course=champion_course(), completed_on=D(2014, 6, 1)
        )
    assert "course" in exc.value.message_dict
    assert not Completion.objects.exists()


def test_completion_in_the_future_is_refused():
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        services.completion_record(
            person=PersonFactory(), course=intro_course(), completed_on=tomorrow
        )
    assert "in the future" in exc.value.message_dict["completed_on"][0]


def test_moving_job_keeps_champion_status_earned_at_the_partner(partner):
    person = staff_of(partner, end=D(2014, 8, 31))
    AffiliationFactory(person=person, organisation=OrganisationFactory(), start_date=D(2014, 9, 1))
    services.completion_record(person=person, course=champion_course(), completed_on=D(2014, 6, 1))
    assert selectors.champion_count(on=D(2015, 1, 1)) == 1


def test_champions_refresh_picks_up_an_agreement_entered_late():
    org = OrganisationFactory()
    person = staff_of(org)
    course = champion_course()
    make_partner(org, signed_on=D(2014, 1, 1), start=D(2014, 1, 1))
    completion = services.completion_record(
        person=person, course=course, completed_on=D(2014, 6, 1)
    )
    # As if the completion had been recorded before the agreement was entered.
    Completion.objects.filter(pk=completion.pk).update(champion_organisation=None)
    assert services.champions_refresh() == 1
    completion.refresh_from_db()
    assert completion.champion_organisation_id == org.pk


def test_refresher_due_from_validity_period(partner):
    person = staff_of(partner)
    completion = services.completion_record(
        person=person, course=champion_course(), completed_on=D(2014, 1, 31)
    )
    assert completion.valid_until == D(2017, 1, 31)
    assert completion.refresher_due
    assert services.add_months(D(2014, 1, 31), 1) == D(2014, 2, 28)


def test_event_attendance_records_completions_once(partner):
    course = facilitator_course()
    trainer = make_peer()
    event = services.event_create(
        course=course,
        held_on=D(2014, 6, 1),
        venue="Leeds hub",
        capacity=2,
        trainer_ids=[trainer.pk],
    )
    a, b = make_peer(), staff_of(partner)
    services.event_book(event=event, person=a)
    services.event_book(event=event, person=b)
    with pytest.raises(ValidationError) as exc:
        services.event_book(event=event, person=make_peer())
    assert "full" in exc.value.message_dict["person"][0]
    result = services.event_record_attendance(event=event, attended_ids=[a.pk])
    assert len(result.created) == 1
    assert EventPlace.objects.get(person=b).attended is False
    again = services.event_record_attendance(event=event, attended_ids=[a.pk])
    assert again.already == 1 and not again.created
    completion = Completion.objects.get()
    assert (completion.person, completion.source, completion.event) == (a, Source.EVENT, event)
    assert selectors.is_trained_facilitator(person_id=a.pk)


def test_attendance_only_for_people_booked():
    event = services.event_create(
        course=intro_course(), held_on=D(2014, 6, 1), venue="Hub", capacity=5
    )
    with pytest.raises(ValidationError):
        services.event_record_attendance(event=event, attended_ids=[PersonFactory().pk])


def test_personal_data_export_and_erase():

    person = make_peer()
    services.profile_update(
        person=person,
        consent_to_contact=True,
        address_line_1="1 Main Road",
        town="Leeds",
        postcode="LS1 4AP",
    )
    services.completion_record(person=person, course=intro_course(), completed_on=D(2014, 3, 1))
    exported = personal_data.person_export(person_id=person.pk)["training"]
    assert exported["profile"]["peer"] is True
    assert exported["completions"][0]["course"] == "Introduction to SMART Recovery"
    personal_data.person_erase(person_id=person.pk)
    assert selectors.delivery_address(person_id=person.pk) is None
    person.training_profile.refresh_from_db()
    assert not person.training_profile.is_peer
    assert Completion.objects.filter(person=person).count() == 1  # still counted
