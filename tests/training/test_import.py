"""Moodle import: both layouts, encodings, idempotence, every bad input."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partners.models import Person
from smartnet.roles import Role
from tests.factories import UserFactory
from tests.training.conftest import fixture_bytes
from training import selectors, services
from training.models import Completion, ImportJob, ImportStatus, PossibleMatch, Source
from training.signals import facilitator_trained

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def run_import(django_capture_on_commit_callbacks):
    def run(data: bytes, *, name="export.csv", course=None) -> ImportJob:
        with django_capture_on_commit_callbacks(execute=True):
            job = services.import_create(name=name, data=data, course=course)
        job.refresh_from_db()
        return job

    return run


def rejections(job):
    return [(r.line, r.reason) for r in job.rejections.all()]


def test_long_report_builder_export(moodle_world, run_import):
    received = []
    facilitator_trained.connect(lambda sender, **kw: received.append(kw["person_id"]), weak=False)
    job = run_import(fixture_bytes("moodle_long.csv"))
    people = moodle_world["people"]
    assert job.status == ImportStatus.DONE
    assert job.layout == "long"
    assert (job.total_rows, job.processed_rows) == (12, 12)
    assert (job.created_count, job.already_count, job.rejected_count, job.skipped_count) == (
        7,
        0,
        4,
        1,
    )
    got = rejections(job)
    assert [line for line, _ in got] == [6, 7, 8, 9]
    assert "unknown course 'SRUK-XYZ'" in got[0][1]
    assert "e-mail address 'dave(at)alpha.example' is not valid" in got[1][1]
    assert "01/01/2099 is in the future" in got[2][1]
    assert "only for staff of a partner with an active agreement" in got[3][1]
    assert "Nowhere Trust" in got[3][1]
    # Ian is new to the directory, on the open course: added, marked new from Moodle.
    ian = Person.objects.get(email="ian.unknown@elsewhere.example")
    assert (ian.first_name, ian.last_name, ian.source) == ("Ian", "Unknown", "moodle")
    assert ian.training_profile.moodle_username == "iunknown"
    assert job.new_people_count == 1
    alice = Completion.objects.get(person=people["alice"])
    assert (alice.completed_on, alice.score, alice.source) == (
        D(2014, 3, 5),
        Decimal("85.00"),
        Source.MOODLE,
    )
    assert alice.champion_organisation == moodle_world["alpha"]
    # 23:30 UTC on 30 June is 00:30 on 1 July in London; e-mail matched without case.
    assert Completion.objects.get(person=people["carol"]).completed_on == D(2014, 7, 1)
    # Matched on the Moodle ID number when there is no e-mail.
    assert Completion.objects.get(person=people["dev"]).course == moodle_world["intro"]
    assert Completion.objects.get(person=people["zoe"]).score == Decimal("85.00")
    assert selectors.is_trained_facilitator(person_id=people["pat"].pk)
    assert selectors.champion_count(on=D(2014, 12, 31)) == 2
    assert people["pat"].pk in received


def test_same_file_twice_adds_nothing(moodle_world, run_import):
    first = run_import(fixture_bytes("moodle_long.csv"))
    second = run_import(fixture_bytes("moodle_long.csv"))
    assert first.created_count == 7
    assert (second.created_count, second.already_count, second.new_people_count) == (0, 7, 0)
    assert Completion.objects.count() == 7
    assert Person.objects.filter(source="moodle").count() == 1


def test_the_task_run_twice_imports_once(moodle_world, run_import):
    job = run_import(fixture_bytes("moodle_long.csv"))
    again = services.import_run(job_id=job.pk)
    assert again.created_count == 7
    assert Completion.objects.count() == 7


def test_wide_course_completion_report(moodle_world, run_import):
    job = run_import(fixture_bytes("moodle_wide.csv"), course=moodle_world["facilitator"])
    people = moodle_world["people"]
    assert job.layout == "wide"
    assert (job.created_count, job.rejected_count, job.skipped_count) == (4, 1, 1)
    assert rejections(job) == [(5, "says completed but gives no completion date")]
    days = dict(Completion.objects.values_list("person__first_name", "completed_on"))
    assert days == {
        "Pat": D(2014, 3, 6),
        "Quinn": D(2014, 3, 7),
        "Tom": D(2014, 3, 7),
        "Uma": days["Uma"],
    }
    # Uma is new to the directory on the facilitator course: a peer by definition.
    uma = Person.objects.get(email="uma@example.org")
    assert uma.source == "moodle" and uma.training_profile.is_peer
    assert selectors.trained_facilitator_ids() == {
        people["pat"].pk,
        people["quinn"].pk,
        people["tom"].pk,
        uma.pk,
    }


def test_wide_report_needs_a_course(moodle_world):
    with pytest.raises(ValidationError) as exc:
        services.import_create(name="x.csv", data=fixture_bytes("moodle_wide.csv"))
    assert "choose the course" in exc.value.message_dict["course"][0]
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize(
    "encode",
    [
        pytest.param(lambda t: t.encode("utf-8"), id="utf-8"),
        pytest.param(lambda t: b"\xef\xbb\xbf" + t.encode("utf-8"), id="utf-8-bom"),
        pytest.param(lambda t: t.replace("\n", "\r\n").encode("cp1252"), id="excel-cp1252-crlf"),
        pytest.param(lambda t: t.encode("utf-16"), id="utf-16-bom"),
    ],
)
def test_encodings(moodle_world, run_import, encode):
    text = fixture_bytes("moodle_long.csv").decode("utf-8")
    job = run_import(encode(text))
    assert job.created_count == 7
    assert job.rejected_count == 4


def test_semicolon_delimited_excel_export(moodle_world, run_import):
    rows = list(csv.reader(io.StringIO(fixture_bytes("moodle_wide.csv").decode())))
    out = io.StringIO()
    csv.writer(out, delimiter=";").writerows(rows)
    job = run_import(out.getvalue().encode("utf-8"), course=moodle_world["facilitator"])
    assert job.created_count == 4


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty (0 bytes)."),
        (b"PK\x03\x04" + b"\x00" * 100, "Excel workbook (.xlsx), not CSV"),
        (b"%PDF-1.4 ...", "This is a PDF"),
        (b"\x00\x01\x02binary", "not a CSV file"),
        (b"just some words\nand more words\n", "header row has only one column"),
        (
            b"First name,Surname,Course\nA,B,C\n",
            "missing e-mail address (or ID number), course short name, time completed",
        ),
    ],
)
def test_whole_file_refusals_say_why_and_store_nothing(moodle_world, data, message):
    with pytest.raises(ValidationError) as exc:
        services.import_create(name="bad.csv", data=data)
    assert message in exc.value.message_dict["file"][0]
    assert not ImportJob.objects.exists()
    assert not Completion.objects.exists()


def test_file_over_the_size_limit_is_refused(moodle_world, settings):
    settings.TRAINING_IMPORT_MAX_BYTES = 100
    with pytest.raises(ValidationError) as exc:
        services.import_create(name="big.csv", data=fixture_bytes("moodle_long.csv"))
    assert "the limit is" in exc.value.message_dict["file"][0]


def test_bad_grade_and_bad_date_are_rejected_per_row(moodle_world, run_import):
    data = (
        b"Email address,Course short name,Time completed,Grade\n"
        b"bob.bramley@alpha.example,SRUK-INTRO,31/02/2014,\n"
        b"bob.bramley@alpha.example,SRUK-INTRO,2014-02-10,excellent\n"
        b"bob.bramley@alpha.example,SRUK-INTRO,2014-02-11,50\n"
    )
    job = run_import(data)
    assert job.created_count == 1
    reasons = rejections(job)
    assert reasons[0][0] == 2 and "'31/02/2014' is not a date" in reasons[0][1]
    assert reasons[1] == (3, "grade 'excellent' is not a number")


def test_batches_commit_and_count_progress(moodle_world, run_import, settings):
    settings.TRAINING_IMPORT_BATCH_ROWS = 5
    job = run_import(fixture_bytes("moodle_long.csv"))
    assert (job.processed_rows, job.created_count, job.rejected_count) == (12, 7, 4)
    assert job.percent == 100


def test_management_command(moodle_world, tmp_path, capsys):
    path = tmp_path / "export.csv"
    path.write_bytes(fixture_bytes("moodle_long.csv"))
    call_command("import_moodle", str(path))
    out = capsys.readouterr().out
    assert "7 completions added" in out
    assert "line 6: unknown course 'SRUK-XYZ'" in out
    assert Completion.objects.count() == 7


def test_management_command_wide_needs_course(moodle_world, tmp_path):

    path = tmp_path / "wide.csv"
    path.write_bytes(fixture_bytes("moodle_wide.csv"))
    with pytest.raises(CommandError, match="choose the course"):
        call_command("import_moodle", str(path))
    call_command("import_moodle", str(path), "--course", "facilitator")
    assert Completion.objects.count() == 4


def test_queries_do_not_grow_with_rows(moodle_world):
    """Bulk checks and inserts: the same number of queries for 9 rows as for 36."""

    emails = [p.email for p in moodle_world["people"].values()]

    def export(copies: int) -> bytes:
        lines = ["Email address,Course short name,Time completed"]
        for i in range(copies):
            for email in emails[:9]:
                lines.append(f"{email},SRUK-INTRO,2014-0{1 + i % 2}-1{i}")
        return ("\n".join(lines) + "\n").encode()

    counts = []
    for copies in (1, 4):
        job = services.import_prepare(name="q.csv", data=export(copies))
        with CaptureQueriesContext(connection) as ctx:
            job = services.import_run(job_id=job.pk)
        assert job.created_count + job.already_count == 9 * copies
        counts.append(len(ctx.captured_queries))
    # One partner-list query per distinct completion date is all that may grow.
    assert counts[1] - counts[0] <= 3


NEW_LEARNERS = (
    b"User ID,First name,Surname,Email address,Username,ID number,Course short name,"
    b"Time completed\n"
    b"9001,Nia,Newton,nia.newton@example.org,nnewton,M-9001,SRUK-INTRO,2014-03-05\n"
    b"9001,Nia,Newton,nia.newton@example.org,nnewton,M-9001,SRUK-FAC,2014-03-06\n"
    b"9002,Alice,Ashworth,alice.home@example.net,aash2,,SRUK-INTRO,2014-03-05\n"
    b"9003,Gil,Gone,gil.gone@example.org,ggone,,SRUK-CHAMP,2014-03-05\n"
    b"9004,,,noname@example.org,noname,,SRUK-INTRO,2014-03-05\n"
)


@pytest.fixture
def ashworth(moodle_world):
    """Alice of the directory is Alice Ashworth (the factory's surname is random)."""
    alice = moodle_world["people"]["alice"]
    Person.objects.filter(pk=alice.pk).update(last_name="Ashworth")
    return moodle_world


def test_new_learners_possible_matches_and_refusals(ashworth, run_import):
    moodle_world = ashworth
    job = run_import(NEW_LEARNERS)
    assert job.new_people_count == 2 and job.created_count == 3
    nia = Person.objects.get(email="nia.newton@example.org")
    profile = nia.training_profile
    assert (nia.source, nia.reviewed_at) == ("moodle", None)
    assert (profile.moodle_user_id, profile.moodle_username, profile.moodle_idnumber) == (
        9001,
        "nnewton",
        "M-9001",
    )
    assert profile.is_peer  # took the facilitator course, free to peers
    assert nia.completions.count() == 2
    # Each new person has its "created" history record, as the staff screens write.
    (created,) = nia.history.all()
    assert (created.history_type, created.first_name, created.email, created.source) == (
        "+",
        "Nia",
        "nia.newton@example.org",
        "moodle",
    )
    assert created.history_date is not None and created.history_user is None
    assert nia.created_at is not None
    # A name match with another e-mail is listed, not guessed.
    home = Person.objects.get(email="alice.home@example.net")
    (match,) = PossibleMatch.objects.all()
    assert (match.person, match.candidate) == (home, moodle_world["people"]["alice"])
    reasons = dict(rejections(job))
    assert "only for staff of a partner with an active agreement" in reasons[5]
    assert "no first and last name" in reasons[6]
    assert not Person.objects.filter(email="gil.gone@example.org").exists()
    # Importing it again adds nothing.
    again = run_import(NEW_LEARNERS)
    assert (again.created_count, again.new_people_count, again.already_count) == (0, 0, 3)
    assert Person.objects.filter(source="moodle").count() == 2
    assert PossibleMatch.objects.count() == 1


def test_staff_merge_a_possible_match_keeping_the_completion(ashworth, run_import, client):
    moodle_world = ashworth
    run_import(NEW_LEARNERS)
    match = PossibleMatch.objects.get()
    alice = moodle_world["people"]["alice"]
    client.force_login(UserFactory(role=Role.TRAINING))
    page = client.get("/staff/training/matches/")
    assert b"alice.home@example.net" in page.content
    client.post(f"/staff/training/matches/{match.pk}/decide/", {"decision": "merge"})
    assert not Person.objects.filter(email="alice.home@example.net").exists()
    assert alice.completions.filter(course=moodle_world["intro"]).exists()
    assert not PossibleMatch.objects.exists()


def test_staff_confirm_different_people(ashworth, run_import):
    run_import(NEW_LEARNERS)
    match = PossibleMatch.objects.get()
    services.possible_match_decide(match=match, decision="different", by=None)
    match.refresh_from_db()
    assert match.decision == "different"
    assert Person.objects.get(email="alice.home@example.net").reviewed_at is not None
    with pytest.raises(ValidationError):
        services.possible_match_decide(match=match, decision="merge", by=None)
