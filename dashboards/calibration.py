"""Over-logging and calibration figures, by the trainee's current region and month. Reads
only; one aggregate query each.

- **Over-logging** (`dashboards.selectors.overlogging_section`, from the case summary of
  `accreditation.logbook.summaries`): of the cases validated (by case date), how many the
  trainer corrected (`Case.disagreement`), split by what was corrected: the role (a trainee
  logging "console surgeon" for a case they assisted at) or the supervision code. The rate is
  disagreements / validated. `overlogged` counts the corrections that mattered: the trainee's
  claimed (role, code) counts as a higher kind of own work (observed < bedside < supervised
  console < independent console) than the validated one under the counting table
  (`accreditation.logbook.counting`) of the trainee's latest enrolment's pathway version, or
  the defaults for a trainee with none (`accreditation.logbook.summaries.is_overlogged`).
- **Calibration** (`assessment_gap_from_summary`): for each case rated by both the trainee
  (a self-assessment) and a trainer with the same tool, the gap self - trainer in points
  (positive: trainees rate themselves higher), as mean and mean absolute gap, by the month of
  the trainer's rating; read from sign-off's calibration summary (one query over a few
  hundred rows). `assessment_gap_by_region_month` computes the same from the assessments.
"""

from __future__ import annotations

import datetime

from django.db.models import (
    Avg,
    Count,
    DateField,
    F,
    FloatField,
    QuerySet,
)
from django.db.models.functions import Abs, Cast, TruncMonth

from accreditation.signoff.models import Assessment, CalibrationSummary
from accreditation.signoff.summaries import calibration_by_region_month, calibration_pairs

OVERLOGGING_COLUMNS = ("region", "region_name", "month", "validated", "disagreements", "role_corrected",
                       "supervision_corrected", "disagreement_rate", "overlogged")
CALIBRATION_COLUMNS = ("region", "region_name", "month", "tool", "pairs", "mean_gap", "mean_abs_gap")


def rounded(value, places: int = 2):
    return None if value is None else round(float(value), places)


def assessment_gap_by_region_month(assessments: QuerySet[Assessment]) -> list[dict]:
    """Trainer assessments among `assessments` that have a self-assessment of the same case
    and tool, grouped by the trainee's region, the month of the trainer's rating and the
    tool, computed from the assessments themselves (the summary's oracle in the tests)."""
    gap = Cast(F("gap"), FloatField())
    rows = (calibration_pairs(assessments)
            .annotate(month=TruncMonth("date", output_field=DateField()))
            .values("trainee__region_id", "trainee__region__name", "month", "tool__code")
            .annotate(pairs=Count("id"), mean_gap=Avg(gap), mean_abs_gap=Avg(Abs(gap)))
            .order_by("trainee__region__name", "month", "tool__code"))
    return [{"region": row["trainee__region_id"], "region_name": row["trainee__region__name"],
             "month": row["month"].strftime("%Y-%m"), "tool": row["tool__code"], "pairs": row["pairs"],
             "mean_gap": rounded(row["mean_gap"]), "mean_abs_gap": rounded(row["mean_abs_gap"])}
            for row in rows]


def assessment_gap_from_summary(summaries: QuerySet[CalibrationSummary]) -> list[dict]:
    """The same rows from the calibration summary (`accreditation/signoff/summaries.py`): the
    sums are whole points, so the means are exact (sum / pairs). One query."""
    return [{"region": row["region_id"], "region_name": row["region__name"],
             "month": row["month"].strftime("%Y-%m"), "tool": row["tool__code"], "pairs": row["pairs"],
             "mean_gap": rounded(row["gap_sum"] / row["pairs"]),
             "mean_abs_gap": rounded(row["abs_gap_sum"] / row["pairs"])}
            for row in calibration_by_region_month(summaries) if row["pairs"]]


def in_period(queryset: QuerySet, field: str, start: datetime.date, end_exclusive: datetime.date) -> QuerySet:
    return queryset.filter(**{f"{field}__gte": start, f"{field}__lt": end_exclusive})
