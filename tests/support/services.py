"""The services some tests need (PostgreSQL, Redis, Chromium): skipped locally when missing,
failed in CI (CI=true), where a skipped test would prove nothing."""

from __future__ import annotations

import os

import pytest

IN_CI = os.environ.get("CI", "").lower() == "true"


def needs(service: str, available: bool, reason: str) -> None:
    """Skip locally when a service is missing; in CI, fail: a skipped test proves nothing."""
    if available:
        return
    message = f"needs {service}: {reason}"
    if IN_CI:
        pytest.fail(f"{message} (CI=true, so this is a failure, not a skip)")
    pytest.skip(message)


def redis_reachable() -> bool:
    url = os.environ.get("REDIS_URL")
    if not url:
        return False
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False
