"""Benchmarks, run as modules from the project folder: ``python -m bench`` (the
whole table, issue 8) and ``python -m bench.<app>`` (each app's own targets).
``bench/faults.py`` is the exception: a script run as root (see its docstring).

Importing the package sets what every benchmark shares."""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartnet.settings")
# Laptop defaults (development key, local hosts); DEBUG is off unless set.
os.environ.setdefault("DEBUG", "1")
# Benchmarks sign users in with force_login; a second factor would stop them.
os.environ.setdefault("STAFF_2FA_REQUIRED", "0")


class Rollback(Exception):
    """Raised inside a benchmark's transaction to leave the database as it was."""
