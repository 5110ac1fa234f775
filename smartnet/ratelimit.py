"""A small fixed-window rate limit per client IP, kept in the cache.

Public forms and feeds use ``@rate_limited("scope", per_minute)``. A visitor
over the limit gets 429 with a Retry-After header. If the cache is down the
limit is not enforced (pages must keep working) - see smartnet.cache.
"""

import time
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def client_ip(request: HttpRequest) -> str:
    """The visitor's address; behind PROXY_COUNT proxies, from X-Forwarded-For."""
    proxies = settings.AXES_IPWARE_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR", "unknown")


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
            if not hit(scope, client_ip(request), limit=limit):
                response = render(request, "smartnet/rate_limited.html", status=429)
                response["Retry-After"] = "60"
                return response
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
