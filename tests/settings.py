"""The settings the test run uses: the project's own module, read as on a laptop.

``DEBUG`` is off unless asked for (smartnet.settings), and the suite runs with
the laptop defaults (development key, local host names, no HTTPS redirect), so
it asks for ``DEBUG=1`` here unless the caller has set it. The subprocesses the
tests start (a Celery worker, gunicorn, ``manage.py``) inherit the same.
"""

import os

os.environ.setdefault("DEBUG", "1")

from smartnet.settings import *  # noqa: F403
