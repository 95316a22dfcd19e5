"""Cases that a later decision rests on are frozen.

A case named as evidence of a decided sign-off must stay as the decision saw it: editing or
deleting it would leave the decision with different evidence, or none, and no trace. The
logbook cannot import sign-off (sign-off is above it), so sign-off registers its rule here
when Django starts (`AccreditationConfig.ready`). With nothing registered nothing is frozen.
"""

from __future__ import annotations

from collections.abc import Callable

from accreditation.logbook.models import Case

EvidenceLock = Callable[[Case], "str | None"]  # (case) -> the 409 message, or None

_locks: list[EvidenceLock] = []


def register_evidence_lock(func: EvidenceLock) -> None:
    """Register `func(case) -> str | None`; registering the same function again is a no-op."""
    if func not in _locks:
        _locks.append(func)


def evidence_lock_refusal(case: Case) -> str | None:
    """Why `case` may not change now because a decision rests on it, or None."""
    for lock in _locks:
        message = lock(case)
        if message:
            return message
    return None
