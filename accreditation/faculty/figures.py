"""What RASTrack holds beside what a trainer applicant typed: their own validated cases by
platform and their teaching evidence. The faculty cannot read the logbook or sign-off (they
sit above it), so sign-off registers the function that counts them (`AccreditationConfig.ready`);
with none registered the figures are empty."""

from __future__ import annotations

from collections.abc import Callable

_source: Callable | None = None


def register_applicant_figures(func: Callable) -> None:
    """`func(applicant, *, since) -> dict` with `cases_by_platform` ({platform: count}) and
    `teaching` ({label: count})."""
    global _source
    _source = func


def applicant_figures(applicant, *, since) -> dict:
    if _source is None:
        return {"cases_by_platform": {}, "teaching": {}}
    return _source(applicant, since=since)
