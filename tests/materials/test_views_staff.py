"""Staff screens: the queue, a dispatch's actions, PDFs, stock and economics."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from pypdf import PdfReader

from materials import services
from materials.models import Dispatch, Item, MovementKind, Status, StockMovement
from partners import selectors as partner_selectors
from tests.materials.factories import make_dispatch, make_item

pytestmark = pytest.mark.django_db

QUEUE = "/staff/materials/"


@pytest.fixture
def staff(client, world):
    client.force_login(world.users["materials"])
    return client


def pdf_text(response) -> str:
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_queue_runs_the_same_queries_at_any_size(staff, django_assert_num_queries):
    poster = make_item("poster", stock=10)
    for _ in range(3):
        make_dispatch({poster: 1}, status=Status.SUBMITTED)
    staff.get(QUEUE)  # warm the session
    with django_assert_num_queries(6) as small:  # session, user, count, page, lines, counts
        response = staff.get(QUEUE)
    assert response.status_code == 200
    leaflet = make_item("leaflet", stock=10)
    for _ in range(60):
        make_dispatch({poster: 2, leaflet: 3}, status=Status.APPROVED)
    with django_assert_num_queries(len(small.captured_queries)):
        response = staff.get(QUEUE + "?page=2")
    assert "Page 2 of 2" in response.content.decode()


def test_the_queue_filters_by_status_reason_and_search(staff):
    poster = make_item("poster", stock=10)
    make_dispatch({poster: 1}, status=Status.SUBMITTED, contact_name="Ann Submitted")
    make_dispatch({poster: 1}, status=Status.REJECTED, contact_name="Bob Rejected")
    make_dispatch({poster: 1}, status=Status.PACKED, contact_name="Cat Packed")
    page = staff.get(QUEUE).content.decode()
    assert "Ann Submitted" in page and "Cat Packed" in page and "Bob Rejected" not in page
    page = staff.get(QUEUE + "?status=rejected").content.decode()
    assert "Bob Rejected" in page and "Ann Submitted" not in page
    page = staff.get(QUEUE + "?status=all&q=cat").content.decode()
    assert "Cat Packed" in page and "Ann Submitted" not in page
    page = staff.get(QUEUE + "?status=all&reason=starter_pack").content.decode()
    assert "Nothing here." in page


def test_bulk_approve_then_pack(staff):
    poster = make_item("poster", stock=10)
    a = make_dispatch({poster: 4}, status=Status.SUBMITTED)
    b = make_dispatch({poster: 4}, status=Status.SUBMITTED)
    already = make_dispatch({poster: 1}, status=Status.PACKED)
    response = staff.post(
        QUEUE, {"action": "approve", "ids": [a.pk, b.pk, already.pk]}, follow=True
    )
    page = response.content.decode()
    assert "Approved 2 dispatch(es)." in page
    assert f"{already.short_ref}: not approved, it is packed." in page
    staff.post(QUEUE, {"action": "pack", "ids": [a.pk, b.pk]})
    assert set(Dispatch.objects.filter(pk__in=[a.pk, b.pk]).values_list("status", flat=True)) == {
        Status.PACKED
    }
    assert Item.objects.get(pk=poster.pk).stock_on_hand == 2


def test_bulk_with_nothing_selected_says_so(staff):
    response = staff.post(QUEUE, {"action": "approve"}, follow=True)
    assert "Select at least one dispatch first." in response.content.decode()


def test_one_dispatch_from_approval_to_delivery(staff, on_commit):
    poster = make_item("poster", stock=10)
    dispatch = make_dispatch({poster: 12}, status=Status.SUBMITTED)
    url = f"/staff/materials/dispatches/{dispatch.pk}/"
    staff.post(url + "approve/", {})
    response = staff.post(url + "pack/", {}, follow=True)
    assert "1 line(s) short: backordered." in response.content.decode()
    response = staff.post(url + "send/", {"tracking_reference": ""}, follow=True)
    assert "Tracking reference: enter the carrier" in response.content.decode()
    with on_commit():
        staff.post(url + "send/", {"tracking_reference": "RM1GB"})
    staff.post(url + "deliver/", {})
    dispatch.refresh_from_db()
    assert (dispatch.status, dispatch.tracking_reference) == (Status.DELIVERED, "RM1GB")
    assert dispatch.handled_by.role == "materials"
    page = staff.get(f"/staff/materials/dispatches/{dispatch.pk}/").content.decode()
    assert "2 outstanding" in page


def test_reject_needs_a_reason_and_tells_the_facilitator(staff, on_commit):
    poster = make_item("poster", stock=10)
    dispatch = make_dispatch({poster: 1}, status=Status.SUBMITTED)
    url = f"/staff/materials/dispatches/{dispatch.pk}/"
    response = staff.post(url + "reject/", {"reason": ""}, follow=True)
    assert "Reason: say why" in response.content.decode()
    with on_commit():
        staff.post(url + "reject/", {"reason": "We cannot find this meeting."})
    dispatch.refresh_from_db()
    assert dispatch.status == Status.REJECTED
    assert "We cannot find this meeting." in mail.outbox[-1].body


def test_verifying_someone_not_on_record(staff):
    poster = make_item("poster", stock=10)
    dispatch = make_dispatch({poster: 1}, status=Status.AWAITING_VERIFICATION)
    url = f"/staff/materials/dispatches/{dispatch.pk}/"
    staff.post(url + "approve/", {})
    dispatch.refresh_from_db()
    assert dispatch.status == Status.AWAITING_VERIFICATION  # verify first
    staff.post(url + "verify/", {})
    dispatch.refresh_from_db()
    assert dispatch.status == Status.SUBMITTED


STEPS = ["verify", "approve", "pack", "send", "deliver", "reject"]
# The status each step starts from, the button the dispatch page shows there.
STEP_FROM = {
    "verify": Status.AWAITING_VERIFICATION,
    "approve": Status.SUBMITTED,
    "pack": Status.APPROVED,
    "send": Status.PACKED,
    "deliver": Status.DISPATCHED,
}


@pytest.mark.parametrize("step", sorted(STEP_FROM))
def test_the_dispatch_page_posts_each_step_to_its_own_url(staff, step):
    dispatch = make_dispatch(
        {make_item("poster", stock=5): 1}, status=STEP_FROM[step], tracking_reference="RM0"
    )
    page = staff.get(f"/staff/materials/dispatches/{dispatch.pk}/").content.decode()
    own = f'action="/staff/materials/dispatches/{dispatch.pk}/{step}/"'
    assert own in page
    # Before packing a request may still be rejected; no other step is offered.
    rejectable = {"verify", "approve", "pack"}
    for other in [s for s in STEPS if s not in {step, "reject"}]:
        assert f"/dispatches/{dispatch.pk}/{other}/" not in page, other
    assert (f"/dispatches/{dispatch.pk}/reject/" in page) is (step in rejectable)
    assert 'name="action"' not in page


@pytest.mark.parametrize("step", STEPS)
def test_each_step_is_post_only_404s_an_unknown_dispatch_and_refuses_a_wrong_status(staff, step):
    dispatch = make_dispatch({make_item("poster", stock=5): 1}, status=Status.DELIVERED)
    url = f"/staff/materials/dispatches/{dispatch.pk}/{step}/"
    assert staff.get(url).status_code == 405
    assert staff.post(f"/staff/materials/dispatches/999999/{step}/", {}).status_code == 404
    data = {"tracking_reference": "RM1", "reason": "No such meeting."}
    response = staff.post(url, data, follow=True)
    assert response.redirect_chain == [(f"/staff/materials/dispatches/{dispatch.pk}/", 302)]
    assert "alert-danger" in response.content.decode()
    dispatch.refresh_from_db()
    assert dispatch.status == Status.DELIVERED


def test_the_old_action_url_is_gone(staff):
    dispatch = make_dispatch({make_item("poster", stock=5): 1}, status=Status.SUBMITTED)
    url = f"/staff/materials/dispatches/{dispatch.pk}/action/"
    assert staff.post(url, {"action": "approve"}).status_code == 404


def test_an_unknown_dispatch_is_404(staff):
    assert staff.get("/staff/materials/dispatches/999999/").status_code == 404


def test_packing_slips_and_labels_for_a_batch(staff):
    poster = make_item("poster", name="A3 Poster", stock=5)
    a = make_dispatch({poster: 3}, contact_name="Ann Example")
    b = make_dispatch({poster: 4}, contact_name="Bob Example")
    services.dispatch_pack(dispatch_id=a.pk)
    services.dispatch_pack(dispatch_id=b.pk)
    text = pdf_text(staff.get(f"/staff/materials/packing-slips.pdf?ids={a.pk},{b.pk}"))
    assert f"Packing slip {a.short_ref}" in text and f"Packing slip {b.short_ref}" in text
    assert "Ann Example" in text and "L1 9BX" in text and "A3 Poster" in text
    labels = pdf_text(staff.get(f"/staff/materials/labels.pdf?ids={a.pk},{b.pk}"))
    assert "Ann Example" in labels and "Bob Example" in labels
    # With no ids: every packed dispatch.
    assert "Bob Example" in pdf_text(staff.get("/staff/materials/packing-slips.pdf"))
    # From the queue's bulk action.
    response = staff.post(QUEUE, {"action": "labels", "ids": [a.pk]})
    assert response["Location"] == f"/staff/materials/labels.pdf?ids={a.pk}"


def test_stock_page_records_receipts_and_adjustments_and_flags_low_stock(staff):
    poster = make_item("poster", stock=5, reorder_level=10)
    page = staff.get("/staff/materials/stock/").content.decode()
    assert "Low stock" in page
    staff.post(
        "/staff/materials/stock/",
        {"kind": "receipt", "receipt-item": poster.pk, "receipt-quantity": 50, "receipt-note": "x"},
    )
    response = staff.post(
        "/staff/materials/stock/",
        {
            "kind": "adjust",
            "adjust-item": poster.pk,
            "adjust-quantity": -100,
            "adjust-note": "count",
        },
    )
    assert "Only 55 in stock" in response.content.decode()
    response = staff.post(
        "/staff/materials/stock/",
        {"kind": "adjust", "adjust-item": poster.pk, "adjust-quantity": 0, "adjust-note": "count"},
    )
    assert "An adjustment cannot be 0." in response.content.decode()
    staff.post(
        "/staff/materials/stock/",
        {"kind": "adjust", "adjust-item": poster.pk, "adjust-quantity": -3, "adjust-note": "torn"},
    )
    poster.refresh_from_db()
    assert poster.stock_on_hand == 52
    kinds = list(
        StockMovement.objects.filter(item=poster).order_by("pk").values_list("kind", "quantity")
    )
    assert kinds == [
        (MovementKind.RECEIPT, 5),
        (MovementKind.RECEIPT, 50),
        (MovementKind.ADJUSTMENT, -3),
    ]
    assert "torn" in staff.get(f"/staff/materials/stock/{poster.pk}/").content.decode()


def test_economics_shows_spend_per_quarter(client, world, time_machine):
    time_machine.move_to("2026-05-15 12:00Z")
    poster = make_item("poster", stock=100, unit_cost="1.50")
    dispatch = make_dispatch({poster: 10})
    services.dispatch_pack(dispatch_id=dispatch.pk)
    services.dispatch_send(dispatch_id=dispatch.pk, tracking_reference="T")
    client.force_login(world.users["finance"])
    response = client.get("/staff/materials/economics/")
    rows = {row["label"]: row for row in response.context["rows"]}
    assert rows["2026 Q2"]["spend"] == Decimal("15.00")
    assert rows["2025 Q1"]["spend"] == Decimal("0.00")
    assert "£15.00" in response.content.decode()
    assert response.context["items_total"] == 10
    assert date(2026, 5, 15) == Dispatch.objects.get(pk=dispatch.pk).dispatched_on


def test_economics_puts_partnership_income_beside_spend(client, world, time_machine, monkeypatch):

    time_machine.move_to("2026-05-15 12:00Z")
    asked = []

    def income(*, start, end):
        asked.append((start, end))
        return Decimal("1000.00") if start == date(2026, 4, 1) else Decimal("0.00")

    monkeypatch.setattr(partner_selectors, "licence_income", income)
    poster = make_item("poster", stock=100, unit_cost="2.00")
    dispatch = make_dispatch({poster: 25})
    services.dispatch_pack(dispatch_id=dispatch.pk)
    services.dispatch_send(dispatch_id=dispatch.pk, tracking_reference="T")
    client.force_login(world.users["materials"])
    response = client.get("/staff/materials/economics/?years=1")
    rows = {row["label"]: row for row in response.context["rows"]}
    assert list(rows) == ["2026 Q1", "2026 Q2"]
    assert (date(2026, 4, 1), date(2026, 6, 30)) in asked
    q2 = rows["2026 Q2"]
    assert (q2["spend"], q2["income"], q2["share"]) == (
        Decimal("50.00"),
        Decimal("1000.00"),
        Decimal("5.0"),
    )
    assert rows["2026 Q1"]["share"] is None  # no income: no share, not a division by zero
    assert "5.0%" in response.content.decode()
