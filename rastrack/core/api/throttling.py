"""The API's rate limits, counted in one atomic Redis call.

DRF's throttles read a client's request history from the cache and write it back: two round
trips on every API request, and two requests of one client arriving together both read the
same history, so both pass and one of them is forgotten. On Redis the window is a sorted set
of request times, trimmed, counted and (when the request is let through) added to by one
script, which Redis runs alone: one round trip, and no request is lost. On another cache
(the embedded default, the tests' in-memory one) DRF's own path is used, unchanged.

The rate, the client's identity and the answer (429 with Retry-After) are DRF's.
"""

from __future__ import annotations

import secrets

from django.core.cache import cache as default_cache
from django.core.cache import caches
from rest_framework import throttling

from rastrack.core.cache import RedisCache

# KEYS[1] the window; ARGV: now, duration (s), limit, a member unique to this request.
# Answers {1 if let through, requests in the window with this one, the oldest's time}.
_SLIDING_WINDOW = """
local now, duration, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - duration)
local n = redis.call('ZCARD', KEYS[1])
local allowed = 0
if n < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[4])
  redis.call('EXPIRE', KEYS[1], math.ceil(duration))
  n = n + 1
  allowed = 1
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {allowed, n, oldest[2] or tostring(now)}
"""


class CountedInRedis:
    """For a SimpleRateThrottle: the check in one Redis script when the cache is Redis."""

    # Not DRF's key: its history is a pickled list, this window a sorted set.
    cache_format = "throttle-window_%(scope)s_%(ident)s"

    def allow_request(self, request, view):
        # DRF's default cache is Django's proxy of this thread's backend, not the backend.
        backend = caches["default"] if self.cache is default_cache else self.cache
        if self.rate is None or not isinstance(backend, RedisCache):
            return super().allow_request(request, view)
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        key = backend.make_and_validate_key(self.key)
        client = backend._cache.get_client(key, write=True)
        allowed, self.window_count, oldest = client.eval(
            _SLIDING_WINDOW, 1, key, repr(self.now), self.duration, self.num_requests,
            f"{self.now!r}:{secrets.token_hex(6)}")
        self.window_oldest = float(oldest)
        self.history = None  # DRF's list: not kept on this path
        return bool(allowed) or self.throttle_failure()

    def wait(self):
        if getattr(self, "history", ()) is not None:
            return super().wait()
        # DRF's estimate, from the window's size and its oldest request.
        remaining = self.duration - (self.now - self.window_oldest)
        available = self.num_requests - self.window_count + 1
        if available <= 0:
            return None
        return max(0.0, remaining) / available


class AnonRateThrottle(CountedInRedis, throttling.AnonRateThrottle):
    """DRF's anonymous rate (`THROTTLE_ANON`), per client address."""


class UserRateThrottle(CountedInRedis, throttling.UserRateThrottle):
    """DRF's signed-in rate (`THROTTLE_USER`), per user."""


class ScopedRateThrottle(CountedInRedis, throttling.ScopedRateThrottle):
    """DRF's per-view rate (`throttle_scope`)."""

    def allow_request(self, request, view):
        # The scope, and so the rate, come from the view, as DRF's scoped throttle finds them.
        self.scope = getattr(view, self.scope_attr, None)
        if not self.scope:
            return True
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)
