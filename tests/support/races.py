"""Start several callers at the same instant, each on its own database connection, and
collect what each one got (the fault suite's races)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connections


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


def statuses(outcomes: list[Outcome]) -> list[int]:
    """The HTTP status of each caller, sorted; a caller that raised fails the test."""
    errors = [o.error for o in outcomes if o.error is not None]
    assert errors == [], errors
    return sorted(o.value.status_code for o in outcomes)
