"""The API's rate limits: one atomic Redis call on Redis, DRF's own path on any other cache."""

from __future__ import annotations

import os
import threading
import uuid
from types import SimpleNamespace

import pytest
from django.core.cache.backends.locmem import LocMemCache

from rastrack.core.api.throttling import UserRateThrottle
from rastrack.core.cache import RedisCache


def _throttle(cache, rate: str, clock: list[float]) -> UserRateThrottle:
    throttle = UserRateThrottle.__new__(UserRateThrottle)
    throttle.cache, throttle.rate, throttle.timer = cache, rate, lambda: clock[0]
    throttle.num_requests, throttle.duration = throttle.parse_rate(rate)
    return throttle


def _request(user_pk: int):
    return SimpleNamespace(user=SimpleNamespace(pk=user_pk, is_authenticated=True), META={})


@pytest.fixture
def redis_cache():
    # A prefix of its own: the database is shared with the broker and with other workers' tests.
    cache = RedisCache(os.environ["REDIS_URL"], {"KEY_PREFIX": f"rastrack-test-throttle-{uuid.uuid4().hex}"})
    yield cache
    client = cache._cache.get_client(write=True)
    for key in client.scan_iter(match=cache.make_key("*")):
        client.delete(key)


def _answers(cache, rate: str, clock: list[float], times: int, user_pk: int = 7) -> list[bool]:
    return [_throttle(cache, rate, clock).allow_request(_request(user_pk), None) for _ in range(times)]


@pytest.mark.redis
def test_on_redis_the_rate_is_kept_and_the_wait_is_drfs_estimate(redis_cache):
    clock = [1_000_000.0]
    assert _answers(redis_cache, "3/minute", clock, 3) == [True, True, True]
    clock[0] += 20
    refused = _throttle(redis_cache, "3/minute", clock)
    assert refused.allow_request(_request(7), None) is False
    assert refused.wait() == pytest.approx(40.0)  # the oldest leaves the window in 40 s
    assert _answers(redis_cache, "3/minute", clock, 1, user_pk=8) == [True]  # another user's own window
    clock[0] += 41  # the first three have left the window
    assert _answers(redis_cache, "3/minute", clock, 4) == [True, True, True, False]
    key = redis_cache.make_and_validate_key("throttle-window_user_7")
    assert redis_cache._cache.get_client().ttl(key) in range(1, 61)  # the window expires with its rate


@pytest.mark.redis
def test_on_redis_clients_arriving_together_are_all_counted(redis_cache):
    # DRF reads the history and writes it back: requests that read it together all pass.
    # The script runs alone, so exactly the limit passes, whatever the interleaving.
    clock = [2_000_000.0]
    answers: list[bool] = []
    start = threading.Barrier(24)

    def one():
        throttle = _throttle(redis_cache, "10/minute", clock)
        start.wait()
        answers.append(throttle.allow_request(_request(9), None))

    threads = [threading.Thread(target=one) for _ in range(24)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [False] * 14 + [True] * 10


def test_on_another_cache_drfs_path_is_taken_unchanged():
    cache = LocMemCache("throttle-test", {})
    clock = [3_000_000.0]
    assert _answers(cache, "2/minute", clock, 3) == [True, True, False]
    assert cache.get("throttle-window_user_7") == [clock[0], clock[0]]  # DRF's history, a list
    refused = _throttle(cache, "2/minute", clock)
    assert refused.allow_request(_request(7), None) is False
    assert refused.wait() == pytest.approx(60.0)


@pytest.mark.redis
def test_the_api_answers_429_with_retry_after_once_the_user_rate_is_spent(api, trainee, settings):
    from django.core.cache import caches
    from rest_framework.settings import api_settings
    from rest_framework.throttling import SimpleRateThrottle

    prefix = f"rastrack-test-throttle-{uuid.uuid4().hex}"
    settings.CACHES = {"default": {"BACKEND": "rastrack.core.cache.RedisCache",
                                   "LOCATION": os.environ["REDIS_URL"], "KEY_PREFIX": prefix}}
    assert isinstance(caches["default"], RedisCache)  # as in production with REDIS_URL
    original = SimpleRateThrottle.THROTTLE_RATES
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK,
                               "DEFAULT_THROTTLE_RATES": {**original, "user": "3/minute"}}
    SimpleRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
    try:
        client = api.as_user(trainee)
        answers = [client.get("/api/v1/me/") for _ in range(4)]
    finally:
        SimpleRateThrottle.THROTTLE_RATES = original
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert 0 < int(answers[-1]["Retry-After"]) <= 60
    client = caches["default"]._cache.get_client(write=True)
    window = caches["default"].make_and_validate_key(f"throttle-window_user_{trainee.pk}")
    assert client.zcard(window) == 3  # the refused request is not counted
    client.delete(window)
