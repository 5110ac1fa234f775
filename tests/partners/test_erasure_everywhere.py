"""Erasure leaves no trace: a person who appears everywhere is erased, then every
text column of every table (history tables and third-party ones included) is
searched for their name, e-mail and phone; their sessions are ended, the public
feeds rebuilt, and the erasure reports what it removed."""

import datetime
import io
import json

import pytest
from axes.models import AccessAttempt, AccessLog
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db import models
from django.db.models import Q
from django.db.models.functions import Cast
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice
from pypdf import PdfReader

from materials.models import Dispatch
from meetings import services as meetings_services
from meetings.models import Meeting
from partners import personal_data
from partners.models import Person
from smartnet.roles import Role
from tests.factories import PASSWORD, AffiliationFactory, PersonFactory, UserFactory
from tests.materials.factories import make_dispatch, make_item
from tests.meetings.factories import make_meeting
from tests.training.factories import make_trained_facilitator
from training.models import ImportJob, ImportRejection

pytestmark = pytest.mark.django_db

FIRST, LAST = "Kirsty", "Thomas"
FULL = f"{FIRST} {LAST}"
EMAIL = "kirsty.thomas@example.org"
PHONE = "07700 900456"
# Spellings of the same details that staff type into free text.
REGION_PDF = "/meetings/regions/north-west.pdf"
NEEDLES = [FULL, "thomas, kirsty", EMAIL, PHONE, "07700900456", "+44 7700 900456"]


def _rows_holding(needle: str) -> list[str]:
    """Every (model.field) of every table whose text holds ``needle``."""
    found = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if not isinstance(field, models.CharField | models.TextField | models.JSONField):
                continue
            rows = model._base_manager.all()
            column = field.attname
            if isinstance(field, models.JSONField):
                rows = rows.annotate(_as_text=Cast(field.attname, models.TextField()))
                column = "_as_text"
            if rows.filter(Q(**{f"{column}__icontains": needle})).exists():
                found.append(f"{model._meta.label}.{field.name}")
    return found


@pytest.fixture
def everywhere(client, django_capture_on_commit_callbacks):
    user = UserFactory(email=EMAIL, full_name=FULL, role=Role.FACILITATOR)
    kirsty = PersonFactory(first_name=FIRST, last_name=LAST, email=EMAIL, phone=PHONE, user=user)
    AffiliationFactory(person=kirsty)
    other = PersonFactory(first_name="Aisha", last_name="Young")
    # Trained, so the peer-led change to her below is a valid one.
    make_trained_facilitator(other, completed_on=datetime.date(2023, 6, 1))
    # Signed in (a sign-in log row and a session), then a failed attempt elsewhere.
    assert (
        client.post("/accounts/login/", {"username": EMAIL, "password": PASSWORD}).status_code
        == 302
    )
    Client().post("/accounts/login/", {"username": EMAIL, "password": "wrong"})
    TOTPDevice.objects.create(user=user, name=f"{FULL}'s phone", confirmed=False)
    # A meeting whose notes were written about her, then edited (two history rows).
    meeting = make_meeting(
        started_on=datetime.date(2024, 1, 8),
        facilitators=[kirsty, other],
        name=f"{FULL}'s Tuesday group",
        slug="tuesday-group",
        notes=f"Facilitated by {FULL} and Aisha Young.",
    )
    meetings_services.meeting_update(
        meeting=meeting,
        notes=f"Facilitated by {FULL} and Aisha Young. Ask {FIRST.upper()} {LAST.upper()} "
        f"({EMAIL}, {PHONE}) at the door.",
        directions="Side door; ring 07700900456.",
    )
    meetings_services.proposal_leadership_change(
        organisation=meeting.host,
        meeting=meeting,
        kind="peer_led",
        start_date=datetime.date(2025, 3, 3),
        facilitators=[other],
        note=f"{FULL} ({EMAIL}, +44 7700 900456) takes over, she is in recovery",
    )
    # She proposed a change herself, as a facilitator, naming herself in it.
    meetings_services.proposal_change(
        organisation=meeting.host,
        meeting=meeting,
        changes={"directions": f"Side door; ask for {FULL} at reception."},
        note=f"{FULL} writing: the side door from March",
        by=user,
    )
    # A Moodle import row of hers that was rejected.
    job = ImportJob.objects.create(original_name="moodle.csv", file="training/imports/x.csv")
    ImportRejection.objects.create(
        job=job,
        line=4,
        reason=f"e-mail address {EMAIL!r} is not valid",
        excerpt=f"Thomas, Kirsty,{EMAIL},intro,2024-02-01",
    )
    # A request made at the ask form (no person linked), and one of her own parcels.
    poster = make_item("poster", stock=10)
    asked = make_dispatch({poster: 2}, contact_email=EMAIL.upper(), contact_name=FULL)
    Dispatch.objects.filter(pk=asked.pk).update(person=None, note=f"Call me on {PHONE}")
    make_dispatch({poster: 1}, person=kirsty, contact_email=EMAIL)
    # Staff edited her in the admin.
    LogEntry.objects.create(
        user=UserFactory(role=Role.STAFF_ADMIN),
        content_type=ContentType.objects.get_for_model(Person),
        object_id=str(kirsty.pk),
        object_repr=FULL,
        action_flag=CHANGE,
        change_message=json.dumps([{"changed": {"fields": ["email"]}}, {"note": EMAIL}]),
    )
    # The public outputs, cached now with her name cut to an initial.
    for url in (
        "/meetings/feed.json",
        "/meetings/calendar.ics",
        "/meetings/regions/north-west.pdf",
    ):
        response = client.get(url)
        assert response.status_code == 200
        response.getvalue()  # a streamed feed is cached once read to its end
    return kirsty, user, meeting


