"""The Django admin for materials opens, and keeps stock read-only."""

import pytest

from materials.models import Status
from tests.materials.factories import make_dispatch, make_item

pytestmark = pytest.mark.django_db


def test_admin_pages_open_for_materials_staff(client, world):
    world.users["staff_admin"].is_superuser = True
    world.users["staff_admin"].save()
    client.force_login(world.users["staff_admin"])
    poster = make_item("poster", stock=10)
    dispatch = make_dispatch({poster: 1}, status=Status.SUBMITTED)
    for url in [
        "/admin/materials/item/",
        f"/admin/materials/item/{poster.pk}/change/",
        f"/admin/materials/item/{poster.pk}/history/",
        "/admin/materials/stockmovement/",
        "/admin/materials/pack/",
        "/admin/materials/pack/add/",
        "/admin/materials/dispatch/",
        f"/admin/materials/dispatch/{dispatch.pk}/change/",
        "/admin/materials/backorder/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
    assert client.get("/admin/materials/stockmovement/add/").status_code == 403


def test_stock_cannot_be_typed_in_the_admin(client, world):
    world.users["staff_admin"].is_superuser = True
    world.users["staff_admin"].save()
    client.force_login(world.users["staff_admin"])
    poster = make_item("poster", stock=10)
    response = client.get(f"/admin/materials/item/{poster.pk}/change/")
    assert 'name="stock_on_hand"' not in response.content.decode()
