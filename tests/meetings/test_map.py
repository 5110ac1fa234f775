"""The Leaflet map: only with a tile server set, its host alone allowed by the CSP."""

import pytest

from smartnet.settings import tile_origin

pytestmark = pytest.mark.django_db


def test_no_map_without_a_tile_server(client, network, settings):
    settings.MAP_TILE_URL = ""
    body = client.get("/meetings/", {"where": "M1 1AA"}).content.decode()
    assert "meeting-map" not in body and "leaflet" not in body
    page = client.get(f"/meetings/{network['manchester'].slug}/").content.decode()
    assert "meeting-map" not in page


def test_the_map_lists_the_pages_meetings_as_json(client, network, settings):
    settings.MAP_TILE_URL = "https://tiles.example.net/{z}/{x}/{y}.png"
    body = client.get("/meetings/", {"where": "M1 1AA", "radius": 100}).content.decode()
    assert 'data-tiles="https://tiles.example.net/{z}/{x}/{y}.png"' in body
    assert '<script id="meeting-map-points" type="application/json">' in body
    assert '"name": "Manchester Tuesday"' in body and '"lat": 53.48076' in body
    assert "/static/vendor/leaflet-1.9.4/leaflet.js" in body
    assert "/static/meetings/map.js" in body
    page = client.get(f"/meetings/{network['online'].slug}/").content.decode()
    assert "meeting-map-points" not in page  # an online meeting has no map point


def test_the_csp_allows_only_the_tile_host():
    assert tile_origin("https://tile.openstreetmap.org/{z}/{x}/{y}.png") == (
        "https://tile.openstreetmap.org"
    )
    assert tile_origin("https://{s}.tile.example.org/{z}/{x}/{y}.png") == (
        "https://*.tile.example.org"
    )
    assert tile_origin("") == ""
