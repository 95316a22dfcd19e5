"""Counts kept above the logbook that follow a case's procedure.

Sign-off's calibration summary counts the ratings of a case by its procedure's specialty; the
logbook cannot import sign-off (sign-off is above it), so sign-off registers here when Django
starts (`AccreditationConfig.ready`), as for evidence locks. The logbook's services call
`procedure_changing` inside their transaction, before they save a case with another
procedure or delete one (the case's ratings then lose their case).
"""

from __future__ import annotations

from collections.abc import Callable

from accreditation.logbook.models import Case
from rastrack.reference.models import Procedure

ProcedureWatcher = Callable[[Case, "Procedure | None"], None]  # (case as stored, new procedure or None)

_watchers: list[ProcedureWatcher] = []


def register_procedure_watcher(func: ProcedureWatcher) -> None:
    """Register `func(case, procedure)`; registering the same function again is a no-op."""
    if func not in _watchers:
        _watchers.append(func)


def procedure_changing(case: Case, procedure: Procedure | None) -> None:
    """`case` (not saved yet) is about to have `procedure`, or to be deleted (None)."""
    for watcher in _watchers:
        watcher(case, procedure)
