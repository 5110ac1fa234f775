"""Every URL x every visitor: the status each gets (see tests/access.py)."""

import pytest

from tests.access import VISITORS, all_cases, url_names

CASES = all_cases()


def test_every_url_pattern_has_a_case():
    names = url_names()
    missing = sorted(names - CASES.keys())
    stale = sorted(CASES.keys() - names)
    assert not missing, f"URL patterns with no access case: {missing}"
    assert not stale, f"access cases for URLs that no longer exist: {stale}"


@pytest.mark.parametrize("name", sorted(CASES))
def test_access(name, world, client):
    case = CASES[name]
    url = case.url(world)
    failures = []
    for visitor in VISITORS:
        client.logout()
        if visitor != "anonymous":
            client.force_login(world.users[visitor])
        response = getattr(client, case.method)(url, case.data or {})
        expected = case.expected(visitor)
        if response.status_code != expected:
            failures.append(f"{visitor}: got {response.status_code}, expected {expected}")
    assert not failures, f"{name} ({url}):\n" + "\n".join(failures)


def test_admin_is_for_staff_roles_only(world, client):
    for visitor in VISITORS:
        client.logout()
        if visitor != "anonymous":
            client.force_login(world.users[visitor])
        response = client.get("/admin/")
        if visitor in {"staff_admin", "finance", "training", "materials"}:
            assert response.status_code == 200, visitor
        else:
            assert response.status_code == 302, visitor
            assert "/admin/login/" in response["Location"]
