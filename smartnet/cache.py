"""A Redis cache that treats an unreachable Redis as an empty cache.

Pages read figures through the cache; when Redis is down they must still
render (computing the figure afresh), not fail. Reads miss and writes are
dropped, with a warning in the log.
"""

import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
_DOWN = (RedisConnectionError, RedisTimeoutError, OSError)


class TolerantRedisCache(RedisCache):
    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except _DOWN as exc:
            logger.warning("cache unavailable on get: %s", exc)
            return default

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except _DOWN as exc:
            logger.warning("cache unavailable on get_many: %s", exc)
            return {}

    def set(self, key, value, timeout=None, version=None):
        try:
            super().set(key, value, timeout, version)
        except _DOWN as exc:
            logger.warning("cache unavailable on set: %s", exc)

    def add(self, key, value, timeout=None, version=None):
        try:
            return super().add(key, value, timeout, version)
        except _DOWN as exc:
            logger.warning("cache unavailable on add: %s", exc)
            return False

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except _DOWN as exc:
            logger.warning("cache unavailable on delete: %s", exc)
            return False

    def incr(self, key, delta=1, version=None):
        try:
            return super().incr(key, delta, version)
        except _DOWN as exc:
            logger.warning("cache unavailable on incr: %s", exc)
            raise ValueError(f"Key '{key}' not found (cache unavailable)") from exc
