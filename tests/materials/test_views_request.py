"""The facilitator request form: the sign-in link, the form, and its bad input."""

import datetime
import re
import uuid

import pytest
import time_machine
from django.core import mail

from materials import services
from materials.models import Dispatch, Status
from meetings import services as meeting_services
from smartnet.models import User
from smartnet.roles import Role
from tests.factories import PersonFactory
from tests.materials.factories import make_item
from tests.meetings.factories import make_meeting
from tests.training.factories import make_trained_facilitator
from training import services as training_services

pytestmark = pytest.mark.django_db

REQUEST_URL = "/materials/request/"


@pytest.fixture
def catalogue(settings):
    settings.MATERIALS_FAIR_USE_LIMITS = {"poster": 20, "leaflet": 500}
    return {
        "poster": make_item("poster", stock=100),
        "leaflet": make_item("leaflet", stock=1000, unit_cost="0.05"),
        "manual": make_item("manual", name="Facilitators Manual", stock=10, requestable=False),
    }


@pytest.fixture
def facilitator(db):
    person = make_trained_facilitator(
        PersonFactory(email="robin@example.org"), completed_on=datetime.date(2026, 1, 5)
    )
    training_services.profile_update(
        person=person,
        consent_to_contact=True,
        address_line_1="2 Bold Street",
        town="Liverpool",
        postcode="L1 4DJ",
    )
    return person


@pytest.fixture
def meeting(facilitator):
    return make_meeting(
        started_on=datetime.date(2026, 2, 2), led="peer_led", facilitators=[facilitator]
    )


def _link_from_outbox() -> str:
    bodies = [m.body for m in mail.outbox if "sign-in link" in m.subject]
    assert bodies, "no sign-in e-mail was sent"
    return re.search(r"http\S+/materials/request/sign-in/\?sesame=\S+", bodies[-1]).group(0)


def _ask_for_link(client, on_commit, email="robin@example.org"):
    with on_commit():
        return client.post(REQUEST_URL, {"email": email})


def _sign_in(client, link: str):
    token = link.split("sesame=", 1)[1]
    return client.post("/materials/request/sign-in/", {"sesame": token}, follow=True)


def _signed_in(client, on_commit, email="robin@example.org"):
    _ask_for_link(client, on_commit, email)
    response = _sign_in(client, _link_from_outbox())
    assert "You are signed in" in response.content.decode()
    return response


def _form_data(meeting, catalogue, **overrides):
    data = {
        "token": str(uuid.uuid4()),
        "meeting": meeting.pk,
        f"qty_{catalogue['poster'].pk}": "10",
        "contact_name": "Robin Peer",
        "address_line_1": "2 Bold Street",
        "town": "Liverpool",
        "postcode": "L1 4DJ",
    }
    data.update(overrides)
    return data


# --- the sign-in link ---------------------------------------------------------------


def test_a_trained_facilitator_gets_a_link_that_signs_them_in_as_a_facilitator(
    client, on_commit, facilitator, meeting, catalogue
):
    response = _ask_for_link(client, on_commit)
    assert response.status_code == 302
    assert mail.outbox[-1].to == ["robin@example.org"]
    link = _link_from_outbox()
    # Following the link shows a button; the GET alone does not spend it.
    assert client.get(link.replace("http://127.0.0.1:8000", "")).status_code == 200
    response = _sign_in(client, link)
    facilitator.refresh_from_db()
    assert facilitator.user is not None and facilitator.user.role == Role.FACILITATOR
    assert response.context["user"] == facilitator.user
    assert "Your meeting" in response.content.decode()
    assert meeting.name in response.content.decode()


def test_a_link_works_once(client, on_commit, facilitator, meeting, catalogue):
    _ask_for_link(client, on_commit)
    link = _link_from_outbox()
    _sign_in(client, link)
    client.logout()
    response = _sign_in(client, link)
    assert "has expired or has already been used" in response.content.decode()
    assert not response.context["user"].is_authenticated


def test_a_link_expires(client, on_commit, facilitator, meeting, catalogue, settings):
    with time_machine.travel("2026-03-01 10:00Z", tick=False):
        _ask_for_link(client, on_commit)
        link = _link_from_outbox()
    with time_machine.travel("2026-03-01 10:31Z", tick=False):  # SESAME_MAX_AGE is 30 minutes
        response = _sign_in(client, link)
    assert "has expired or has already been used" in response.content.decode()
    assert not response.context["user"].is_authenticated


def test_a_link_is_claimed_once_by_the_service(client, on_commit, facilitator):
    _ask_for_link(client, on_commit)
    token = _link_from_outbox().split("sesame=", 1)[1]
    first = services.sign_in_link_claim(token=token)
    assert first is not None and first.person == facilitator
    assert services.sign_in_link_claim(token=token) is None
    # Nor does the used link sign anyone in through the page.
    response = client.post("/materials/request/sign-in/", {"sesame": token}, follow=True)
    assert "has expired or has already been used" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_tampered_link_is_refused(client, facilitator):
    response = client.post("/materials/request/sign-in/", {"sesame": "not-a-token"}, follow=True)
    assert "has expired or has already been used" in response.content.decode()


