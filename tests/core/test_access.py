"""``smartnet.access.may_use``/``may_open``: a page offers a form or link only
to the users the target view's ``@role_required`` admits."""

import pytest
from django.contrib.auth.models import AnonymousUser

from smartnet.access import may_open, may_use, public, role_required
from smartnet.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@role_required(Role.TRAINING, Role.STAFF_ADMIN)
def training_only(request):
    raise AssertionError("never called")


@public
def anyone(request):
    raise AssertionError("never called")


def test_may_use_follows_the_views_declared_roles():
    assert may_use(UserFactory(role=Role.TRAINING), training_only)
    assert may_use(UserFactory(role=Role.STAFF_ADMIN), training_only)
    assert not may_use(UserFactory(role=Role.FINANCE), training_only)
    assert not may_use(UserFactory(role=Role.TRAINING, is_active=False), training_only)
    assert not may_use(AnonymousUser(), training_only)
    assert may_use(AnonymousUser(), anyone)


def test_may_use_refuses_a_view_that_declares_no_roles():
    def undeclared(request):
        raise AssertionError("never called")

    with pytest.raises(TypeError, match="declares no roles"):
        may_use(UserFactory(role=Role.TRAINING), undeclared)


def test_may_open_resolves_the_url_name_to_its_view():
    assert may_open(UserFactory(role=Role.STAFF_ADMIN), "partners_staff:person_data", 1)
    for role in (Role.TRAINING, Role.FINANCE, Role.MATERIALS):
        assert not may_open(UserFactory(role=role), "partners_staff:person_data", 1)
