"""The cache of the public feeds, and its invalidation.

Feeds are cached under keys that include a version number; a change to any
meeting bumps the version (after commit), so every cached feed is stale at once.
"""

import datetime

from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone

VERSION_KEY = "meetings:feeds:version"


def version() -> str:
    current = cache.get(VERSION_KEY)
    if current is None:
        current = str(timezone.now().timestamp())
        cache.set(VERSION_KEY, current, None)
    return current


def key(name: str) -> str:
    return f"meetings:feeds:{version()}:{name}"


def invalidate(**_kwargs) -> None:
    cache.set(VERSION_KEY, str(timezone.now().timestamp()), None)


# Conditional GET (finder apps poll the feed): the validators are the version
# itself, read from the cache (no query), so an unchanged feed costs a 304.
def last_modified(request: HttpRequest, *args, **kwargs) -> datetime.datetime:
    """When any listed meeting last changed, as far as the feeds know (the time
    the version was bumped; a cold cache starts a new version now)."""
    return datetime.datetime.fromtimestamp(float(version()), tz=datetime.UTC).replace(microsecond=0)


def etag(request: HttpRequest, *args, **kwargs) -> str:
    """A weak validator (the body is sent gzip-compressed or not, one meaning):
    the version, and for one meeting's calendar its slug (a region's feed, its region)."""
    if "region" in kwargs:
        scope = f"region-{kwargs['region']}"
    else:
        scope = kwargs.get("slug") or request.path.rsplit("/", 1)[-1]
    return f'W/"{scope}-{version()}"'
