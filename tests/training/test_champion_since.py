"""A person's "Champion since" (``TrainingProfile.champion_since``) follows their
completions however they change, and the Champion register reads it."""

from datetime import date

import pytest
from django.db import connection
from django.db.models import Min
from django.test.utils import CaptureQueriesContext

from partners import personal_data
from partners import services as partners_services
from tests.factories import AffiliationFactory, PersonFactory
from tests.partners.factories import make_partner
from tests.training.factories import champion_course, intro_course
from training import selectors, services
from training.models import Completion, MoodleCourse, TrainingProfile

pytestmark = pytest.mark.django_db

D = date


@pytest.fixture
def partner(db):
    return make_partner(
        signed_on=D(2013, 1, 1), start=D(2013, 1, 1), end=D(2016, 1, 1)
    ).organisation


def staff(partner, **fields):
    person = PersonFactory(**fields)
    AffiliationFactory(person=person, organisation=partner, start_date=D(2012, 1, 1))
    return person


def since(person):
    return (
        TrainingProfile.objects.filter(person=person)
        .values_list("champion_since", flat=True)
        .first()
    )


def grouped_register():
    """The register as it was computed before: each Champion's completions grouped."""
    return list(
        selectors.champions()
        .order_by()
        .values("person_id")
        .annotate(first_on=Min("completed_on"))
        .order_by("-first_on", "person_id")
    )


def test_recording_sets_it_and_an_earlier_completion_moves_it_back(partner):
    course = champion_course()
    person = staff(partner)
    assert since(person) is None
    services.completion_record(person=person, course=course, completed_on=D(2014, 3, 1))
    assert since(person) == D(2014, 3, 1)
    services.completion_record(person=person, course=course, completed_on=D(2014, 5, 1))
    assert since(person) == D(2014, 3, 1)
    services.completion_record(person=person, course=course, completed_on=D(2013, 6, 1))
    assert since(person) == D(2013, 6, 1)
    # Not a Champion course, or not at a partner: not a Champion.
    other = PersonFactory()
    services.completion_record(person=other, course=intro_course(), completed_on=D(2014, 3, 1))
    assert since(other) is None


def test_removing_completions_moves_it_on_then_clears_it(partner):
    course = champion_course()
    person = staff(partner)
    for day in (D(2013, 6, 1), D(2014, 3, 1)):
        services.completion_record(person=person, course=course, completed_on=day)
    Completion.objects.get(person=person, completed_on=D(2013, 6, 1)).delete()
    assert since(person) == D(2014, 3, 1)
    Completion.objects.get(person=person).delete()
    assert since(person) is None
    assert person.pk not in {row["person_id"] for row in selectors.champion_register()}


def test_an_erased_person_keeps_their_date_as_their_completions_stay(partner):
    course = champion_course()
    person = staff(partner, first_name="Erin", last_name="Erased")
    services.completion_record(person=person, course=course, completed_on=D(2014, 3, 1))
    personal_data.person_erase(person_id=person.pk)
    assert Completion.objects.filter(person=person).exists()
    assert since(person) == D(2014, 3, 1)
    assert list(selectors.champion_register()) == grouped_register()


def test_a_merge_keeps_the_earliest_of_both_records(partner):
    course = champion_course()
    keeper = staff(partner, first_name="Kay")
    other = staff(partner, first_name="Kay")
    services.completion_record(person=keeper, course=course, completed_on=D(2014, 3, 1))
    services.completion_record(person=other, course=course, completed_on=D(2013, 9, 1))
    partners_services.person_merge(keeper=keeper, other=other)
    assert since(keeper) == D(2013, 9, 1)
    assert list(selectors.champion_register()) == grouped_register()
    assert [row["person_id"] for row in selectors.champion_register()] == [keeper.pk]


def test_an_import_sets_it(moodle_world):
    MoodleCourse.objects.get_or_create(shortname="SRUK-CHAMP", course=moodle_world["champion"])
    alice = moodle_world["people"]["alice"]
    data = f"Email address,Course short name,Time completed\n{alice.email},SRUK-CHAMP,2014-03-10\n"
    job = services.import_prepare(name="c.csv", data=data.encode())
    job = services.import_run(job_id=job.pk, today=D(2014, 6, 1))
    assert job.created_count == 1
    assert since(alice) == D(2014, 3, 10)


def test_a_champion_partner_entered_late_sets_it(db):
    course = champion_course()
    agreement = make_partner(signed_on=D(2014, 1, 1), start=D(2014, 1, 1))
    person = staff(agreement.organisation)
    services.completion_record(person=person, course=course, completed_on=D(2014, 3, 1))
    assert since(person) == D(2014, 3, 1)
    Completion.objects.filter(person=person).update(champion_organisation=None)
    services.champion_since_refresh(person_ids=[person.pk])
    assert since(person) is None
    assert services.champions_refresh() == 1
    assert since(person) == D(2014, 3, 1)


def test_the_register_is_the_grouped_computation_read_from_profiles(partner):
    course = champion_course()
    for i, day in enumerate([D(2013, 4, 1), D(2014, 2, 1), D(2013, 4, 1), D(2014, 8, 1)]):
        person = staff(partner)
        services.completion_record(person=person, course=course, completed_on=day)
        if i == 1:
            services.completion_record(person=person, course=course, completed_on=D(2013, 1, 2))
    assert list(selectors.champion_register()) == grouped_register()
    assert list(selectors.champion_register(start=D(2013, 2, 1), end=D(2014, 3, 1))) == [
        row for row in grouped_register() if D(2013, 2, 1) <= row["first_on"] <= D(2014, 3, 1)
    ]
    with CaptureQueriesContext(connection) as read:
        list(selectors.champion_register()[:2])
    (sql,) = [q["sql"] for q in read.captured_queries]
    assert "training_trainingprofile" in sql and "training_completion" not in sql
