"""The Redis cache backend keeps one client per connection pool, and works as Django's."""

from __future__ import annotations

import os

import pytest

from rastrack.core.cache import RedisCache

pytestmark = pytest.mark.redis


def test_one_client_per_pool_and_the_cache_works():
    cache = RedisCache(os.environ["REDIS_URL"], {"KEY_PREFIX": "rastrack-test-cache"})
    client = cache._cache.get_client(write=True)
    assert cache._cache.get_client() is client and cache._cache.get_client(write=True) is client
    cache.set("k", {"n": 1}, 30)
    assert cache.get("k") == {"n": 1}
    assert cache.add("counter", 0, 30) and cache.incr("counter") == 1
    cache.delete_many(["k", "counter"])
    assert cache.get("k") is None


def test_with_replicas_each_client_is_bound_to_the_pool_it_is_kept_for():
    url = os.environ["REDIS_URL"]
    cache = RedisCache([url, url, url], {"KEY_PREFIX": "rastrack-test-cache"})
    for _ in range(30):  # reads pick a server at random
        client = cache._cache.get_client()
        assert client.connection_pool in cache._cache._pools.values()
        assert cache._cache._clients[client.connection_pool] is client
    assert len(cache._cache._clients) <= 3
