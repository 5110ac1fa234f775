"""Leadership without holes (issue 18): who may lead a peer-led period, planned
periods, corrections, and the starter pack for a peer taking over."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from materials.models import Dispatch, Reason, Status
from meetings import selectors, services
from meetings.models import LeadershipPeriod
from partners.models import AffiliationRole
from tests.factories import AffiliationFactory, OrganisationFactory, PersonFactory
from tests.materials.factories import make_item, make_pack
from tests.meetings.factories import make_meeting
from tests.training.factories import make_trained_facilitator

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def host(db):
    return OrganisationFactory(name="Northern Recovery")


@pytest.fixture
def meeting(host):
    return make_meeting(host=host, started_on=D(2014, 1, 6))


def staff_of(host, person, start=None, end=None, role=AffiliationRole.STAFF):
    AffiliationFactory(
        person=person,
        organisation=host,
        role=role,
        start_date=start or D(2012, 1, 1),
        end_date=end,
    )
    return person


def test_a_peer_led_period_led_only_by_partner_staff_is_refused(host, meeting):
    worker = make_trained_facilitator(
        staff_of(host, PersonFactory(first_name="Pat", last_name="Staff")),
        completed_on=D(2013, 5, 1),
    )
    with pytest.raises(ValidationError) as caught:
        services.leadership_change(
            meeting=meeting, kind="peer_led", start_date=D(2014, 6, 2), facilitators=[worker]
        )
    message = caught.value.message_dict["facilitators"][0]
    assert (
        "A peer-led period needs at least one facilitator who holds facilitator status" in message
    )
    assert "Pat Staff is in a staff role at Northern Recovery" in message
    assert LeadershipPeriod.objects.filter(meeting=meeting).count() == 1  # nothing saved


def test_the_message_says_who_is_missing_what(host, meeting):
    volunteer = PersonFactory(first_name="Val", last_name="Untrained")
    contact = staff_of(
        host, PersonFactory(first_name="Cy", last_name="Contact"), role=AffiliationRole.MAIN_CONTACT
    )
    with pytest.raises(ValidationError) as caught:
        services.leadership_change(
            meeting=meeting,
            kind="co_facilitated",
            start_date=D(2014, 6, 2),
            facilitators=[volunteer, contact],
        )
    message = caught.value.message_dict["facilitators"][0]
    assert message.startswith("A co-facilitated period needs")
    assert "Val Untrained has no facilitator training by then" in message
    assert (
        "Cy Contact has no facilitator training by then and is in a staff role at "
        "Northern Recovery" in message
    )
    with pytest.raises(ValidationError, match="choose at least one facilitator"):
        services.leadership_change(meeting=meeting, kind="peer_led", start_date=D(2014, 6, 2))


def test_training_after_the_start_or_staff_on_that_date_is_what_counts(host, meeting):
    late = make_trained_facilitator(completed_on=D(2014, 7, 1))
    with pytest.raises(ValidationError, match="has no facilitator training by then"):
        services.leadership_change(
            meeting=meeting, kind="peer_led", start_date=D(2014, 6, 2), facilitators=[late]
        )
    # A former member of staff (left before the start) is a peer now.
    former = make_trained_facilitator(
        staff_of(host, PersonFactory(), end=D(2014, 3, 31)), completed_on=D(2013, 1, 1)
    )
    period = services.leadership_change(
        meeting=meeting, kind="peer_led", start_date=D(2014, 6, 2), facilitators=[former]
    )
    assert period.kind == "peer_led"


def test_co_facilitation_by_staff_with_a_trained_peer_is_accepted(host, meeting):
    worker = staff_of(host, PersonFactory())
    peer = make_trained_facilitator(completed_on=D(2014, 1, 1))
    period = services.leadership_change(
        meeting=meeting,
        kind="co_facilitated",
        start_date=D(2014, 6, 2),
        facilitators=[worker, peer],
    )
    assert set(period.facilitators.all()) == {worker, peer}


def test_a_partner_proposal_is_held_to_the_same_rule(host, meeting):
    worker = staff_of(host, PersonFactory(first_name="Pat", last_name="Staff"))
    with pytest.raises(ValidationError, match="Pat Staff has no facilitator training"):
        services.proposal_leadership_change(
            organisation=host,
            meeting=meeting,
            kind="peer_led",
            start_date=D(2014, 6, 2),
            facilitators=[worker],
        )


def test_a_future_dated_period_is_planned_and_counts_only_from_its_date(client, world, meeting):
    peer = make_trained_facilitator(completed_on=D(2014, 1, 1))
    with time_machine.travel(D(2014, 12, 1), tick=False):
        period = services.leadership_change(
            meeting=meeting, kind="peer_led", start_date=D(2014, 12, 8), facilitators=[peer]
        )
        assert period.is_planned
        assert selectors.peer_led_share(on=D(2014, 12, 1)) == 0
        assert selectors.transitioned_on(meeting_id=meeting.pk) is None
        assert selectors.peer_led_lag()["days"] == {}
        assert selectors.current_facilitator_ids(meeting_id=meeting.pk) == []
        client.force_login(world.users["staff_admin"])
        page = client.get(f"/staff/meetings/{meeting.pk}/").content.decode()
        assert (
            "Planned</span> <strong>Peer led</strong> from 8 Dec 2014 (counts from that day)"
            in page
        )
        assert "Not yet peer led." in page
        listing = client.get("/staff/meetings/", {"leadership": "peer_led"})
        assert meeting not in list(listing.context["page_obj"])
    with time_machine.travel(D(2014, 12, 8), tick=False):
        assert selectors.peer_led_share(on=D(2014, 12, 8)) == 1
        assert selectors.transitioned_on(meeting_id=meeting.pk) == D(2014, 12, 8)
        assert selectors.current_facilitator_ids(meeting_id=meeting.pk) == [peer.pk]
        client.force_login(world.users["staff_admin"])  # a week on, the session has expired
        listing = client.get("/staff/meetings/", {"leadership": "peer_led"})
        assert meeting in list(listing.context["page_obj"])


def test_staff_correct_a_period_with_a_reason_and_the_figures_follow(client, world, meeting):
    peer = make_trained_facilitator(completed_on=D(2014, 1, 1))
    wrong = services.leadership_change(
        meeting=meeting, kind="professional", start_date=D(2014, 6, 2)
    )
    assert selectors.peer_led_share(on=D(2014, 7, 1)) == 0
    client.force_login(world.users["staff_admin"])
    url = f"/staff/meetings/{meeting.pk}/leadership/{wrong.pk}/correct/"
    form = client.get(url)
    assert form.status_code == 200 and "Why are you correcting it?" in form.content.decode()
    # No reason: refused, nothing saved.
    response = client.post(url, {"kind": "peer_led", "start_date": "2014-06-02"})
    assert response.status_code == 200
    assert LeadershipPeriod.objects.get(pk=wrong.pk).kind == "professional"
    response = client.post(
        url,
        {
            "kind": "peer_led",
            "start_date": "2014-06-02",
            "facilitators": [peer.pk],
            "reason": "Recorded as professional by mistake",
        },
    )
    assert response.status_code == 302
    corrected = LeadershipPeriod.objects.get(pk=wrong.pk)
    assert corrected.kind == "peer_led" and list(corrected.facilitators.all()) == [peer]
    assert selectors.peer_led_share(on=D(2014, 7, 1)) == 1
    latest = corrected.history.order_by("-history_date", "-history_id").first()
    assert latest.history_change_reason == "Corrected: Recorded as professional by mistake"
    assert latest.history_user == world.users["staff_admin"]
    page = client.get(f"/staff/meetings/{meeting.pk}/").content.decode()
    assert "Recorded as professional by mistake" in page


def test_a_correction_that_overlaps_or_ends_before_it_starts_is_refused(meeting):
    first = meeting.leadership.get()
    second = services.leadership_change(
        meeting=meeting, kind="professional", start_date=D(2014, 6, 2)
    )
    with pytest.raises(ValidationError) as caught:
        services.leadership_correct(
            period=second,
            kind="professional",
            start_date=D(2014, 5, 1),
            end_date=None,
            facilitators=[],
            reason="Started earlier",
        )
    assert "overlap the professionally led period from 06 January 2014" in str(caught.value)
    with pytest.raises(ValidationError) as caught:
        services.leadership_correct(
            period=first,
            kind="professional",
            start_date=D(2014, 1, 6),
            end_date=D(2014, 1, 1),
            facilitators=[],
            reason="Typo",
        )
    assert caught.value.message_dict["end_date"] == ["The period cannot end before it starts."]
    with pytest.raises(ValidationError) as caught:
        services.leadership_correct(
            period=first,
            kind="professional",
            start_date=D(2014, 1, 6),
            end_date=D(2014, 5, 1),
            facilitators=[],
            reason="  ",
        )
    assert "reason" in caught.value.message_dict
    # Shortening the first period leaves a gap, which is allowed.
    services.leadership_correct(
        period=first,
        kind="professional",
        start_date=D(2014, 1, 6),
        end_date=D(2014, 5, 1),
        facilitators=[],
        reason="Ended earlier",
    )
    assert LeadershipPeriod.objects.get(pk=first.pk).end_date == D(2014, 5, 1)


@pytest.fixture
def starter(db):
    make_pack("starter", {make_item("handbook", stock=10): 1})


def test_a_new_peer_taking_over_gets_the_starter_pack_once(host, meeting, starter, on_commit):
    peer = make_trained_facilitator(completed_on=D(2014, 1, 1))
    worker = staff_of(host, PersonFactory())
    with on_commit():
        services.leadership_change(
            meeting=meeting,
            kind="co_facilitated",
            start_date=D(2014, 6, 2),
            facilitators=[worker, peer],
        )
    packs = Dispatch.objects.filter(reason=Reason.STARTER_PACK, person=peer)
    assert packs.count() == 1 and packs.get().meeting_id == meeting.pk
    assert not Dispatch.objects.filter(reason=Reason.STARTER_PACK, person=worker).exists()
    # The same peer, now leading alone: no second pack for this meeting.
    with on_commit():
        services.leadership_change(
            meeting=meeting, kind="peer_led", start_date=D(2014, 9, 1), facilitators=[peer]
        )
    assert Dispatch.objects.filter(reason=Reason.STARTER_PACK, person=peer).count() == 1
    # Once per person per meeting is the database's rule, not the code's care.
    with pytest.raises(IntegrityError), transaction.atomic():
        Dispatch.objects.create(
            reason=Reason.STARTER_PACK, person=peer, meeting_id=meeting.pk, contact_name="x"
        )


def test_a_meeting_opened_without_a_facilitator_waits_for_one(client, world, starter, on_commit):
    with on_commit():
        meeting = make_meeting(host=world.org_a, started_on=D(2014, 1, 6))
    waiting = Dispatch.objects.get(reason=Reason.STARTER_PACK, meeting_id=meeting.pk)
    assert waiting.status == Status.WAITING_FOR_FACILITATOR and waiting.person is None
    assert not Dispatch.objects.filter(contact_name="Unknown facilitator").exists()
    client.force_login(world.users["materials"])
    queue = client.get("/staff/materials/").content.decode()
    assert "No facilitator named yet" in queue
    assert "Waiting for a facilitator" in queue and "opened with no facilitator named" in queue
    assert "Unknown facilitator" not in queue

    named = PersonFactory(first_name="Nia", last_name="Named")
    with on_commit():
        services.leadership_change(
            meeting=meeting, kind="professional", start_date=D(2014, 3, 3), facilitators=[named]
        )
    waiting.refresh_from_db()
    assert waiting.person == named and waiting.contact_name == "Nia Named"
    assert waiting.status == Status.SUBMITTED  # no address on record yet: staff find one
    assert Dispatch.objects.filter(reason=Reason.STARTER_PACK, meeting_id=meeting.pk).count() == 1
