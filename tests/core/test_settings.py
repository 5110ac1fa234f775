"""Start-up with bad settings: each failure names the variable at fault."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_check(**env_overrides) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update({"DEBUG": "1", **env_overrides})
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


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
    [("DATABASE_URL", "nosuchscheme://x"), ("DEBUG", "perhaps"), ("EMAIL_URL", "pigeon://x")],
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
