"""The Redis cache backend, keeping its client object.

Django's Redis backend builds a new `redis.Redis` for every cache call, and each one fills a
table of about 170 reply parsers: with the API's throttle reading and writing the cache on
every request, that was a measurable slice of the busiest write's CPU. A `redis.Redis` is
only a handle on its connection pool and is safe to share, and Django already keeps one
backend (with its pools) per thread, so one client per pool is kept and reused.
"""

from __future__ import annotations

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[object, object] = {}

    def get_client(self, key=None, *, write=False):
        # Keyed by the pool Django chose: with replicas, a read picks its server at random.
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient
