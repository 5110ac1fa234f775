"""Materials' part of a person's data (parcels and requests to them), through
partners.personal_data."""

from decimal import Decimal

import pytest

from materials.models import Dispatch, DispatchLine, Reason, Status
from partners import personal_data
from tests.factories import PersonFactory
from tests.materials.factories import make_dispatch, make_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def parcels():
    poster = make_item("poster", unit_cost="0.50")
    manual = make_item("manual", unit_cost="4.00")
    kim = PersonFactory(first_name="Kim", last_name="Ashworth")
    other = PersonFactory(first_name="Lee", last_name="Moss")
    request = make_dispatch(
        {poster: 10},
        person=kim,
        contact_email="kim@example.org",
        address_line_2="Flat 3",
        note="Please leave with reception",
        status=Status.SUBMITTED,
    )
    auto = make_dispatch(
        {manual: 1},
        person=kim,
        reason=Reason.FACILITATORS_MANUAL,
        status=Status.DISPATCHED,
        tracking_reference="TR9",
    )
    DispatchLine.objects.filter(dispatch=auto).update(quantity_packed=1, unit_cost=Decimal("4.00"))
    theirs = make_dispatch({poster: 5}, person=other, contact_email="lee@example.org")
    return kim, request, auto, theirs


def test_materials_is_a_registered_section():
    assert "materials" in personal_data.sections()


def test_export_lists_every_parcel_addressed_to_them(parcels):
    kim, request, auto, _theirs = parcels
    data = personal_data.person_export(person_id=kim.pk)["materials"]
    refs = [d["reference"] for d in data["dispatches"]]
    assert sorted(refs) == sorted([request.short_ref, auto.short_ref])
    exported = {d["reference"]: d for d in data["dispatches"]}[request.short_ref]
    assert exported["contact_email"] == "kim@example.org"
    assert exported["address"] == ["1 Hope Street", "Flat 3", "Liverpool", "L1 9BX"]
    assert exported["items"] == [{"item": "Poster", "quantity": 10}]
    assert exported["note"] == "Please leave with reception"
    assert "lee@example.org" not in str(data)


def test_erasure_blanks_who_and_where_but_keeps_the_parcels(parcels):
    kim, request, auto, theirs = parcels
    lines_before = sorted(
        DispatchLine.objects.values_list("dispatch_id", "item_id", "quantity", "unit_cost")
    )
    personal_data.person_erase(person_id=kim.pk)
    for pk in (request.pk, auto.pk):
        d = Dispatch.objects.get(pk=pk)
        assert d.contact_name == "Erased"
        assert d.contact_email == "" and d.note == ""
        assert d.address_lines == []
    assert Dispatch.objects.get(pk=auto.pk).status == Status.DISPATCHED
    assert Dispatch.objects.get(pk=request.pk).status == Status.SUBMITTED
    assert (
        sorted(DispatchLine.objects.values_list("dispatch_id", "item_id", "quantity", "unit_cost"))
        == lines_before
    )
    untouched = Dispatch.objects.get(pk=theirs.pk)
    assert untouched.contact_email == "lee@example.org" and untouched.town == "Liverpool"
    export = personal_data.person_export(person_id=kim.pk)["materials"]
    assert "Ashworth" not in str(export) and "Hope Street" not in str(export)
    assert len(export["dispatches"]) == 2
