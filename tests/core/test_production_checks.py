"""PRODUCTION=1 cannot start half set: check --deploy names each variable."""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

from smartnet.checks import production_settings
from smartnet.models import JobRun
from smartnet.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MAIL = "django.core.mail.backends"
GOOD = {
    "PRODUCTION": True,
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "SITE_URL": "https://network.example.org",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "ALLOWED_HOSTS": ["network.example.org"],
    "DEMO_CHARITY_DETAILS": {"CHARITY_NUMBER": "1234567", "CHARITY_VAT_NUMBER": ""},
    "CHARITY_NUMBER": "1099999",
    "CHARITY_VAT_NUMBER": "",
}


def _ids(**changes) -> dict[str, str]:
    with override_settings(**{**GOOD, **changes}):
        return {e.id: e.msg + " " + e.hint for e in production_settings()}


def test_a_whole_production_configuration_passes():
    assert _ids() == {}


def test_nothing_is_checked_without_production():
    assert _ids(PRODUCTION=False, SITE_URL="http://x", REDIS_URL="") == {}


@pytest.mark.parametrize(
    ("changes", "error_id", "variable"),
    [
        ({"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}, "E101", "EMAIL_URL"),
        (
            {"EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend"},
            "E101",
            "EMAIL_URL",
        ),
        ({"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}, "E101", "EMAIL_URL"),
        ({"SITE_URL": "http://network.example.org"}, "E102", "SITE_URL"),
        ({"REDIS_URL": ""}, "E103", "REDIS_URL"),
        ({"CHARITY_NUMBER": "1234567"}, "E104", "CHARITY_NUMBER"),
        ({"ALLOWED_HOSTS": ["*"]}, "E105", "ALLOWED_HOSTS"),
        ({"ALLOWED_HOSTS": [".example.org"]}, "E105", "ALLOWED_HOSTS"),
    ],
)
def test_each_half_set_variable_is_refused_by_name(changes, error_id, variable):
    errors = _ids(**changes)
    assert list(errors) == [f"smartnet.{error_id}"]
    text = errors[f"smartnet.{error_id}"]
    assert variable in text and "Set " in text


def test_an_empty_demo_value_is_not_a_demo_detail():
    # CHARITY_VAT_NUMBER's demo is empty (not VAT registered): a real choice.
    assert _ids() == {}


@pytest.mark.parametrize("marker", ["seed run", "demo login"])
def test_demo_data_in_a_production_database_is_refused(marker):
    if marker == "seed run":
        JobRun.objects.create(job="seed_demo", key="2030-01-01")
    else:
        UserFactory(role=Role.STAFF_ADMIN, email="admin@smartnet.example")
    assert "PRODUCTION=1" in _ids()["smartnet.E106"]


def test_check_deploy_fails_on_a_half_set_production():
    with override_settings(**{**GOOD, "REDIS_URL": ""}), pytest.raises(SystemCheckError) as exc:
        call_command("check", "--deploy", "--fail-level", "ERROR")
    assert "REDIS_URL" in str(exc.value)
