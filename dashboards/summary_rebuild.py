"""The nightly rebuild of every summary table the dashboards read (beat task
`dashboards.rebuild_summaries`, at 02:30).

The services keep each summary exact in their transactions (`rastrack.core.summary_tables`);
the rebuild recomputes each from its source rows, corrects what differs, and says so: a
WARNING per summary that drifted and a `SummaryRebuild` row per summary and run. Drift means
the source rows changed behind the services' back (a raw SQL fix, a bulk load), or through a
change the summary's writers do not hear of.

A new summary adds its (name, rebuild) entry to `REBUILDS` (the rebuild returns the rows it
corrected: `rastrack.core.summary_tables.rebuild`) and its model to `SUMMARY_MODELS`, whose
row count is recorded.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.utils import timezone

from accreditation.logbook.models import CaseMonthSummary
from accreditation.logbook.summaries import rebuild_case_summary
from accreditation.signoff.models import (
    CalibrationSummary,
    SignoffPendingSummary,
    SignoffTurnaroundSummary,
)
from accreditation.signoff.summaries import (
    rebuild_calibration,
    rebuild_signoff_pending,
    rebuild_signoff_turnaround,
)
from labs.models import LabSessionSummary
from labs.summaries import rebuild_lab_session_summary

logger = logging.getLogger(__name__)

REBUILDS: list[tuple[str, Callable[[], int]]] = [
    ("cases", rebuild_case_summary),
    ("calibration", rebuild_calibration),
    ("signoff_pending", rebuild_signoff_pending),
    ("signoff_turnaround", rebuild_signoff_turnaround),
    ("lab_sessions", rebuild_lab_session_summary),
]

SUMMARY_MODELS = {"cases": CaseMonthSummary, "calibration": CalibrationSummary,
                  "signoff_pending": SignoffPendingSummary, "signoff_turnaround": SignoffTurnaroundSummary,
                  "lab_sessions": LabSessionSummary}


def rebuild_summaries(*, record: bool = True) -> dict[str, int]:
    """Rebuild every summary; returns {name: rows corrected}. `record=False` (after a bulk
    load, which fills the source tables without the services) neither warns nor records."""
    from dashboards.models import SummaryRebuild

    corrected: dict[str, int] = {}
    for name, rebuild in REBUILDS:
        corrected[name] = n = rebuild()
        if not record:
            continue
        model = SUMMARY_MODELS.get(name)
        rows = model.objects.count() if model is not None else None
        if n:
            logger.warning("Summary %s drifted: the nightly rebuild corrected %d rows (%s rows now).", name, n, rows)
        SummaryRebuild.objects.create(name=name, ran_at=timezone.now(), rows=rows, corrected=n)
    return corrected
