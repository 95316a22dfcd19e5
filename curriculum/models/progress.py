"""Progress summaries: kept fresh by a task (curriculum/progress_summary.py), read by dashboards."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from curriculum.models.enrolments import (
    Enrolment,
)
from curriculum.models.pathways import (
    ComponentKind,
    Requirement,
    RequirementType,
)


class ProgressBand(models.TextChoices):
    """The share of requirements met, in the bands the dashboards count."""

    BAND_0_25 = "band_0_25", "0-25 %"
    BAND_25_50 = "band_25_50", "25-50 %"
    BAND_50_75 = "band_50_75", "50-75 %"
    BAND_75_99 = "band_75_99", "75-99 %"
    COMPLETE = "complete", "Complete"


class ProgressSnapshot(models.Model):
    """What `curriculum.progress.progress_for(enrolment)` said when last computed.

    Dashboards count progress bands and outstanding lab sessions over thousands of
    enrolments with one aggregate query on these rows instead of evaluating every enrolment
    on request. `curriculum.progress_summary` keeps them: saving evidence bumps
    `generation` and sets `stale`; the beat task recomputes stale and missing snapshots, and
    a refresh clears `stale` only if no evidence arrived meanwhile (compare-and-set on
    `generation`).
    """

    enrolment = models.OneToOneField(Enrolment, on_delete=models.CASCADE, primary_key=True,
                                     related_name="progress_snapshot")
    met_count = models.PositiveIntegerField()
    total = models.PositiveIntegerField()
    share = models.FloatField()
    band = models.CharField(max_length=12, choices=ProgressBand.choices)
    computed_at = models.DateTimeField()
    generation = models.PositiveIntegerField(default=0)
    stale = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(band__in=ProgressBand.values), name="progress_snapshot_band_valid"),
            models.CheckConstraint(condition=Q(met_count__lte=models.F("total")),
                                   name="progress_snapshot_met_within_total"),
            models.CheckConstraint(condition=Q(share__gte=0) & Q(share__lte=1), name="progress_snapshot_share_0_1"),
        ]
        indexes = [
            models.Index(fields=["stale", "computed_at"], name="progress_snapshot_due_idx"),
        ]

    def __str__(self) -> str:
        return f"Progress of enrolment {self.enrolment_id}: {self.met_count}/{self.total}"


class RequirementSnapshot(models.Model):
    """One requirement's measurement inside a `ProgressSnapshot` (capacity-versus-need reads
    the unmet lab requirements from these)."""

    snapshot = models.ForeignKey(ProgressSnapshot, on_delete=models.CASCADE, related_name="requirements")
    requirement = models.ForeignKey(Requirement, on_delete=models.CASCADE, related_name="+")
    type = models.CharField(max_length=30, choices=RequirementType.choices)
    component_kind = models.CharField(max_length=30, choices=ComponentKind.choices)
    provider = models.CharField(max_length=60, blank=True)
    value = models.DecimalField(max_digits=10, decimal_places=1)
    target = models.DecimalField(max_digits=10, decimal_places=1)
    met = models.BooleanField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "requirement"], name="requirement_snapshot_once"),
        ]
        indexes = [
            models.Index(fields=["provider", "met"], name="requirement_snapshot_need_idx"),
        ]

    def __str__(self) -> str:
        return f"Requirement {self.requirement_id} of snapshot {self.snapshot_id}: {self.value}/{self.target}"
