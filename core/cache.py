"""The shared cache: Redis, and the database while Redis is unreachable (DESIGN.md §4: what
does not need the broker keeps working without it — the anonymous throttle keeps counting).

A process that finds Redis down uses the database table `levee_cache` (Django's
DatabaseCache over core.CacheEntry) and tries Redis again after RETRY_SECONDS, so an outage
costs one failed connection per process every few seconds rather than one per request.
"""

import secrets
import threading
import time

import structlog
from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

log = structlog.get_logger(__name__)

_primary_down_until: dict[str, float] = {}
_lock = threading.Lock()


class FallbackCache(BaseCache):
    """OPTIONS: PRIMARY and FALLBACK (cache aliases), RETRY_SECONDS (default 5)."""

    def __init__(self, location, params):
        super().__init__(params)
        options = params.get("OPTIONS", {})
        self._primary = options["PRIMARY"]
        self._fallback = options["FALLBACK"]
        self._retry_seconds = options.get("RETRY_SECONDS", 5)

    def _call(self, method, *args, **kwargs):
        if time.monotonic() >= _primary_down_until.get(self._primary, 0):
            try:
                return getattr(caches[self._primary], method)(*args, **kwargs)
            except RedisError as exc:
                with _lock:
                    _primary_down_until[self._primary] = time.monotonic() + self._retry_seconds
                log.warning("cache.fallback", primary=self._primary, error=repr(exc))
        return getattr(caches[self._fallback], method)(*args, **kwargs)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", key, value, timeout=timeout, version=version)

    def get(self, key, default=None, version=None):
        return self._call("get", key, default, version=version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", key, value, timeout=timeout, version=version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", key, timeout=timeout, version=version)

    def delete(self, key, version=None):
        return self._call("delete", key, version=version)

    def has_key(self, key, version=None):
        return self._call("has_key", key, version=version)

    def incr(self, key, delta=1, version=None):
        return self._call("incr", key, delta, version=version)

    def get_many(self, keys, version=None):
        return self._call("get_many", keys, version=version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", data, timeout=timeout, version=version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", keys, version=version)

    def clear(self):
        return self._call("clear")

    def hit_window(self, key, *, now, duration, limit):
        """Count a request in `key`'s sliding window of `duration` seconds, if fewer than
        `limit` are in it, in one round trip to Redis. Returns (allowed, requests in the
        window, the oldest one's time or None), or None when Redis is down (the caller then
        counts with get and set, which fall back to the database)."""
        if time.monotonic() < _primary_down_until.get(self._primary, 0):
            return None
        primary = caches[self._primary]
        if not isinstance(primary, RedisCache):
            return None
        key = primary.make_and_validate_key(key)
        member = f"{now!r}:{secrets.token_hex(4)}"
        try:
            client = primary._cache.get_client(key, write=True)
            allowed, count, oldest = _window_script(client)(
                keys=[key], args=[now, duration, limit, member], client=client
            )
        except RedisError as exc:
            with _lock:
                _primary_down_until[self._primary] = time.monotonic() + self._retry_seconds
            log.warning("cache.fallback", primary=self._primary, error=repr(exc))
            return None
        return bool(allowed), int(count), float(oldest) if allowed == 0 else None


# A sorted set of request times per key: drop those older than the window, then refuse or
# add this one (DRF's SimpleRateThrottle history, atomically and in one round trip).
_WINDOW_LUA = """
local now, duration, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - duration)
local count = redis.call('ZCARD', KEYS[1])
if count >= limit then
  return {0, count, redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2]}
end
redis.call('ZADD', KEYS[1], now, ARGV[4])
redis.call('EXPIRE', KEYS[1], math.ceil(duration))
return {1, count + 1, '0'}
"""


_window = []


def _window_script(client):
    """The script, registered once (its SHA is computed here; each call names its client)."""
    if not _window:
        _window.append(client.register_script(_WINDOW_LUA))
    return _window[0]
