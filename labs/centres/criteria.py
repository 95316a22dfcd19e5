"""A scheme's criteria (data: figure and minimum) against a centre's reported figures."""

from __future__ import annotations

from collections.abc import Mapping

from labs.centres.models import AccreditationScheme, ReturnFigure


def criteria_check(scheme: AccreditationScheme, figures: Mapping[str, int]) -> list[dict]:
    """One row per criterion: what it asks, the reported value (None when not reported) and
    whether it is met (a missing figure is not met)."""
    rows = []
    for criterion in scheme.criteria.all():
        value = figures.get(criterion.figure)
        rows.append({"figure": criterion.figure, "figure_name": ReturnFigure(criterion.figure).label,
                     "description": criterion.description, "minimum": criterion.minimum,
                     "value": value, "met": value is not None and value >= criterion.minimum})
    return rows