def test_someone_not_on_record_gets_the_same_answer_and_no_e_mail(client, on_commit, db):
    PersonFactory(email="untrained@example.org")
    response = _ask_for_link(client, on_commit, "untrained@example.org")
    follow = client.get(response["Location"])
    assert "If that address is on our training records" in follow.content.decode()
    response = _ask_for_link(client, on_commit, "nobody@example.org")
    assert not [m for m in mail.outbox if "sign-in link" in m.subject]


def test_the_link_is_found_or_made_once_for_the_person(client, on_commit, facilitator):
    _ask_for_link(client, on_commit)
    _ask_for_link(client, on_commit, "ROBIN@example.org")
    facilitator.refresh_from_db()
    assert len([m for m in mail.outbox if "sign-in link" in m.subject]) == 2

    assert User.objects.filter(email="robin@example.org").count() == 1


def test_link_requests_are_limited_per_e_mail_and_address(client, settings, db):
    settings.MATERIALS_ANON_RATE_LIMIT = 3
    statuses = [client.post(REQUEST_URL, {"email": "x@example.org"}).status_code for _ in range(4)]
    assert statuses == [302, 302, 302, 429]
    # Another person behind the same connection (a treatment centre) has their own allowance.
    assert client.post(REQUEST_URL, {"email": "y@example.org"}).status_code == 302
    other_ip = client.post(REQUEST_URL, {"email": "x@example.org"}, REMOTE_ADDR="10.0.0.9")
    assert other_ip.status_code == 302


def test_invalid_link_requests_do_not_count(client, settings, db):
    settings.MATERIALS_ANON_RATE_LIMIT = 2
    for _ in range(5):
        assert client.post(REQUEST_URL, {"email": "not an address"}).status_code == 200
    statuses = [client.post(REQUEST_URL, {"email": "x@example.org"}).status_code for _ in range(3)]
    assert statuses == [302, 302, 429]


def test_the_two_anonymous_forms_have_separate_allowances(client, settings, catalogue):
    settings.MATERIALS_ANON_RATE_LIMIT = 1
    assert client.post(REQUEST_URL, {"email": "new@example.org"}).status_code == 302
    response = client.post("/materials/request/ask/", _ask_data(catalogue))
    assert response.status_code == 302
    assert Dispatch.objects.count() == 1


# --- the form -------------------------------------------------------------------------


def test_a_facilitator_requests_posters_and_gets_a_confirmation(
    client, on_commit, facilitator, meeting, catalogue
):
    _signed_in(client, on_commit)
    page = client.get(REQUEST_URL).content.decode()
    assert 'value="2 Bold Street"' in page  # the address on the training record, to confirm
    assert "Facilitators Manual" not in page  # not requestable
    mail.outbox.clear()
    with on_commit():
        response = client.post(REQUEST_URL, _form_data(meeting, catalogue), follow=True)
    assert "Thank you: request M" in response.content.decode()
    dispatch = Dispatch.objects.get()
    assert (dispatch.status, dispatch.meeting_id, dispatch.person) == (
        Status.SUBMITTED,
        meeting.pk,
        facilitator,
    )
    assert [(line.item.code, line.quantity) for line in dispatch.lines.all()] == [("poster", 10)]
    assert mail.outbox[0].to == ["robin@example.org"]
    assert "10 x Poster" in mail.outbox[0].body


def test_a_double_submit_makes_one_request(client, on_commit, facilitator, meeting, catalogue):
    _signed_in(client, on_commit)
    data = _form_data(meeting, catalogue)
    client.post(REQUEST_URL, data)
    response = client.post(REQUEST_URL, data, follow=True)
    assert Dispatch.objects.count() == 1
    assert "We already have this request" in response.content.decode()


def test_the_delivery_address_can_be_edited(client, on_commit, facilitator, meeting, catalogue):
    _signed_in(client, on_commit)
    client.post(
        REQUEST_URL,
        _form_data(meeting, catalogue, address_line_1="Unit 4, Dock Road", postcode="l3 4bb"),
    )
    dispatch = Dispatch.objects.get()
    assert (dispatch.address_line_1, dispatch.postcode) == ("Unit 4, Dock Road", "L3 4BB")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"qty_poster": "0"}, "Poster (quantity): Enter 1 or more, or leave it empty"),
        ({"qty_poster": "-5"}, "Poster (quantity): Enter 1 or more, or leave it empty"),
        ({"qty_poster": "21"}, "Poster: 21 is over the fair-use limit"),
        ({"qty_poster": "lots"}, "The poster (quantity) must be a whole number"),
        ({"qty_poster": ""}, "Choose at least one item"),
        ({"qty_999999": "3"}, "Item 999999 does not exist or cannot be requested"),
        ({"qty_manual": "1"}, "does not exist or cannot be requested"),
        ({"postcode": "NOT A CODE"}, "Enter a UK postcode such as SW1A 1AA"),
        ({"postcode": ""}, "Enter the postcode"),
        ({"meeting": "999999"}, "Your meeting: Choose one of your open meetings"),
    ],
)
def test_bad_input_is_explained_and_nothing_is_saved(
    client, on_commit, facilitator, meeting, catalogue, change, message
):
    _signed_in(client, on_commit)
    data = _form_data(meeting, catalogue)
    for key, value in change.items():
        if key.startswith("qty_") and not key[4:].isdigit():
            key = f"qty_{catalogue[key[4:]].pk}"
        data[key] = value
    response = client.post(REQUEST_URL, data)
    assert response.status_code == 200
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not Dispatch.objects.exists()


