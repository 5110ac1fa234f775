"""Ids that only look like numbers, at every page that reads one from the request.

``"²".isdigit()`` is true but ``int("²")`` fails; ``int("١")`` succeeds;
a slash in a code breaks a URL. The parameters each view module reads
(``request.GET.get("organisation")``, ``request.POST.getlist("renewal")``,
...) are found in the source, so a view that starts reading a new one is
fuzzed without anyone listing it; every URL of the access table gets each
look-alike in each parameter its module reads. Property: no 500 (the test
client re-raises a view's exception, so one fails the test outright).
"""

import ast
import inspect
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import resolve

from partners.services import areas_load
from smartnet.forms import parse_id, parse_ids
from tests.access import ANONYMOUS, all_cases
from tests.trust.tried import TRIED

# Digits of other scripts and superscripts, full-width digits, past 64 bits,
# slashes and other near-misses.
LOOKALIKES = [
    "²",
    "1,¹",
    "٣",
    "１",
    "１２",
    "9" * 25,
    str(2**63),
    "a/b",
    "1/2",
    "../1",
    "-1",
    "0",
    "1.5",
    "\u00a01",
    "1\u200b",
]
APPS = ["smartnet", "partners", "meetings", "training", "materials", "board"]


def _parameters_read() -> dict[str, dict[str, set[str]]]:
    """{module: {"GET": names, "POST": names}} for every request.GET/POST read
    with a constant name in the project's view modules."""
    found: dict[str, dict[str, set[str]]] = {}
    for app in APPS:
        for path in sorted((Path(settings.BASE_DIR) / app).glob("views*.py")):
            module = f"{app}.{path.stem}"
            reads = found.setdefault(module, {"GET": set(), "POST": set()})
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                target, name = None, None
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr in {"get", "getlist"}
                    and node.args
                    and isinstance(node.args[0], ast.Constant)
                ):
                    target, name = node.func.value, node.args[0].value
                elif isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
                    target, name = node.value, node.slice.value
                if (
                    isinstance(target, ast.Attribute)
                    and target.attr in {"GET", "POST"}
                    and isinstance(name, str)
                ):
                    reads[target.attr].add(name)
    return found


PARAMETERS = _parameters_read()


def test_the_scan_finds_the_parameters_that_carry_ids():
    # If the scan broke, the fuzz below would quietly test nothing.
    assert "organisation" in PARAMETERS["partners.views_portal"]["GET"]
    assert "renewal" in PARAMETERS["partners.views_staff"]["POST"]
    assert "ids" in PARAMETERS["materials.views_staff"]["GET"]
    assert "code" in PARAMETERS["training.views_public"]["GET"]


@pytest.mark.parametrize("value", LOOKALIKES)
def test_the_one_parser_takes_only_ascii_digits_within_64_bits(value):
    assert parse_id(value) is None


def test_the_one_parser_reads_real_ids():
    assert parse_id("42") == 42 and parse_id(" 7 ") == 7 and parse_id(str(2**63 - 1)) == 2**63 - 1
    assert parse_ids(["3", "²", "3", "1"]) == [3, 1]
    assert parse_ids(["1", "¹", "2"]) == [1, 2]


def _module_of(url: str) -> str | None:
    func = inspect.unwrap(resolve(urlsplit(url).path).func)
    return getattr(func, "__module__", None)


# The pages are walked in groups, so pytest-xdist's workers share the walk.
GROUPS = 8


def _group(index: int) -> list[tuple[str, object]]:
    cases = sorted(all_cases().items())
    return [item for item in cases[index::GROUPS] if item[0].split(":")[-1] != "logout"]


def _reads(case, world) -> tuple[str, dict[str, set[str]]]:
    url = case.url(world)
    return url, PARAMETERS.get(_module_of(url) or "", {"GET": set(), "POST": set()})


@pytest.mark.django_db
def test_the_walk_covers_the_pages_that_read_ids(world):
    # A few dozen pages read parameters; far fewer means the harness broke.
    pages = 0
    for index in range(GROUPS):
        for _, case in _group(index):
            with transaction.atomic():  # a case's URL may make what it names
                _, reads = _reads(case, world)
                pages += bool(reads["GET"] or reads["POST"])
                transaction.set_rollback(True)
    assert pages >= 20, pages
    assert sum(len(_group(i)) for i in range(GROUPS)) == len(all_cases()) - 1  # all but logout


@pytest.mark.django_db
@pytest.mark.parametrize("index", range(GROUPS))
def test_no_page_answers_500_to_an_id_that_only_looks_like_one(index, world, client, settings):
    settings.PUBLIC_RATE_LIMIT_PER_MINUTE = 10**6
    settings.MATERIALS_ANON_RATE_LIMIT = 10**6
    for _, case in _group(index):
        with transaction.atomic():
            client.logout()
            visitor = sorted(case.allow)[0] if case.allow else ANONYMOUS
            if visitor != ANONYMOUS:
                client.force_login(world.users[visitor])
            url, reads = _reads(case, world)
            base = url.partition("?")[0]
            for value in LOOKALIKES:
                for param in sorted(reads["GET"]):
                    TRIED["id look-alikes"] += 1
                    full = f"{base}?{urlencode({param: value})}"
                    if case.method == "post":
                        response = client.post(full, case.data or {})
                    else:
                        response = client.get(full)
                    assert response.status_code < 500, (full, response.status_code)
                posted = sorted(reads["POST"] | set(case.data or {}))
                if posted:
                    TRIED["id look-alikes"] += 1
                    data = {**(case.data or {}), **dict.fromkeys(posted, value)}
                    response = client.post(url, data)
                    assert response.status_code < 500, (url, data, response.status_code)
            transaction.set_rollback(True)


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["a/b", "AB/../CD", "２AB", "ABC?"])
def test_a_certificate_code_no_url_can_carry_is_explained(client, code):
    response = client.get("/training/certificates/", {"code": code})
    assert response.status_code == 400
    assert "Verification code: enter the letters and digits" in response.content.decode()


@pytest.mark.django_db
def test_a_population_in_superscript_digits_is_refused_by_name():

    with pytest.raises(ValidationError) as refused:
        areas_load(
            text="ons_code,name,nation,region,population\nE08000003,Manchester,england,NW,²\n"
        )
    assert "population" in refused.value.message_dict
