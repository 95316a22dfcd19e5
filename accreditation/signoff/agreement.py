"""Agreement between raters of a blinded video review: Krippendorff's alpha (interval).

The figures come from a maintained implementation (the `krippendorff` package), never a
formula of our own. Units are the tool's domains, one row per rater; a rating missing for a
domain is left out of the pairable values, as Krippendorff defines it. Alpha is undefined when
every rating is the same value (no variance to explain): that is reported as no value, with a
note, rather than as 1 or 0.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import krippendorff
import numpy as np

METHOD = "Krippendorff's alpha (interval), over the domain scores"


def krippendorff_interval(ratings: Sequence[Sequence[float | None]]) -> float | None:
    """Alpha for `ratings` (one list per rater, one value per unit; None = missing)."""
    data = np.array([[np.nan if value is None else float(value) for value in row] for row in ratings], dtype=float)
    values = data[~np.isnan(data)]
    if data.shape[0] < 2 or values.size == 0 or np.unique(values).size < 2:
        return None
    alpha = krippendorff.alpha(reliability_data=data, level_of_measurement="interval")
    return None if alpha is None or math.isnan(alpha) else float(alpha)
