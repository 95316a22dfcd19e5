"""Helpers for the fault suite: start several callers at the same instant, each on its own
database connection, and collect what each one got."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connections
from rest_framework.test import APIClient

from tests.labs.conftest import lab, london_site  # noqa: F401 - fixtures for the fault tests


@dataclass
class Outcome:
    value: Any = None
    error: BaseException | None = None


def race(*callers: Callable[[], Any], timeout: float = 60) -> list[Outcome]:
    """Run every caller in its own thread, released together by a barrier.

    Each thread opens its own database connection (Django keeps one per thread) and closes
    it at the end, so the callers really are concurrent transactions on PostgreSQL.
    """
    barrier = threading.Barrier(len(callers))
    outcomes = [Outcome() for _ in callers]

    def run(index: int, caller: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout)
            outcomes[index].value = caller()
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            outcomes[index].error = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(callers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(t.is_alive() for t in threads), "a racing caller never finished"
    return outcomes


def token_client(user) -> APIClient:
    """An API client of its own (one per thread), authenticated with the user's token, that
    answers a server error as a 500 response instead of raising it in the test."""
    from rest_framework.authtoken.models import Token

    token, _ = Token.objects.get_or_create(user=user)
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def statuses(outcomes: list[Outcome]) -> list[int]:
    """The HTTP status of each caller, sorted; a caller that raised fails the test."""
    errors = [o.error for o in outcomes if o.error is not None]
    assert errors == [], errors
    return sorted(o.value.status_code for o in outcomes)
