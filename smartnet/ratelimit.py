"""A small fixed-window rate limit per client IP (``smartnet.client``), kept in the cache.

Public forms and feeds use ``@rate_limited("scope", per_minute)``. A visitor
over the limit gets 429 with a Retry-After header. If the cache is down the
limit is not enforced (pages must keep working) - see smartnet.cache.
"""

import time
from collections.abc import Callable
from functools import wraps

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

# Imported from its one owner; materials' limit imports it from here too.
from smartnet.client import client_ip


def hit(scope: str, key: str, *, limit: int, window: int = 60) -> bool:
    """Count one hit; True while within ``limit`` hits per ``window`` seconds."""
    bucket = int(time.time() // window)
    cache_key = f"ratelimit:{scope}:{key}:{bucket}"
    if cache.add(cache_key, 1, window + 5):
        return True
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr, or the cache is down
        return True
    return count <= limit


def rate_limited(scope: str, per_minute: int | Callable[[], int]) -> Callable:
    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            limit = per_minute() if callable(per_minute) else per_minute
            if not hit(scope, client_ip(request) or "unknown", limit=limit):
                response = render(request, "smartnet/rate_limited.html", status=429)
                response["Retry-After"] = "60"
                return response
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
