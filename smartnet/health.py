"""The parts the app depends on, each checked quickly and reported by name.

Each failure names the environment variable that points at the part, so the
person reading /healthz knows what to fix. Those details (driver errors carry
host names and ports) are for signed-in staff and for the addresses in
``HEALTHZ_ALLOWED_IPS`` (the monitor); anyone else gets each part's ok alone.
"""

import ipaddress
import uuid

import redis
from django.conf import settings
from django.core.cache import cache, caches
from django.db import DatabaseError, connection
from django.http import HttpRequest

from smartnet.client import client_ip
from smartnet.two_factor import needs_second_factor


def may_see_details(request: HttpRequest) -> bool:
    raw = client_ip(request)
    try:
        address = ipaddress.ip_address(raw) if raw else None
    except ValueError:
        address = None
    if address and any(address in ipaddress.ip_network(n) for n in settings.HEALTHZ_ALLOWED_IPS):
        return True
    try:
        user = request.user
        return bool(
            user.is_authenticated
            and user.is_active
            and user.is_staff_role
            and not needs_second_factor(request)
        )
    except DatabaseError:
        # The session lives in the database: while it is down nobody is known
        # to be staff, and /healthz must still answer 503, not fail.
        return False


def public_part(part: dict) -> dict:
    """What anyone may see of one part: whether it works, nothing else."""
    return {"ok": part["ok"]}


def check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return {"ok": False, "setting": "DATABASE_URL", "error": _short(exc)}
    return {"ok": True, "vendor": connection.vendor}


def check_cache() -> dict:
    key = f"healthz:{uuid.uuid4().hex}"
    try:
        backend = caches["default"].__class__.__name__
        if settings.REDIS_URL:
            # The tolerant cache hides Redis outages from pages; ask Redis directly.
            redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1).ping()
        cache.set(key, "ok", 10)
        ok = cache.get(key) == "ok"
        cache.delete(key)
    except Exception as exc:
        return {"ok": False, "setting": "REDIS_URL", "error": _short(exc)}
    return {"ok": ok, "backend": backend}


def check_broker() -> dict:
    if not settings.REDIS_URL:
        return {"ok": True, "mode": "eager (tasks run in process; REDIS_URL unset)"}
    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1).ping()
    except Exception as exc:
        return {"ok": False, "setting": "REDIS_URL", "error": _short(exc)}
    return {"ok": True, "mode": "redis"}


def _short(exc: Exception) -> str:
    return (
        f"{exc.__class__.__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"
    )
