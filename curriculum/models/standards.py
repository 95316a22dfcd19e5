"""The standards framework: versions, standards and the competencies that get signed off."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from curriculum.models.versioning import (
    DraftOnlyModel,
    Lifecycle,
    VersionedModel,
    _frozen_queryset,
)
from rastrack.core.pii import NoPIIValidator


class Domain(models.TextChoices):
    TECHNICAL_SKILLS = "technical_skills", "Technical skills"
    NON_TECHNICAL_SKILLS = "non_technical_skills", "Non-technical skills"
    PATIENT_SAFETY = "patient_safety", "Patient safety"
    TEAM_WORKING = "team_working", "Team working"
    GOVERNANCE = "governance", "Governance"
    TRAINING_DELIVERY = "training_delivery", "Training delivery"


class Framework(VersionedModel):
    """One version of the RAS training standards. A change to a published one is a new version."""

    code = models.SlugField(max_length=60, help_text="Names the family of versions, e.g. ras-standards.")
    version = models.PositiveIntegerField(default=1)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, validators=[NoPIIValidator()])
    status = models.CharField(max_length=10, choices=Lifecycle.choices, default=Lifecycle.DRAFT)
    created_from = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text="The version this draft was copied from.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="framework_code_version_unique"),
            # Only one draft per family: a second "new version" while one is open is a 409.
            models.UniqueConstraint(fields=["code"], condition=Q(status="draft"),
                                    name="framework_one_draft_per_code"),
            # One current version: publishing retires the previous one (versioning.py).
            models.UniqueConstraint(fields=["code"], condition=Q(status="published"),
                                    name="framework_one_published_per_code"),
            models.CheckConstraint(condition=Q(version__gte=1), name="framework_version_positive"),
            models.CheckConstraint(condition=Q(status__in=Lifecycle.values), name="framework_status_valid"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="framework_published_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version} ({self.get_status_display().lower()})"


class Standard(DraftOnlyModel):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="standards")
    code = models.CharField(max_length=20)
    title = models.CharField(max_length=200)
    domain = models.CharField(max_length=30, choices=Domain.choices)
    description = models.TextField(blank=True, validators=[NoPIIValidator()])
    order = models.PositiveSmallIntegerField(default=0)

    objects = _frozen_queryset("framework__status", "framework").as_manager()

    class Meta:
        ordering = ["framework_id", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="standard_code_unique_in_framework"),
            models.CheckConstraint(condition=Q(domain__in=Domain.values), name="standard_domain_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def owner_status(self) -> str | None:
        return Framework.objects.filter(pk=self.framework_id).values_list("status", flat=True).first()


class CompetencySetting(models.TextChoices):
    """Where a competency is shown: at the console, at the bedside, in the theatre team, or
    elsewhere. Non-surgeon faculty sign off bedside and team competencies only."""

    CONSOLE = "console", "Console"
    BEDSIDE = "bedside", "Bedside"
    TEAM = "team", "Theatre team"
    GENERAL = "general", "General"


class Competency(DraftOnlyModel):
    """A unit that gets signed off. `key` stays the same in every version of the framework,
    so evidence and sign-offs recorded against version 1 still count under version 2."""

    # Denormalised from the standard, so that codes and keys can be unique per framework
    # in the database and lookups by key need no join.
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="competencies")
    standard = models.ForeignKey(Standard, on_delete=models.CASCADE, related_name="competencies")
    key = models.SlugField(max_length=80, help_text="Stable across framework versions, e.g. emergency-undocking.")
    code = models.CharField(max_length=20)
    title = models.CharField(max_length=300)
    descriptors = models.TextField(blank=True, validators=[NoPIIValidator()],
                                   help_text="What a trainee who has this competency does.")
    order = models.PositiveSmallIntegerField(default=0)
    setting = models.CharField(max_length=10, choices=CompetencySetting.choices, default=CompetencySetting.GENERAL,
                               help_text="Console, bedside, theatre team or general: who may sign it off.")

    objects = _frozen_queryset("framework__status", "framework").as_manager()

    class Meta:
        ordering = ["framework_id", "standard__order", "order", "code"]
        verbose_name_plural = "competencies"
        constraints = [
            models.UniqueConstraint(fields=["framework", "key"], name="competency_key_unique_in_framework"),
            models.UniqueConstraint(fields=["framework", "code"], name="competency_code_unique_in_framework"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def owner_status(self) -> str | None:
        framework_id = self.framework_id
        if framework_id is None and self.standard_id is not None:
            framework_id = Standard.objects.filter(pk=self.standard_id).values_list("framework_id", flat=True).first()
        return Framework.objects.filter(pk=framework_id).values_list("status", flat=True).first()

    def clean(self) -> None:
        super().clean()
        if self.standard_id is not None:
            framework_id = Standard.objects.filter(pk=self.standard_id).values_list("framework_id", flat=True).first()
            if self.framework_id is None:
                self.framework_id = framework_id
            elif self.framework_id != framework_id:
                raise ValidationError({"standard": "The standard belongs to another framework."})
