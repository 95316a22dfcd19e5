"""The assessment instruments a requirement may name, read from the one place they are kept.

Instruments are data (`accreditation.signoff` keeps them: GEARS, and whatever a programme
admin adds). The curriculum sits below that app and cannot import it, so sign-off registers
how to read them when Django starts (`AccreditationConfig.ready`), as the evidence providers
are registered with the progress engine. Requirements name an instrument by its code.
"""

from __future__ import annotations

from collections.abc import Callable

ToolRanges = Callable[[], dict[str, tuple[int, int]]]  # code -> (lowest, highest) total

_tool_ranges: ToolRanges | None = None
_tool_scales: ToolRanges | None = None


def register_assessment_tools(func: ToolRanges) -> None:
    """Register `func()` -> {code: (lowest total, highest total)} of the active instruments."""
    global _tool_ranges
    _tool_ranges = func


def assessment_tool_ranges() -> dict[str, tuple[int, int]]:
    """The active instruments by code, with the range of their totals (none registered: none)."""
    return _tool_ranges() if _tool_ranges is not None else {}


def register_assessment_tool_scales(func: ToolRanges) -> None:
    """Register `func()` -> {code: (lowest score, highest score) of each domain}."""
    global _tool_scales
    _tool_scales = func


def assessment_tool_scales() -> dict[str, tuple[int, int]]:
    """The active instruments by code, with the range of one domain's score."""
    return _tool_scales() if _tool_scales is not None else {}


def tool_label(code: str) -> str:
    """How a requirement names an instrument: its code is its acronym (GEARS, NOTSS, RACE)."""
    return (code or "").upper()


# --- Simulator exercises ----------------------------------------------------------------------

# code -> (name, whether it is an FRS task)
ExerciseCatalogue = Callable[[], dict[str, tuple[str, bool]]]

_exercises: ExerciseCatalogue | None = None


def register_simulator_exercises(func: ExerciseCatalogue) -> None:
    """Register `func()` -> {code: (name, frs_task)} of the active simulator exercises."""
    global _exercises
    _exercises = func


def simulator_exercises() -> dict[str, tuple[str, bool]]:
    """The active simulator exercises by code (none registered: none)."""
    return _exercises() if _exercises is not None else {}
