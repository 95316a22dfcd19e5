"""Who must hear that people moved to another region. The core's side of summaries that count
by a person's current region.

The logbook's case summary counts cases by the trainee's current region
(`accreditation.logbook.summaries`); the core must not import an app, so the logbook
registers a watcher here (`AccreditationConfig.ready`): given the ids of the people about to
move, it returns what to do once they have moved, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

Watcher = Callable[[list[int]], Callable[[], None]]

_watchers: list[Watcher] = []


def register_region_move_watcher(func: Watcher) -> None:
    if func not in _watchers:
        _watchers.append(func)


@contextmanager
def region_move(user_ids: Iterable[int]) -> Iterator[None]:
    """Around a write that changes the people's current region."""
    ids = sorted(set(user_ids))
    after = [watcher(ids) for watcher in _watchers] if ids else []
    yield
    for then in after:
        then()
