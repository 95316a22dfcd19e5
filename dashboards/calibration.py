"""Over-logging and calibration figures, by the trainee's current region and month. Reads
only; one aggregate query each.

- **Over-logging** (`disagreement_by_region_month`): of the cases validated (by case date),
  how many the trainer corrected (`Case.disagreement`), split by what was corrected: the
  role (a trainee logging "console surgeon" for a case they assisted at) or the supervision
  code. The rate is disagreements / validated. `overlogged` counts the corrections that
  mattered: the trainee's claimed (role, code) counts as a higher kind of own work (observed <
  bedside < supervised console < independent console) than the validated one under the
  counting table (`accreditation.logbook.counting`) of the trainee's latest enrolment's pathway
  version, or the defaults for a trainee with none. Corrections are few, so they are grouped by
  what was claimed and confirmed in SQL and classified here (three queries, whatever the rows).
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
    Exists,
    F,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Abs, Cast, TruncMonth

from accreditation.logbook import counting
from accreditation.logbook.models import Case, CaseStatus, CaseStep, CountingRule
from accreditation.signoff.models import Assessment, CalibrationSummary
from accreditation.signoff.summaries import calibration_by_region_month, calibration_pairs
from curriculum.models import Enrolment

OVERLOGGING_COLUMNS = ("region", "region_name", "month", "validated", "disagreements", "role_corrected",
                       "supervision_corrected", "disagreement_rate", "overlogged")
CALIBRATION_COLUMNS = ("region", "region_name", "month", "tool", "pairs", "mean_gap", "mean_abs_gap")


def _rounded(value, places: int = 2):
    return None if value is None else round(float(value), places)


def disagreement_by_region_month(cases: QuerySet[Case]) -> list[dict]:
    """Validated cases among `cases`, grouped by the trainee's region and the case's month."""
    rows = (cases.filter(status=CaseStatus.VALIDATED, trainee__region__isnull=False)
            .annotate(month=TruncMonth("date", output_field=DateField()))
            .values("trainee__region_id", "trainee__region__name", "month")
            .annotate(validated=Count("id"),
                      disagreements=Count("id", filter=Q(disagreement=True)),
                      role_corrected=Count("id", filter=Q(disagreement=True) & ~Q(validated_role=F("role"))),
                      supervision_corrected=Count("id", filter=Q(disagreement=True)
                                                  & ~Q(validated_supervision=F("supervision"))))
            .order_by("trainee__region__name", "month"))
    overlogged = _overlogged_by_region_month(cases)
    return [{"region": row["trainee__region_id"], "region_name": row["trainee__region__name"],
             "month": row["month"].strftime("%Y-%m"), "validated": row["validated"],
             "disagreements": row["disagreements"], "role_corrected": row["role_corrected"],
             "supervision_corrected": row["supervision_corrected"],
             "disagreement_rate": _rounded(row["disagreements"] / row["validated"], 3),
             "overlogged": overlogged.get((row["trainee__region_id"], row["month"]), 0)} for row in rows]


def _overlogged_by_region_month(cases: QuerySet[Case]) -> dict:
    """(region id, month) -> corrected cases whose claim counts higher than what was validated."""
    latest_pathway = (Enrolment.objects.filter(trainee_id=OuterRef("trainee_id"))
                      .order_by("-id").values("pathway_id")[:1])
    corrected = cases.filter(status=CaseStatus.VALIDATED, trainee__region__isnull=False, disagreement=True)
    groups = list(corrected
                  .annotate(month=TruncMonth("date", output_field=DateField()),
                            pathway=Subquery(latest_pathway),
                            taken_over=Exists(CaseStep.objects.filter(case_id=OuterRef("pk"), takeover=True)))
                  .values("trainee__region_id", "month", "pathway", "role", "supervision", "validated_role",
                          "validated_supervision", "taken_over")
                  .annotate(n=Count("id")).order_by())
    own: dict[int, list] = {}
    # Every version those trainees are enrolled on (a superset of the latest ones), in one query
    # whatever the rows: the query count stays constant.
    rules = (CountingRule.objects.filter(pathway__enrolments__trainee__in=corrected.values("trainee_id"))
             .distinct().values_list("pathway_id", "counted_as", "role", "supervision", "takeover"))
    for rule in rules:
        own.setdefault(rule[0], []).append(counting.Rule(*rule[1:]))
    out: dict = {}
    for g in groups:
        rules = own.get(g["pathway"]) or counting.DEFAULT_RULES
        if counting.is_overlogged(claimed=(g["role"], g["supervision"]),
                                  validated=(g["validated_role"], g["validated_supervision"]),
                                  taken_over=g["taken_over"], rules=rules):
            key = (g["trainee__region_id"], g["month"])
            out[key] = out.get(key, 0) + g["n"]
    return out


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
             "mean_gap": _rounded(row["mean_gap"]), "mean_abs_gap": _rounded(row["mean_abs_gap"])}
            for row in rows]


def assessment_gap_from_summary(summaries: QuerySet[CalibrationSummary]) -> list[dict]:
    """The same rows from the calibration summary (`accreditation/signoff/summaries.py`): the
    sums are whole points, so the means are exact (sum / pairs). One query."""
    return [{"region": row["region_id"], "region_name": row["region__name"],
             "month": row["month"].strftime("%Y-%m"), "tool": row["tool__code"], "pairs": row["pairs"],
             "mean_gap": _rounded(row["gap_sum"] / row["pairs"]),
             "mean_abs_gap": _rounded(row["abs_gap_sum"] / row["pairs"])}
            for row in calibration_by_region_month(summaries) if row["pairs"]]


def in_period(queryset: QuerySet, field: str, start: datetime.date, end_exclusive: datetime.date) -> QuerySet:
    return queryset.filter(**{f"{field}__gte": start, f"{field}__lt": end_exclusive})
