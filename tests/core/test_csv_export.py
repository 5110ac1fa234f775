"""Every CSV the project writes goes through smartnet.csv_export, which keeps
formula-looking text from running in a spreadsheet and numbers numeric."""

import ast
import csv
import datetime
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

from partners import services as partners_services
from partners.models import AffiliationRole
from smartnet.csv_export import FORMULA_START, Writer, cell
from tests.factories import AffiliationFactory
from tests.partners.factories import make_partner
from tests.training.factories import champion_course
from training import services as training_services
from training.models import ImportJob, ImportStatus

D = datetime.date
HYPERLINK = '=HYPERLINK("http://evil.example/x","Click")'
DDE = "@SUM(1+9)*cmd|' /C calc'!A0"
FORMULAS = [HYPERLINK, DDE, "+1+1", "-2+3", "\t=1", "\r=1", "=1"]

APPS = ["smartnet", "partners", "meetings", "training", "materials", "board", "bench"]
WRITER_MODULE = Path(settings.BASE_DIR) / "smartnet" / "csv_export.py"


@pytest.mark.parametrize("text", FORMULAS)
def test_text_that_starts_a_formula_is_written_as_text(text):
    assert cell(text) == "'" + text
    out = io.StringIO()
    Writer(out).writerow([text])
    assert next(csv.reader(io.StringIO(out.getvalue())))[0] == "'" + text


def test_numbers_stay_numbers_and_plain_text_is_untouched():
    out = io.StringIO()
    Writer(out).writerow([-1, Decimal("-500.00"), Decimal("10").normalize(), 2.5, "Ann Lee", None])
    assert out.getvalue().strip() == "-1,-500.00,10,2.5,Ann Lee,"
    assert all(cell(c) == c for c in ["a=b", "Ann-Marie", "x@y"])
    assert set(FORMULA_START) == {"=", "+", "-", "@", "\t", "\r"}


def _csv_writers_outside_the_one_writer() -> list[str]:
    """Every use of csv.writer / csv.DictWriter in the project's modules."""
    found = []
    for app in APPS:
        for path in sorted((Path(settings.BASE_DIR) / app).rglob("*.py")):
            if path == WRITER_MODULE:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Attribute)
                    and node.attr in {"writer", "DictWriter"}
                    and isinstance(node.value, ast.Name)
                    and node.value.id == "csv"
                ):
                    found.append(f"{path}:{node.lineno}")
                if isinstance(node, ast.ImportFrom) and node.module == "csv":
                    names = {a.name for a in node.names}
                    if names & {"writer", "DictWriter"}:
                        found.append(f"{path}:{node.lineno}")
    return found


def test_no_module_writes_csv_but_the_one_writer():
    assert _csv_writers_outside_the_one_writer() == []


# --- every export, with names that look like formulas ---------------------------------


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


@pytest.mark.django_db
def test_champions_csv_neutralises_names(client, world):
    make_partner(world.org_a, signed_on=D(2013, 12, 1), start=D(2014, 1, 1), end=D(2016, 12, 31))
    world.org_a.name = DDE
    world.org_a.save()
    person = AffiliationFactory(
        organisation=world.org_a,
        role=AffiliationRole.STAFF,
        start_date=D(2013, 1, 1),
        person__first_name=HYPERLINK,
        person__last_name="Lee",
    ).person
    training_services.completion_record(
        person=person, course=champion_course(), completed_on=D(2014, 3, 1)
    )
    client.force_login(world.users["finance"])
    response = client.get("/staff/training/champions.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = _rows(b"".join(response.streaming_content).decode("utf-8"))
    assert rows[1][0] == "'" + HYPERLINK + " Lee"
    assert rows[1][2] == "'" + DDE
    assert rows[1][4] == "2014-03-01"


@pytest.mark.django_db
def test_import_rejections_csv_neutralises_excerpts(client, world):
    job = ImportJob.objects.create(original_name="x.csv", status=ImportStatus.DONE, layout="long")
    job.rejections.create(line=3, reason="unknown course", excerpt=f"{HYPERLINK},a@b.example")
    job.rejections.create(line=4, reason=DDE, excerpt="-1")
    client.force_login(world.users["training"])
    response = client.get(f"/staff/training/imports/{job.pk}/rejected.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = _rows(response.content.decode())
    assert rows[1] == ["3", "unknown course", f"'{HYPERLINK},a@b.example"]
    assert rows[2] == ["4", "'" + DDE, "'-1"]


@pytest.mark.django_db
def test_xero_export_neutralises_names_and_keeps_negative_quantities(client, world):
    services = partners_services
    agreement = make_partner(world.org_a, signed_on=D(2025, 1, 1), start=D(2025, 1, 1))
    world.org_a.name = HYPERLINK
    world.org_a.save()
    period = agreement.periods.get()
    invoice = services.invoice_issue(
        invoice=services.invoice_draft(
            organisation=world.org_a, period=period, lines=services.period_lines(period)
        ),
        today=D(2025, 1, 1),
    )
    services.credit_note_create(invoice=invoice, amount="500", reason=DDE, today=D(2025, 1, 5))
    client.force_login(world.users["finance"])
    response = client.get(
        "/staff/partners/invoices/export/", {"start": "2025-01-01", "end": "2025-01-31"}
    )
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert {r["*ContactName"] for r in rows} == {"'" + HYPERLINK}
    assert all(not r["*Description"].startswith(FORMULA_START) for r in rows)
    quantities = [Decimal(r["*Quantity"]) for r in rows]  # numbers, not "'-1"
    assert quantities[-1] < 0 and all(q > 0 for q in quantities[:-1])
    assert all(Decimal(r["*UnitAmount"]) > 0 for r in rows)
