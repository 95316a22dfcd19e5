"""Enrolments of trainees on pathways, their pauses, and e-learning completions (evidence)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from curriculum.models.pathways import (
    Component,
    Pathway,
    Provenance,
)
from rastrack.audit.querysets import AuditedManager
from rastrack.core.pii import NoPIIValidator


class EnrolmentStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    COMPLETED = "completed", "Completed"
    WITHDRAWN = "withdrawn", "Withdrawn"


LIVE_ENROLMENT_STATUSES = (EnrolmentStatus.ACTIVE, EnrolmentStatus.PAUSED)


class PauseKind(models.TextChoices):
    LESS_THAN_FULL_TIME = "less_than_full_time", "Less-than-full-time training"
    OUT_OF_PROGRAMME = "out_of_programme", "Time out of programme"
    OTHER = "other", "Other"


class Enrolment(models.Model):
    trainee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="enrolments")
    pathway = models.ForeignKey(Pathway, on_delete=models.PROTECT, related_name="enrolments")
    status = models.CharField(max_length=10, choices=EnrolmentStatus.choices, default=EnrolmentStatus.ACTIVE)
    enrolled_on = models.DateField()
    target_date = models.DateField(help_text="Moves later by the length of each pause when it ends.")
    enrolled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    completed_on = models.DateField(null=True, blank=True)
    withdrawn_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    # Audited: bulk updates are refused (rastrack/audit/querysets.py); change rows through services.
    objects = AuditedManager()

    class Meta:
        ordering = ["-enrolled_on", "-id"]
        constraints = [
            # One live (active or paused) enrolment per trainee and pathway; completed and
            # withdrawn ones stay as history.
            models.UniqueConstraint(
                fields=["trainee", "pathway"], condition=Q(status__in=["active", "paused"]),
                name="enrolment_one_live_per_trainee_pathway",
            ),
            models.CheckConstraint(condition=Q(status__in=EnrolmentStatus.values), name="enrolment_status_valid"),
            models.CheckConstraint(condition=Q(target_date__gt=models.F("enrolled_on")),
                                   name="enrolment_target_after_start"),
            models.CheckConstraint(condition=~Q(status="completed") | Q(completed_on__isnull=False),
                                   name="enrolment_completed_has_date"),
            models.CheckConstraint(condition=~Q(status="withdrawn") | Q(withdrawn_on__isnull=False),
                                   name="enrolment_withdrawn_has_date"),
        ]

    def __str__(self) -> str:
        return f"{self.trainee} on {self.pathway}"

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_ENROLMENT_STATUSES


class EnrolmentPause(models.Model):
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="pauses")
    kind = models.CharField(max_length=30, choices=PauseKind.choices)
    reason = models.TextField(validators=[NoPIIValidator()])
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["enrolment_id", "started_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["enrolment"], condition=Q(ended_on__isnull=True),
                                    name="enrolment_pause_one_open"),
            models.CheckConstraint(condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                                   name="enrolment_pause_ends_after_start"),
            models.CheckConstraint(condition=Q(kind__in=PauseKind.values), name="enrolment_pause_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.started_on}"

    @property
    def days(self) -> int | None:
        return (self.ended_on - self.started_on).days if self.ended_on else None


class ELearningCompletion(models.Model):
    """A trainee's record that they completed an e-learning component (evidence for progress)."""

    trainee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                related_name="elearning_completions")
    component = models.ForeignKey(Component, on_delete=models.PROTECT, related_name="elearning_completions")
    completed_on = models.DateField()
    provider = models.CharField(max_length=200, validators=[NoPIIValidator()],
                                help_text="Who ran the course, e.g. the platform maker or e-LfH.")
    certificate = models.ForeignKey("core.EvidenceDocument", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    # Like a simulator session: self-reported until an assigned trainer verifies it (then frozen).
    provenance = models.CharField(max_length=20, choices=Provenance.choices, default=Provenance.SELF_REPORTED)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    verified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    # Audited: bulk updates are refused; verification goes through the one verify service.
    objects = AuditedManager()

    class Meta:
        ordering = ["-completed_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["trainee", "component", "completed_on"],
                                    name="elearning_completion_once_a_day"),
            models.CheckConstraint(condition=Q(provenance__in=Provenance.values), name="elearning_provenance_valid"),
            models.CheckConstraint(
                condition=Q(provenance="trainer_verified", verified_by__isnull=False, verified_at__isnull=False)
                | (~Q(provenance="trainer_verified") & Q(verified_by__isnull=True)),
                name="elearning_verified_by_trainer"),
            models.CheckConstraint(condition=~Q(verified_by=F("trainee")), name="elearning_not_verified_by_self"),
        ]

    def __str__(self) -> str:
        return f"{self.component} completed on {self.completed_on}"