def test_every_place_holds_her_before_the_erasure(everywhere):
    """The test's premise: each needle is found somewhere before the erasure."""
    places = {place for needle in NEEDLES for place in _rows_holding(needle)}
    for expected in (
        "meetings.Meeting.notes",
        "meetings.HistoricalMeeting.notes",
        "meetings.Proposal.note",
        "meetings.Proposal.changes",
        "training.ImportRejection.excerpt",
        "materials.Dispatch.contact_email",
        "axes.AccessLog.username",
        "axes.AccessAttempt.username",
        "admin.LogEntry.object_repr",
        "smartnet.User.email",
    ):
        assert expected in places


def test_erasure_leaves_no_trace_in_any_table(
    client, everywhere, django_capture_on_commit_callbacks
):
    kirsty, user, meeting = everywhere
    assert Session.objects.count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        report = personal_data.person_erase(person_id=kirsty.pk)

    for needle in NEEDLES:
        assert _rows_holding(needle) == [], needle
    # Her session is gone: the client is signed out.
    assert not any(
        s.get_decoded().get("_auth_user_id") == str(user.pk) for s in Session.objects.all()
    )
    assert not AccessLog.objects.exists() and not AccessAttempt.objects.exists()
    assert not TOTPDevice.objects.filter(user=user).exists()
    # Staff-written text keeps its shape, with a neutral marker.
    meeting.refresh_from_db()
    assert meeting.notes.startswith(
        "Facilitated by [erased] and Aisha Young. Ask [erased] ([erased]"
    )
    # Both parcels lost who and where; the ask-form one was found by e-mail.
    assert set(Dispatch.objects.values_list("contact_name", "contact_email")) == {("Erased", "")}
    # What was removed, per place.
    removed = report.removed
    assert removed["materials: parcels and requests"] == 2
    assert removed["training: Moodle import rows"] == 1
    assert removed["sign-in: sign-in log"] == 1 and removed["sign-in: failed sign-ins"] == 1
    assert removed["sign-in: sessions"] == 1
    assert removed["text in meetings.HistoricalMeeting.notes"] >= 2  # every old version
    assert removed["text in meetings.Proposal.note"] == 2
    assert removed["text in meetings.Proposal.changes"] == 1


def test_the_public_outputs_are_rebuilt_without_her(
    client, everywhere, django_capture_on_commit_callbacks
):
    kirsty, _user, _meeting = everywhere
    with django_capture_on_commit_callbacks(execute=True):
        personal_data.person_erase(person_id=kirsty.pk)
    feed = client.get("/meetings/feed.json").getvalue().decode()
    calendar = client.get("/meetings/calendar.ics").content.decode().replace("\r\n ", "")
    pdf = client.get(REGION_PDF).content
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    for output in (feed, calendar, " ".join(text.split())):
        # Rebuilt (not the cached copy, which read "Kirsty T."), and her name is gone.
        assert LAST not in output and "Kirsty T." not in output
        assert "[erased]'s Tuesday group" in output


def test_the_erase_page_reports_what_was_removed(client, everywhere):
    kirsty, _user, _meeting = everywhere
    admin = UserFactory(role=Role.STAFF_ADMIN)
    client.force_login(admin)
    response = client.post(
        f"/staff/partners/people/{kirsty.pk}/erase/",
        {"confirm": "erase", "confirmed": "yes"},
        follow=True,
    )
    page = response.content.decode()
    assert "has been erased" in page
    assert "materials: parcels and requests: 2" in page
    assert "text in meetings.Meeting.notes: 1" in page
    assert Meeting.objects.filter(notes__icontains=LAST).count() == 0
