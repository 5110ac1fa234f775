"""Bad input at scale: hypothesis throws arbitrary text and numbers at every
form a person fills in, at the importers, and at the site's POST views.

Properties: nothing but ValidationError escapes a form or an importer; an input
that is refused writes no row anywhere; no view answers 500 (the test client
re-raises a view's exception, so one would fail the test outright).
"""

import importlib
import inspect
import re
from datetime import date

import pytest
from django import forms
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from materials.models import Item
from meetings.forms import LeadershipForm
from meetings.postcodes import BadPostcodeFile, load_file
from partners.forms import AgreementForm
from partners.models import Person
from partners.services import areas_load
from smartnet.models import User
from tests.access import ANONYMOUS, all_cases
from tests.factories import PersonFactory
from tests.meetings.factories import make_meeting
from tests.trust.tried import TRIED
from training.models import Completion, ImportJob
from training.services import import_prepare, import_run

FAST = settings(
    max_examples=15,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Text a person (or a robot) might type: anything, numbers of every size and
# shape, dates in several formats, and the awkward edges.
EDGES = st.sampled_from(
    [
        "",
        " ",
        "0",
        "-1",
        "1e309",
        "NaN",
        "Infinity",
        "9" * 40,
        "-" + "9" * 25,
        "0.001",
        "1,000.00",
        "£12.50",
        "2024-02-30",
        "31/12/1999",
        "0000-00-00",
        "\x00",
        "'; DROP TABLE x; --",
        "<script>alert(1)</script>",
        "a" * 5000,
        "true",
        "on",
        "12:75",
        "x@y",
        "ÄÖÜ 🤝",
        # Digits that are not ASCII (isdigit() is true for each), and slashes.
        "²",
        "1,¹",
        "٣",
        "１２",
        "a/b",
    ]
)
VALUE = st.one_of(
    st.text(max_size=60),
    EDGES,
    st.integers().map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.dates().map(date.isoformat),
    st.floats().map(str),
)


# Django's ModelChoiceField passes any integer to the database; on SQLite an id
# past 64 bits makes the driver raise OverflowError (a 500; PostgreSQL just finds
# no row). test_model_choice_id_past_64_bits records that; the general fuzz keeps
# ids to the 64-bit range so it can find other defects.
ID_VALUE = st.one_of(
    st.text(max_size=30),
    EDGES.filter(lambda v: len(v) < 19),
    st.integers(-(2**63), 2**63 - 1).map(str),
)


def _value_for(field: forms.Field):
    """Mostly arbitrary text; sometimes one of the field's own choices, so
    that valid-looking data reaches the deeper checks too."""
    choices = []
    if isinstance(field, forms.ModelMultipleChoiceField):
        pks = [str(pk) for pk in field.queryset.values_list("pk", flat=True)[:5]]
        return st.lists(st.one_of(ID_VALUE, *([st.sampled_from(pks)] if pks else [])), max_size=3)
    if isinstance(field, forms.ModelChoiceField):
        pks = [str(pk) for pk in field.queryset.values_list("pk", flat=True)[:5]]
        return st.one_of(ID_VALUE, *([st.sampled_from(pks)] if pks else []))
    if isinstance(field, forms.ModelChoiceField):
        choices = [str(pk) for pk in field.queryset.values_list("pk", flat=True)[:5]]
    elif isinstance(field, forms.ChoiceField):
        choices = [str(k) for k, _ in field.choices if not isinstance(_, list | tuple)][:20]
    own = st.sampled_from(choices) if choices else VALUE
    if isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
        return st.lists(st.one_of(own, VALUE), max_size=3)
    return st.one_of(VALUE, own)


def _agreement_form(world, data):

    return AgreementForm(data=data, organisation=world.org_a), "sites"


def _leadership_form(world, data):

    return LeadershipForm(data=data, people=Person.objects.all()), "facilitators"


@pytest.mark.django_db
@pytest.mark.parametrize("make", [_agreement_form, _leadership_form])
def test_model_choice_id_past_64_bits_is_refused_cleanly(world, make):
    """An id past 64 bits is an invalid choice on every database (on SQLite the
    driver would raise OverflowError, a 500 the fuzz found; see
    smartnet.forms.IdMultipleChoiceField)."""
    form, field = make(world, {"sites": [str(2**63)], "facilitators": [str(2**63)]})
    assert not form.is_valid()
    assert field in form.errors


FORM_MODULES = [
    "partners.forms",
    "meetings.forms",
    "training.forms",
    "materials.forms",
    "board.forms",
]
AUDITED_APPS = ["smartnet", "partners", "meetings", "training", "materials", "board"]


def row_counts() -> tuple[int, ...]:
    """Rows in every table of the project's apps, read in one query."""

    tables = [
        connection.ops.quote_name(model._meta.db_table)
        for label in AUDITED_APPS
        for model in apps.get_app_config(label).get_models()
    ]
    with connection.cursor() as cursor:
        # Table names from the models, quoted: no outside text in this SQL.
        counts = ", ".join(f"(SELECT COUNT(*) FROM {t})" for t in tables)  # noqa: S608
        cursor.execute("SELECT " + counts)
        return tuple(cursor.fetchone())


def _form_kwargs(world):

    items = list(Item.objects.all()[:3])
    person = PersonFactory()
    # Hybrid: the change form offers both the venue and the joining boxes.
    meeting = make_meeting(
        host=world.org_a,
        started_on=date(2014, 1, 6),
        format="hybrid",
        conference_url="https://zoom.us/j/1",
    )
    return {
        "HeadCountForm": {"meeting": meeting},
        "ChangeProposalForm": {"meeting": meeting},
        "AgreementForm": {"organisation": world.org_a},
        "LeadershipForm": {"people": person.__class__.objects.all()},
        "LeadershipCorrectForm": {"people": person.__class__.objects.all()},
        "ProfileForm": {"can_see_peers": True},
        "RequestForm": {"person": person, "meetings": [], "items": items},
        "UnverifiedRequestForm": {"items": items},
        "StatementColumnsForm": {"header": ["Date", "Amount", "Reference"]},
        "_users": User.objects.all(),
    }


def _form_classes():

    found = []
    for module_name in FORM_MODULES:
        module = importlib.import_module(module_name)
        for name, obj in vars(module).items():
            if (
                inspect.isclass(obj)
                and issubclass(obj, forms.BaseForm)
                and obj.__module__ == module_name
                and name in vars(module)
                and not name.endswith("Mixin")
                and obj not in (forms.Form, forms.ModelForm)
            ):
                found.append(pytest.param(obj, id=f"{module_name.split('.')[0]}.{name}"))
    return found


FORM_CLASSES = _form_classes()


def test_every_form_module_has_forms_to_fuzz():
    # A module whose forms moved or were renamed must not silently drop out.
    modules = {p.id.split(".")[0] for p in FORM_CLASSES}
    assert modules == {m.split(".")[0] for m in FORM_MODULES}
    assert len(FORM_CLASSES) >= 30


@pytest.mark.django_db
@pytest.mark.parametrize("form_class", FORM_CLASSES)
def test_form_takes_any_input_without_crashing_or_writing(form_class, world):
    kwargs = _form_kwargs(world).get(form_class.__name__, {})
    fields = form_class(**kwargs).fields

    @FAST
    @given(data=st.fixed_dictionaries({name: _value_for(f) for name, f in fields.items()}))
    def check(data):
        TRIED["forms"] += 1
        before = row_counts()
        form = form_class(data=data, **kwargs)
        try:
            valid = form.is_valid()
        except ValidationError:
            valid = False
        if not valid:
            assert form.errors, "an invalid form must say why"
            assert row_counts() == before, "a refused input wrote rows"

    check()


# --- importers ---------------------------------------------------------------------------

MOODLE_HEADERS = st.sampled_from(
    [
        "Email address,Course short name,Time completed,Grade",
        "ID number;shortname;timecompleted",
        "Email\tCourse complete",
        "email,Course complete,Username",
        "",
        "nonsense",
    ]
)


@pytest.mark.django_db
@FAST
@given(
    header=MOODLE_HEADERS,
    rows=st.lists(st.lists(st.one_of(VALUE, st.emails()), max_size=5), max_size=8),
    sep=st.sampled_from([",", ";", "\t"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]),
    raw=st.one_of(st.none(), st.binary(max_size=200)),
)
def test_moodle_import_takes_any_file(header, rows, sep, encoding, raw):

    TRIED["moodle import"] += 1
    text = "\n".join([header, *(sep.join(r) for r in rows)])
    data = raw if raw is not None else text.encode(encoding, errors="replace")
    before = row_counts()
    try:
        with transaction.atomic():
            job = import_prepare(name="fuzz.csv", data=data)
    except ValidationError as exc:
        assert exc.message_dict, "a refused file must say why"
        assert row_counts() == before, "a refused file wrote rows"
        return
    completions = Completion.objects.count()
    job = import_run(job_id=job.pk, today=date(2025, 6, 1))
    job.refresh_from_db()
    assert job.status != "running", "an import must finish, well or badly"
    # A row is either imported or listed as rejected: never half of it.
    assert Completion.objects.count() >= completions
    assert ImportJob.objects.filter(pk=job.pk).exists()


@pytest.mark.django_db
@FAST
@given(
    header=st.sampled_from(
        ["ons_code,name,nation,region,population", "LAD24CD,LAD24NM", "", "name", "x,y,z"]
    ),
    rows=st.lists(st.lists(VALUE, max_size=6), max_size=6),
)
def test_areas_loader_is_all_or_nothing(header, rows):

    TRIED["areas CSV"] += 1
    text = "\n".join([header, *(",".join(r) for r in rows)])
    before = row_counts()
    try:
        areas_load(text=text)
    except ValidationError as exc:
        assert exc.message_dict
        assert row_counts() == before, "a refused areas file wrote rows"


@pytest.mark.django_db
@FAST
@given(
    header=st.sampled_from(
        ["pcds,lat,long", "pcd,lat,long,doterm", "postcode,latitude,longitude", "", "x"]
    ),
    rows=st.lists(st.lists(VALUE, max_size=5), max_size=6),
)
def test_postcode_loader_refuses_cleanly(header, rows, tmp_path_factory):

    TRIED["postcodes CSV"] += 1
    path = tmp_path_factory.mktemp("pc") / "pc.csv"
    path.write_text("\n".join([header, *(",".join(r) for r in rows)]), encoding="utf-8")
    before = row_counts()
    try:
        load_file(path)
    except (BadPostcodeFile, ValidationError):
        assert row_counts() == before, "a refused postcode file wrote rows"


# --- views ------------------------------------------------------------------------------

INPUT = re.compile(r"<(?:input|select|textarea)\b[^>]*\bname=\"([^\"]+)\"", re.I)
POST_FORM = re.compile(r"<form\b[^>]*method=\"post\"", re.I)
SKIP_NAMES = {"csrfmiddlewaretoken"}
# Views that send people away (sign-out) or are the sign-in form itself (axes
# lockout is tested elsewhere) are not useful targets.
SKIP_URLS = {"logout", "login"}

CASES = all_cases()


def _fuzz_posts(client, url: str, names: list[str]) -> None:
    @settings(
        max_examples=5,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(data=st.fixed_dictionaries({n: st.one_of(VALUE, st.just("")) for n in names}))
    def check(data):
        TRIED["view POSTs"] += 1
        response = client.post(url, data, HTTP_HX_REQUEST="true" if len(data) % 2 else "")
        assert response.status_code < 500, f"{url} answered {response.status_code} to {data!r}"

    check()


def _fuzz_page(client, world, case) -> bool:
    client.logout()
    visitor = sorted(case.allow)[0] if case.allow else ANONYMOUS
    if visitor != ANONYMOUS:
        client.force_login(world.users[visitor])
    url = case.url(world)
    page = client.get(url)
    if page.status_code != 200 or page.streaming:
        return False
    if "text/html" not in page.get("Content-Type", ""):
        return False
    body = page.content.decode("utf-8", "replace")
    if not POST_FORM.search(body):
        return False
    _fuzz_posts(client, url, sorted(set(INPUT.findall(body)) - SKIP_NAMES))
    return True


@pytest.mark.django_db
def test_post_views_never_answer_500(world, client):
    """Every page of the URL table that shows a POST form (to the first role
    allowed) gets fuzzed POSTs of the inputs it names."""
    fuzzed = []
    for name, case in sorted(CASES.items()):
        if case.method != "get" or name.split(":")[-1] in SKIP_URLS:
            continue
        # Each page in a savepoint rolled back after it: the objects one case
        # creates for its URL must not collide with the next case's.
        with transaction.atomic():
            if _fuzz_page(client, world, case):
                fuzzed.append(name)
            transaction.set_rollback(True)
    print(f"POST form pages fuzzed: {len(fuzzed)}")
    # The table has a few dozen form pages; far fewer means the harness broke.
    assert len(fuzzed) >= 20, fuzzed
