"""The cache of the public feeds, and its invalidation.

Feeds are cached under keys that include a version number; a change to any
meeting bumps the version (after commit), so every cached feed is stale at once.
"""

from django.core.cache import cache
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
