"""Training screens: what each role sees, query budgets, the import page, certificates."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from materials import services as materials_services
from partners.models import AffiliationRole
from tests.factories import (
    AffiliationFactory,
    AreaFactory,
    OrganisationFactory,
    PersonFactory,
    SiteFactory,
)
from tests.materials.factories import make_dispatch, make_item
from tests.partners.factories import make_partner
from tests.training.conftest import fixture_bytes
from tests.training.factories import champion_course, intro_course, make_peer
from training import services
from training.models import Completion, ImportJob, ImportStatus, TrainingEvent
from training.selectors import champion_count

pytestmark = pytest.mark.django_db

D = datetime.date


def login(client, world, role):
    client.force_login(world.users[role])
    return client


def staff_member(org, **kw):
    return AffiliationFactory(
        organisation=org, role=AffiliationRole.STAFF, start_date=D(2013, 1, 1), **kw
    ).person


@pytest.fixture
def partner_a(world):
    make_partner(world.org_a, signed_on=D(2013, 12, 1), start=D(2014, 1, 1), end=D(2016, 12, 31))
    return world.org_a


JUNE_2014 = D(2014, 6, 1)


def make_champions(org, n, *, on=JUNE_2014):
    course = champion_course()
    for _ in range(n):
        services.completion_record(person=staff_member(org), course=course, completed_on=on)


# --- Peers are health data ------------------------------------------------------------


def test_peers_are_hidden_from_staff_roles_that_do_not_need_them(client, world):
    peer = make_peer(first_name="Petra", last_name="Peer")
    for role in ("finance", "materials"):
        response = login(client, world, role).get("/staff/training/people/?q=Petra")
        assert "Petra Peer" not in response.content.decode()
        assert client.get(f"/staff/training/people/{peer.pk}/").status_code == 404
    response = login(client, world, "training").get("/staff/training/people/?q=Petra")
    assert "Petra Peer" in response.content.decode()
    detail = client.get(f"/staff/training/people/{peer.pk}/").content.decode()
    assert "Peer (in recovery)" in detail


def test_peer_flag_not_editable_by_roles_that_cannot_see_it(client, world):
    person = PersonFactory()
    login(client, world, "staff_admin")
    response = client.post(
        f"/staff/training/people/{person.pk}/profile/",
        {"is_peer": "on", "consent_to_contact": "on", "postcode": "m1 1aa", "town": "Manchester"},
    )
    assert response.status_code == 302
    assert person.training_profile.is_peer
    assert person.training_profile.postcode == "M1 1AA"


def test_profile_bad_postcode_names_the_field(client, world):
    person = PersonFactory()
    response = login(client, world, "training").post(
        f"/staff/training/people/{person.pk}/profile/", {"postcode": "ZZ9 9ZZZ"}
    )
    assert response.status_code == 200
    assert "Enter a UK postcode" in response.content.decode()


# --- Person page ------------------------------------------------------------------------


def test_person_page_shows_affiliations_and_completions(client, world, partner_a):
    person = staff_member(partner_a, person__first_name="Cara", person__last_name="Champ")
    services.completion_record(person=person, course=champion_course(), completed_on=D(2014, 6, 1))
    html = login(client, world, "finance").get(f"/staff/training/people/{person.pk}/").content
    html = html.decode()
    assert "Alpha Recovery" in html
    assert "SMART Recovery Champion" in html
    assert "Champion at Alpha Recovery" in html
    assert "Peer (in recovery)" not in html  # finance does not see peer status


def test_manual_completion_refused_for_non_partner_staff_with_reason(client, world):
    person = staff_member(OrganisationFactory(name="Outside Org"))
    course = champion_course()
    response = login(client, world, "training").post(
        f"/staff/training/people/{person.pk}/completions/",
        {"completion-course": course.pk, "completion-completed_on": "2014-06-01"},
    )
    assert response.status_code == 400
    assert "Outside Org" in response.content.decode()
    assert not Completion.objects.exists()


def test_enrol_and_record_through_the_person_page(client, world, partner_a):
    person = staff_member(partner_a)
    login(client, world, "training")
    response = client.post(
        f"/staff/training/people/{person.pk}/completions/",
        {"completion-course": intro_course().pk, "completion-completed_on": "2014-06-01"},
    )
    assert response.status_code == 302
    assert Completion.objects.filter(person=person).count() == 1


# --- Champion register ------------------------------------------------------------------


def test_champion_register_query_count_is_fixed(
    client, world, partner_a, django_assert_num_queries
):
    login(client, world, "training")
    make_champions(partner_a, 3)
    client.get("/staff/training/champions/")  # warm the session
    # Session, user, regions, count, page of entries, their completions.
    with django_assert_num_queries(6):
        small = client.get("/staff/training/champions/")
    make_champions(partner_a, 60)
    with django_assert_num_queries(6):
        large = client.get("/staff/training/champions/")
    assert "3 Champions" in small.content.decode()
    assert "63 Champions" in large.content.decode()


def test_champion_register_filters(client, world, partner_a):
    north = AreaFactory(region="North East")
    SiteFactory(organisation=partner_a, area=north)
    other = make_partner(signed_on=D(2013, 1, 1), start=D(2014, 1, 1)).organisation
    make_champions(partner_a, 2, on=D(2014, 3, 1))
    make_champions(other, 1, on=D(2014, 9, 1))
    login(client, world, "training")

    def count(query):
        return client.get("/staff/training/champions/" + query).context["page_obj"].paginator.count

    assert count("") == 3
    assert count(f"?organisation={partner_a.pk}") == 2
    assert count(f"?partner={partner_a.name[2:7].lower()}") == 2
    assert count("?partner=no+such+partner") == 0
    shown = client.get(f"/staff/training/champions/?organisation={other.pk}").content.decode()
    assert f"Only Champions trained at {other.name}" in shown
    assert f'type="hidden" name="organisation" value="{other.pk}"' in shown
    assert count("?region=North+East") == 2
    assert count("?start=2014-06-01") == 1
    assert count("?end=2014-06-01") == 2
    bad = client.get("/staff/training/champions/?start=2014-06-01&end=2014-01-01")
    assert "The end date must be on or after the start date." in bad.content.decode()


def test_champion_counted_once_with_refresher_and_csv(client, world, partner_a):
    person = staff_member(partner_a, person__first_name="Rae", person__email="rae@a.example")
    course = champion_course()
    services.completion_record(person=person, course=course, completed_on=D(2014, 3, 1))
    services.completion_record(person=person, course=course, completed_on=D(2016, 3, 1))
    response = login(client, world, "finance").get("/staff/training/champions.csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = body.strip().splitlines()
    assert lines[0] == "name,email,organisation,course,completed_on,certificate_number"
    assert len(lines) == 2
    assert "rae@a.example,Alpha Recovery,SMART Recovery Champion,2014-03-01" in lines[1]


def test_non_partner_staff_are_never_champions(world):

    person = staff_member(OrganisationFactory())
    services.completion_record(person=person, course=intro_course(), completed_on=D(2014, 3, 1))
    assert champion_count(on=D(2020, 1, 1)) == 0


# --- Staff mobility ---------------------------------------------------------------------


def test_mobility_report(client, world, partner_a):
    person = staff_member(partner_a, person__first_name="Mo", end_date=D(2014, 12, 31))
    services.completion_record(person=person, course=champion_course(), completed_on=D(2014, 6, 1))
    newcomer = OrganisationFactory(name="Newcomer Care")
    AffiliationFactory(person=person, organisation=newcomer, start_date=D(2015, 1, 5))
    make_partner(newcomer, signed_on=D(2015, 9, 1), start=D(2015, 10, 1))
    stayer = staff_member(partner_a)
    services.completion_record(person=stayer, course=champion_course(), completed_on=D(2014, 6, 1))
    response = login(client, world, "training").get("/staff/training/mobility/")
    moves = response.context["moves"]
    assert [(m["person"], m["moved_to"], m["signed_after_joining"]) for m in moves] == [
        (person, newcomer, True)
    ]
    assert [e["organisation"] for e in response.context["signed_after"]] == [newcomer]
    assert "Newcomer Care" in response.content.decode()


# --- Portal -------------------------------------------------------------------------------


def test_portal_shows_own_current_staff_never_others_or_peers(client, world, partner_a):
    own = staff_member(partner_a, person__first_name="Olive", person__last_name="Own")
    services.completion_record(person=own, course=champion_course(), completed_on=D(2014, 6, 1))
    former = staff_member(
        partner_a, person__first_name="Fionnuala-Former", end_date=D(2014, 12, 31)
    )
    volunteer = AffiliationFactory(
        organisation=partner_a, role=AffiliationRole.VOLUNTEER, person__first_name="Volunteer-Vesna"
    ).person
    make_peer(volunteer)
    other = staff_member(world.org_b, person__first_name="Oscar-Other")
    html = login(client, world, "partner_contact").get("/portal/training/").content.decode()
    assert "Olive Own" in html and "SMART Recovery Champion" in html
    assert "Champions (1)" in html
    for name in (former.first_name, volunteer.first_name, other.first_name):
        assert name not in html
    assert "in recovery" not in html.lower()


def test_portal_query_count_is_fixed(client, world, partner_a, django_assert_num_queries):
    login(client, world, "partner_contact")
    make_champions(partner_a, 2)
    client.get("/portal/training/")
    with django_assert_num_queries(7):
        client.get("/portal/training/")
    make_champions(partner_a, 30)
    with django_assert_num_queries(7):
        client.get("/portal/training/")


# --- Certificates -----------------------------------------------------------------------


def test_certificate_pdf_and_public_check(client, world, partner_a):
    person = staff_member(
        partner_a,
        person__first_name="Grace",
        person__last_name="Hopper",
        person__email="grace@alpha.example",
    )
    completion = services.completion_record(
        person=person, course=champion_course(), completed_on=D(2014, 6, 1)
    )
    response = login(client, world, "training").get(
        f"/staff/training/completions/{completion.pk}/certificate.pdf"
    )
    assert response["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    for expected in ("Grace Hopper", "SMART Recovery Champion", "1 June 2014"):
        assert expected in text
    assert completion.verification_code in text
    client.logout()
    page = client.get(f"/training/certificates/{completion.verification_code}/")
    html = page.content.decode()
    assert "Grace Hopper" in html and "SMART Recovery Champion" in html and "1 June 2014" in html
    assert "grace@alpha.example" not in html and "Alpha Recovery" not in html
    assert completion.certificate_number not in html
    lookup = client.get("/training/certificates/", {"code": completion.verification_code.lower()})
    assert lookup["Location"] == f"/training/certificates/{completion.verification_code}/"
    assert client.get("/training/certificates/NOSUCHCODE99/").status_code == 404


# --- Import page ----------------------------------------------------------------------------


def upload(client, data, name="export.csv", **extra):
    return client.post(
        "/staff/training/imports/", {"file": SimpleUploadedFile(name, data), **extra}
    )


def test_import_page_upload_shows_result_and_rejected_rows(
    client, world, moodle_world, django_capture_on_commit_callbacks
):
    login(client, world, "training")
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, fixture_bytes("moodle_long.csv"))
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert response["Location"] == f"/staff/training/imports/{job.pk}/"
    html = client.get(response["Location"]).content.decode()
    assert "7 completions added (committed)" in html
    assert "4 rejected" in html
    assert "unknown course &#x27;SRUK-XYZ&#x27;" in html
    assert 'hx-trigger="every 1s"' not in html  # finished: no more polling
    csv_body = client.get(f"/staff/training/imports/{job.pk}/rejected.csv").content.decode()
    assert csv_body.splitlines()[1].startswith("6,unknown course")


def test_import_page_running_job_polls_and_reloads_without_js(client, world):
    job = ImportJob.objects.create(
        original_name="big.csv", status=ImportStatus.RUNNING, total_rows=1000, processed_rows=400
    )
    login(client, world, "training")
    html = client.get(f"/staff/training/imports/{job.pk}/").content.decode()
    assert 'hx-trigger="every 1s"' in html
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in html
    assert 'value="40"' in html and "400 of 1000 rows checked" in html
    fragment = client.get(f"/staff/training/imports/{job.pk}/", HTTP_HX_REQUEST="true")
    assert fragment.content.decode().lstrip().startswith('<div id="import-progress"')


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "empty.csv", "The file is empty"),
        (b"PK\x03\x04\x00\x00", "book.xlsx", "Excel workbook"),
        (b"Name,Colour\nA,Blue\n", "x.csv", "The columns do not match a Moodle completion export"),
    ],
)
def test_import_page_refuses_bad_files_with_a_message(client, world, data, name, message):
    response = upload(login(client, world, "training"), data, name)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ImportJob.objects.exists()


def test_import_page_refuses_files_over_the_limit(client, world, settings):
    settings.TRAINING_IMPORT_MAX_BYTES = 1024
    response = upload(login(client, world, "training"), b"a,b\n" * 1000)
    assert response.status_code == 400
    assert "the limit is" in response.content.decode()


def test_import_page_wide_report_needs_course(client, world, moodle_world):
    response = upload(login(client, world, "training"), fixture_bytes("moodle_wide.csv"))
    assert response.status_code == 400
    assert "This is Moodle&#x27;s course completion report" in response.content.decode()


# --- Events ---------------------------------------------------------------------------------


def test_event_create_book_and_attendance(client, world, partner_a):
    trainer = PersonFactory(email="trainer@example.org")
    attendee = staff_member(partner_a, person__email="amy@alpha.example")
    login(client, world, "training")
    response = client.post(
        "/staff/training/events/new/",
        {
            "course": intro_course().pk,
            "held_on": "2014-05-01",
            "venue": "Leeds hub",
            "capacity": 12,
            "trainer_emails": "trainer@example.org",
        },
    )
    event = TrainingEvent.objects.get()
    assert response["Location"] == f"/staff/training/events/{event.pk}/"
    assert list(event.trainers.all()) == [trainer]
    url = f"/staff/training/events/{event.pk}/"
    assert client.post(url + "book/", {"book-email": "amy@alpha.example"}).status_code == 302
    missing = client.post(url + "book/", {"book-email": "nobody@example.org"})
    assert missing.status_code == 400
    assert "No person in the directory has this e-mail." in missing.content.decode()
    client.post(url + "attendance/", {"attended": [str(attendee.pk)]})
    completion = Completion.objects.get()
    assert (completion.person, completion.completed_on, completion.event) == (
        attendee,
        D(2014, 5, 1),
        event,
    )


def test_finance_cannot_change_events(client, world):
    event = services.event_create(
        course=intro_course(), held_on=D(2014, 5, 1), venue="Hub", capacity=3
    )
    finance = login(client, world, "finance")
    url = f"/staff/training/events/{event.pk}/"
    assert finance.post(url + "book/", {"book-email": "x@example.org"}).status_code == 403
    assert finance.post(url + "attendance/", {"attended": []}).status_code == 403
    assert finance.post("/staff/training/events/new/", {"venue": "Hub"}).status_code == 403
    # The pages open to finance offer none of those forms.
    page = finance.get(url).content.decode()
    assert "/book/" not in page and "/attendance/" not in page
    assert "/events/new/" not in finance.get("/staff/training/events/").content.decode()


def test_person_page_lists_materials_sent_through_the_materials_selector(client, world):

    person = PersonFactory(first_name="Mo", last_name="Sent")
    poster = make_item("poster", stock=10, unit_cost="1.00")
    sent = make_dispatch({poster: 3}, person=person)
    materials_services.dispatch_pack(dispatch_id=sent.pk)
    materials_services.dispatch_send(dispatch_id=sent.pk, tracking_reference="T1")
    make_dispatch({poster: 1}, person=person, note="still waiting")  # approved, not sent

    html = login(client, world, "training").get(f"/staff/training/people/{person.pk}/")
    html = html.content.decode()
    assert "Materials sent" in html
    assert "3 x " in html and "(Dispatched) on " in html
    assert html.count("(Approved)") == 0

    empty = PersonFactory()
    html = client.get(f"/staff/training/people/{empty.pk}/").content.decode()
    assert "Materials sent" in html and "Nothing sent yet." in html


@pytest.mark.parametrize(
    ("role", "shown"), [("staff_admin", True), ("training", False), ("finance", False)]
)
def test_personal_data_link_only_for_staff_admin(client, world, role, shown):
    person = PersonFactory()
    html = login(client, world, role).get(f"/staff/training/people/{person.pk}/").content.decode()
    link = f'href="/staff/partners/people/{person.pk}/data/"'
    assert (link in html) is shown
    assert ("Personal data (export or erase)" in html) is shown