def test_fair_use_counts_earlier_requests_for_the_meeting(
    client, on_commit, facilitator, meeting, catalogue
):
    _signed_in(client, on_commit)
    client.post(
        REQUEST_URL, _form_data(meeting, catalogue, **{f"qty_{catalogue['poster'].pk}": "15"})
    )
    response = client.post(
        REQUEST_URL, _form_data(meeting, catalogue, **{f"qty_{catalogue['poster'].pk}": "6"})
    )
    assert "can ask for 5 more in any 90 days" in response.content.decode()
    assert Dispatch.objects.count() == 1


def test_a_closed_meeting_cannot_get_materials(client, on_commit, facilitator, meeting, catalogue):
    _signed_in(client, on_commit)
    data = _form_data(meeting, catalogue)
    meeting_services.meeting_close(
        meeting=meeting, on=datetime.date(2026, 3, 1), reason="venue lost"
    )
    response = client.post(REQUEST_URL, data)
    assert "Choose one of your open meetings" in response.content.decode().replace("&#x27;", "'")
    assert not Dispatch.objects.exists()


def test_a_meeting_that_is_not_theirs_is_refused(
    client, on_commit, facilitator, meeting, catalogue
):
    other = make_meeting(
        started_on=datetime.date(2026, 2, 2), led="peer_led", facilitators=[PersonFactory()]
    )
    _signed_in(client, on_commit)
    response = client.post(REQUEST_URL, _form_data(other, catalogue))
    assert "Choose one of your open meetings" in response.content.decode()
    assert not Dispatch.objects.exists()


def test_a_paused_meeting_is_listed_but_does_not_accept_materials(
    client, on_commit, facilitator, meeting, catalogue
):
    meeting_services.meeting_pause(meeting=meeting, on=datetime.date(2026, 3, 1))
    _signed_in(client, on_commit)
    response = client.post(REQUEST_URL, _form_data(meeting, catalogue))
    assert "This meeting is not running" in response.content.decode()
    assert not Dispatch.objects.exists()


# --- not on record ---------------------------------------------------------------------


def _ask_data(catalogue, **overrides):
    data = {
        "token": str(uuid.uuid4()),
        "email": "new@example.org",
        "meeting_description": "Tuesday group at the Hope Centre, Leeds",
        f"qty_{catalogue['leaflet'].pk}": "50",
        "contact_name": "Sam New",
        "address_line_1": "1 Park Row",
        "town": "Leeds",
        "postcode": "LS1 5HD",
    }
    data.update(overrides)
    return data


def test_someone_not_on_record_can_ask_and_waits_for_verification(client, on_commit, catalogue):
    data = _ask_data(catalogue)
    with on_commit():
        response = client.post("/materials/request/ask/", data, follow=True)
    assert "staff will check your details first" in response.content.decode()
    client.post("/materials/request/ask/", data)  # double submit
    dispatch = Dispatch.objects.get()
    assert dispatch.status == Status.AWAITING_VERIFICATION and dispatch.person is None
    assert mail.outbox[-1].to == ["new@example.org"]
    assert dispatch.short_ref in mail.outbox[-1].body
    assert "staff will check the details" in mail.outbox[-1].body


def test_invalid_asks_do_not_count_towards_the_limit(client, settings, catalogue):
    settings.MATERIALS_ANON_RATE_LIMIT = 2
    statuses = [client.post("/materials/request/ask/", {}).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 200]
    assert client.post("/materials/request/ask/", _ask_data(catalogue)).status_code == 302


def test_asks_are_limited_per_e_mail_and_address(client, settings, catalogue):
    settings.MATERIALS_ANON_RATE_LIMIT = 2
    statuses = [
        client.post("/materials/request/ask/", _ask_data(catalogue)).status_code for _ in range(3)
    ]
    assert statuses == [302, 302, 429]
    assert Dispatch.objects.count() == 2
    # A colleague on the same shared connection asks for the first time.
    colleague = client.post(
        "/materials/request/ask/", _ask_data(catalogue, email="kim@example.org")
    )
    assert colleague.status_code == 302
    assert Dispatch.objects.count() == 3
