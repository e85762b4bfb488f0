"""The anonymous rate limit of the public reads (DESIGN.md §4), counted in one round trip.

DRF's SimpleRateThrottle reads the address's history from the cache and writes it back:
two round trips per public request. With Redis the same sliding window is one script call
(core.cache.FallbackCache.hit_window); while Redis is down, DRF's own get and set count in
the database as before. The window keeps DRF's rule: a request is refused while `rate`
requests fall within the last `duration` seconds, and refused requests are not counted.
"""

from rest_framework import throttling


class AnonRateThrottle(throttling.AnonRateThrottle):
    cache_format = "throttle_window_%(scope)s_%(ident)s"

    def allow_request(self, request, view):
        hit_window = getattr(self.cache, "hit_window", None)
        key = self.get_cache_key(request, view) if self.rate is not None else None
        if hit_window is None or key is None:
            return super().allow_request(request, view)
        self.key, self.now = key, self.timer()
        counted = hit_window(key, now=self.now, duration=self.duration, limit=self.num_requests)
        if counted is None:
            return super().allow_request(request, view)
        allowed, self._count, self._oldest = counted
        return allowed

    def wait(self):
        if not hasattr(self, "_count"):
            return super().wait()
        remaining = self.duration - (self.now - self._oldest)
        available = self.num_requests - self._count + 1
        return remaining / available if available > 0 else None
