"""Who must hear that trainees' latest enrolment may have changed pathway version.

The logbook classifies a trainer's past correction as over-logging by the counting table of
the trainee's latest enrolment (`accreditation.logbook.summaries`), and keeps the
classification in a summary table. The curriculum cannot import the logbook, so the logbook
registers a watcher here (in its `AppConfig.ready()`): given trainee ids before the change, it
returns what to do after it, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

Watcher = Callable[[list[int]], Callable[[], None]]

_watchers: list[Watcher] = []


def register_latest_pathway_watcher(func: Watcher) -> None:
    if func not in _watchers:
        _watchers.append(func)


@contextmanager
def latest_pathway_change(trainee_ids: Iterable[int]) -> Iterator[None]:
    """Around a write that may change which pathway version the trainees' latest enrolment
    is on (a new enrolment, a cohort move)."""
    ids = sorted(set(trainee_ids))
    after = [watcher(ids) for watcher in _watchers] if ids else []
    yield
    for then in after:
        then()
