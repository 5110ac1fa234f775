"""The settings the test run uses: the project's own module, read as on a laptop.

``DEBUG`` is off unless asked for (smartnet.settings), and the suite runs with
the laptop defaults (development key, local host names, no HTTPS redirect), so
it asks for ``DEBUG=1`` here unless the caller has set it. The subprocesses the
tests start (a Celery worker, gunicorn, ``manage.py``) inherit the same.

Under pytest-xdist (``make test`` runs one worker per core) each worker has its
own test database (pytest-django names it ``..._gw0``, ``..._gw1``), and here
its own Redis database and media folder, so one worker's ``cache.clear()``,
queued tasks or stored PDFs never meet another's. They are set in the
environment, so the worker's subprocesses share them.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

os.environ.setdefault("DEBUG", "1")

_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _worker.startswith("gw"):
    _index = int(_worker.removeprefix("gw"))
    if os.environ.get("REDIS_URL") and not os.environ.get("SMARTNET_TEST_REDIS_SPLIT"):
        _url = urlsplit(os.environ["REDIS_URL"])
        _base = int(_url.path.strip("/") or 0)
        # Count down from the suite's database (15 in CI), so workers stay off
        # the low numbers a laptop's own Redis use takes.
        _db = (_base - _index) % 16
        os.environ["REDIS_URL"] = urlunsplit(_url._replace(path=f"/{_db}"))
        os.environ["SMARTNET_TEST_REDIS_SPLIT"] = "1"
    os.environ.setdefault(
        "MEDIA_ROOT", str(Path(__file__).resolve().parent.parent / "media" / f"test-{_worker}")
    )

from smartnet.settings import *  # noqa: E402, F403
