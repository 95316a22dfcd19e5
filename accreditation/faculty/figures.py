"""What RASTrack holds beside what a trainer applicant typed: their own validated cases by
platform and their teaching evidence. The faculty cannot read the logbook, sign-off or labs
(they sit above it), so they register what they count at start-up: sign-off the main source
(cases by platform and the teaching it holds, `AccreditationConfig.ready`), and any app one
more teaching figure each (labs its sessions taught, `LabsConfig.ready`). The two registries
are separate so that the order the apps start in does not matter; with nothing registered
the figures are empty."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.utils import timezone

# The period the teaching figures look back on: the year a renewal covers.
PERIOD_DAYS = 365

_source: Callable | None = None
# label -> `func(applicant, *, since) -> int`, shown in registration order after the source's.
_teaching: dict[str, Callable] = {}


def register_applicant_figures(func: Callable) -> None:
    """`func(applicant, *, since) -> dict` with `cases_by_platform` ({platform: count}) and
    `teaching` ({label: count})."""
    global _source
    _source = func


def register_teaching_figure(label: str, func: Callable) -> None:
    """One more teaching figure: `func(applicant, *, since) -> int`. Registering a label again
    replaces it (a reload must not show it twice)."""
    _teaching[label] = func


def applicant_figures(applicant, *, since) -> dict:
    figures = {"cases_by_platform": {}, "teaching": {}} if _source is None else _source(applicant, since=since)
    teaching = dict(figures.get("teaching", {}))
    for label, func in _teaching.items():
        teaching[label] = func(applicant, since=since)
    return {**figures, "teaching": teaching}


def application_figures(application, *, today: datetime.date | None = None) -> dict:
    """The figures shown beside an application (its page and its API detail): the applicant's
    own cases, and their teaching since `PERIOD_DAYS` before today."""
    since = (today or timezone.localdate()) - datetime.timedelta(days=PERIOD_DAYS)
    return {**applicant_figures(application.applicant, since=since), "since": since}
