"""The staff item page shows who moved the stock and who changed the item."""

import pytest

from tests.materials.factories import make_item

pytestmark = pytest.mark.django_db


def trail(page: str, dom_id: str) -> str:
    """The audit section with this heading id (fails if the page has none)."""
    start = page.index(f'aria-labelledby="{dom_id}"')
    return page[start : page.index("</section>", start)]


def test_the_item_page_shows_who_changed_the_item_and_who_moved_its_stock(client, world):
    poster = make_item("poster", stock=5, unit_cost="0.50", reorder_level=2)
    keeper = world.users["materials"]
    keeper.full_name = "Mo Materials"
    keeper.save()
    client.force_login(keeper)
    response = client.post(
        "/staff/materials/stock/",
        {
            "kind": "receipt",
            "receipt-item": poster.pk,
            "receipt-quantity": 40,
            "receipt-note": "printer",
        },
    )
    assert response.status_code == 302
    admin = world.users["staff_admin"]
    admin.is_superuser = True
    admin.full_name = "Ada Admin"
    admin.save()
    client.force_login(admin)
    response = client.post(
        f"/admin/materials/item/{poster.pk}/change/",
        {
            "code": "poster",
            "name": "Poster",
            "description": "",
            "unit_cost": "0.75",
            "pack_size": 1,
            "reorder_level": 2,
            "requestable": "on",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]

    page = client.get(f"/staff/materials/stock/{poster.pk}/").content.decode()
    item_trail = trail(page, f"audit-materials-item-{poster.pk}")
    assert "Ada Admin" in item_trail and "Changed" in item_trail
    assert "unit_cost" in item_trail and "0.75" in item_trail
    ledger = page[: page.index(f'aria-labelledby="audit-materials-item-{poster.pk}"')]
    assert "printer" in ledger and "Mo Materials" in ledger  # the receipt, by whom
