"""Start-up with bad settings: each failure names the variable at fault."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _env(**env_overrides) -> dict:
    """The caller's environment without the variables these tests control;
    the real settings module, not the test run's (which turns DEBUG on)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {"DATABASE_URL", "REDIS_URL", "DEBUG", "PRODUCTION", "SECRET_KEY", "ALLOWED_HOSTS"}
    }
    env["DJANGO_SETTINGS_MODULE"] = "smartnet.settings"
    env.update(env_overrides)
    return env


def run_check(**env_overrides) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=_env(**{"DEBUG": "1", **env_overrides}),
        capture_output=True,
        text=True,
        timeout=60,
    )


def read_debug(**env) -> subprocess.CompletedProcess:
    """Import the settings in a fresh process with exactly this environment."""
    return subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.DEBUG)"],
        cwd=ROOT,
        env=_env(**env),
        capture_output=True,
        text=True,
        timeout=60,
    )


PRODUCTION_ENV = {"PRODUCTION": "1", "SECRET_KEY": "k" * 60, "ALLOWED_HOSTS": "example.org"}


def test_production_with_debug_forgotten_runs_with_debug_off():
    result = read_debug(**PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


@pytest.mark.parametrize("value", ["1", "true", "on"])
def test_production_refuses_to_start_with_debug_on(value):
    result = read_debug(**PRODUCTION_ENV, DEBUG=value)
    assert result.returncode != 0
    assert "DEBUG must be off when PRODUCTION=1" in result.stderr


def test_nothing_set_means_debug_off_and_a_secret_key_is_asked_for():
    result = read_debug()
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_a_laptop_sets_debug_on_and_needs_nothing_else():
    result = read_debug(DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


def test_debug_off_without_a_secret_key_refuses_to_start():
    result = run_check(DEBUG="0", SECRET_KEY="", ALLOWED_HOSTS="example.org")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_debug_off_with_a_toy_secret_key_refuses_to_start():
    result = run_check(DEBUG="0", SECRET_KEY="short", ALLOWED_HOSTS="example.org")
    assert result.returncode != 0
    assert "SECRET_KEY is not a real secret" in result.stderr


def test_debug_off_without_allowed_hosts_refuses_to_start():
    result = run_check(DEBUG="0", SECRET_KEY="x" * 60, ALLOWED_HOSTS="")
    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set" in result.stderr


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DATABASE_URL", "nosuchscheme://x"),
        ("DEBUG", "perhaps"),
        ("EMAIL_URL", "pigeon://x"),
        ("HEALTHZ_ALLOWED_IPS", "127.0.0.1,monitor.example"),
        ("PROXY_COUNT", "-1"),
    ],
)
def test_a_malformed_value_names_its_variable(name, value):
    result = run_check(**{name: value})
    assert result.returncode != 0
    assert f"{name} is not valid" in result.stderr


def test_an_unreachable_database_still_starts():
    # `check` (what runserver runs first) does not need the database to answer;
    # /healthz then reports it (see test_health).
    result = run_check(DATABASE_URL="postgres://nobody@127.0.0.1:1/none")
    assert result.returncode == 0, result.stderr
