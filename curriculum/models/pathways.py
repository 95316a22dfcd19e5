"""Pathways: versions bound to a framework version, their modules, components and requirements."""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from curriculum.models.standards import Competency, Framework
from curriculum.models.versioning import (
    DraftOnlyModel,
    Lifecycle,
    VersionedModel,
    _frozen_queryset,
)
from rastrack.core.pii import NoPIIValidator
from rastrack.reference.models import Platform, Procedure, ProcedureStep


class Audience(models.TextChoices):
    TRAINEE = "trainee", "Surgical trainees"
    ESTABLISHED_SURGEON = "established_surgeon", "Established surgeons"
    BEDSIDE_ASSISTANT = "bedside_assistant", "Bedside assistants (theatre team)"
    TRAINER = "trainer", "Trainers"


class ComponentKind(models.TextChoices):
    E_LEARNING = "e_learning", "E-learning"
    SIMULATION = "simulation", "Simulation"
    DRY_LAB = "dry_lab", "Dry lab"
    WET_LAB = "wet_lab", "Wet lab"
    CASE_OBSERVATION = "case_observation", "Case observation"
    BEDSIDE_ASSISTING = "bedside_assisting", "Bedside assisting"
    SUPERVISED_CONSOLE_CASES = "supervised_console_cases", "Supervised console cases"
    INDEPENDENT_CONSOLE_CASES = "independent_console_cases", "Independent console cases"
    ASSESSMENT = "assessment", "Assessment"
    FINAL_SIGNOFF = "final_signoff", "Final sign-off"


class RequirementType(models.TextChoices):
    MIN_COUNT = "min_count", "Minimum count"
    MIN_HOURS = "min_hours", "Minimum hours"
    MIN_SCORE = "min_score", "Minimum score"
    COMPETENCY_SIGNOFF = "competency_signoff", "Competency signed off"
    ASSESSMENT_THRESHOLD = "assessment_threshold", "Assessment threshold"
    ENTRUSTMENT_LEVEL = "entrustment_level", "Supervision level reached"
    VIDEO_REVIEW_PASSED = "video_review_passed", "Blinded video review passed"
    FINAL_SIGNOFF = "final_signoff", "Final sign-off"
    SIMULATOR_PROFICIENCY = "simulator_proficiency", "Simulator proficiency"
    ACCREDITED_COURSE = "accredited_course", "Course from an accredited provider"


class Provenance(models.TextChoices):
    """Where a piece of evidence a trainee can enter comes from (simulator sessions, e-learning
    completions): the one list, read by the logbook's sessions and by requirements."""

    SELF_REPORTED = "self_reported", "Self-reported"
    TRAINER_VERIFIED = "trainer_verified", "Verified by a trainer"
    DEVICE_IMPORT = "device_import", "Imported from the device"


EVIDENCE_PROVENANCES = tuple(Provenance.values)
# What a new requirement counts: a typed score counts only once a trainer has checked it.
DEFAULT_PROVENANCES = ("trainer_verified", "device_import")


def default_provenances() -> list[str]:
    return list(DEFAULT_PROVENANCES)


class Pathway(VersionedModel):
    """An ordered list of modules for one audience, bound to one framework version."""

    mutable_when_published = frozenset({"status", "published_at", "retired_at", "self_enrol"})
    frozen_what = "pathway"

    code = models.SlugField(max_length=60, help_text="Names the family of versions, e.g. robotic-literacy.")
    version = models.PositiveIntegerField(default=1)
    title = models.CharField(max_length=200)
    audience = models.CharField(max_length=30, choices=Audience.choices)
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="pathways")
    description = models.TextField(blank=True, validators=[NoPIIValidator()])
    self_enrol = models.BooleanField(
        default=False, help_text="Trainees may enrol themselves; otherwise a lead or admin enrols them.")
    duration_weeks = models.PositiveSmallIntegerField(
        default=52, help_text="Nominal length: the default target date is enrolment + this.")
    status = models.CharField(max_length=10, choices=Lifecycle.choices, default=Lifecycle.DRAFT)
    created_from = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["title", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="pathway_code_version_unique"),
            models.UniqueConstraint(fields=["code"], condition=Q(status="draft"),
                                    name="pathway_one_draft_per_code"),
            # One current version: publishing retires the previous one (versioning.py).
            models.UniqueConstraint(fields=["code"], condition=Q(status="published"),
                                    name="pathway_one_published_per_code"),
            models.CheckConstraint(condition=Q(version__gte=1), name="pathway_version_positive"),
            models.CheckConstraint(condition=Q(status__in=Lifecycle.values), name="pathway_status_valid"),
            models.CheckConstraint(condition=Q(audience__in=Audience.values), name="pathway_audience_valid"),
            models.CheckConstraint(condition=Q(duration_weeks__gte=1), name="pathway_duration_positive"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="pathway_published_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


class _PathwayPart(DraftOnlyModel):
    frozen_what = "pathway"

    class Meta:
        abstract = True


class Module(_PathwayPart):
    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="modules")
    order = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, validators=[NoPIIValidator()])
    is_final = models.BooleanField(
        default=False, editable=False,
        help_text="The pathway's last module: its final sign-off. Made by the service, one per pathway.",
    )

    objects = _frozen_queryset("pathway__status", "pathway").as_manager()

    class Meta:
        # The final module always sorts last, whatever the order numbers of the others.
        ordering = ["pathway_id", "is_final", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["pathway", "order"], condition=Q(is_final=False),
                                    name="module_order_unique_in_pathway"),
            models.UniqueConstraint(fields=["pathway"], condition=Q(is_final=True),
                                    name="module_one_final_per_pathway"),
        ]

    def __str__(self) -> str:
        return self.title

    def owner_status(self) -> str | None:
        return Pathway.objects.filter(pk=self.pathway_id).values_list("status", flat=True).first()


class Component(_PathwayPart):
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="components")
    # Copied unchanged into the next version of the pathway, so that evidence recorded
    # against this component (an e-learning completion) counts in later versions too.
    key = models.UUIDField(default=uuid.uuid4, editable=False, db_index=True)
    order = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=ComponentKind.choices)
    description = models.TextField(blank=True, validators=[NoPIIValidator()])

    objects = _frozen_queryset("module__pathway__status", "pathway").as_manager()

    class Meta:
        ordering = ["module_id", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["module", "key"], name="component_key_unique_in_module"),
            models.CheckConstraint(condition=Q(kind__in=ComponentKind.values), name="component_kind_valid"),
        ]

    def __str__(self) -> str:
        return self.title

    def owner_status(self) -> str | None:
        return Module.objects.filter(pk=self.module_id).values_list("pathway__status", flat=True).first()


# Requirement parameters stored as typed columns; each type uses exactly these, the rest are empty.
PARAM_COLUMNS: dict[str, tuple[str, ...]] = {
    RequirementType.MIN_COUNT: ("count",),
    RequirementType.MIN_HOURS: ("hours",),
    RequirementType.MIN_SCORE: ("score", "consecutive", "exercise"),
    RequirementType.COMPETENCY_SIGNOFF: ("competency",),
    RequirementType.ASSESSMENT_THRESHOLD: ("tool", "min_total", "consecutive"),
    RequirementType.FINAL_SIGNOFF: (),
    RequirementType.SIMULATOR_PROFICIENCY: ("consecutive", "exercises", "all_frs_tasks"),
    RequirementType.ACCREDITED_COURSE: ("count",),
}


_NULLABLE_PARAMS = ("count", "hours", "score", "consecutive", "min_total", "competency", "min_domain", "level",
                    "min_agreement")


_BLANK_PARAMS = ("exercise", "tool", "modes")


def _only(*used: str) -> Q:
    """The parameter columns not in `used` are empty."""
    condition = Q()
    for name in _NULLABLE_PARAMS:
        if name not in used:
            condition &= Q(**{f"{name}__isnull": True})
    for name in _BLANK_PARAMS:
        if name not in used:
            condition &= Q(**{name: ""})
    return condition


_NOT_NARROWED = Q(platform="") & Q(procedure__isnull=True) & Q(procedure_step__isnull=True)


class Requirement(_PathwayPart):
    """A measurable rule of a component, as validated data (see curriculum/rules.py).

    Parameters by type (columns; `params` gives them as a dict):
      min_count            count (>= 1)
      min_hours            hours (> 0, one decimal place)
      min_score            score (0-100), consecutive (>= 1), exercise (optional)
      competency_signoff   competency (of the pathway's framework; its `key` is what counts)
      assessment_threshold tool (any active tool's code), min_total (within the tool's range) and / or
                           min_domain (every domain at least this), consecutive, modes (optional)
      entrustment_level    level (ISCP 1-5), count (>= 1), modes (optional), competency (optional:
                           only assessments of that competency, by its key, count); narrowed to a procedure
                           step it reads the assessment's level for that step
      video_review_passed  tool, min_total (the mean total), min_agreement (0-1)
      final_signoff        none; one per pathway, made by the service, always last
      simulator_proficiency exercises (codes) or all_frs_tasks, consecutive (default 2)
    `provenances` says which simulator sessions and e-learning completions count
    (self_reported, trainer_verified, device_import).
    Any type but the sign-offs may be narrowed by platform, procedure and procedure step.
    """

    component = models.ForeignKey(Component, on_delete=models.CASCADE, related_name="requirements")
    type = models.CharField(max_length=30, choices=RequirementType.choices)
    count = models.PositiveIntegerField(null=True, blank=True)
    hours = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    consecutive = models.PositiveSmallIntegerField(null=True, blank=True)
    exercise = models.CharField(max_length=120, blank=True, validators=[NoPIIValidator()])
    tool = models.CharField(max_length=20, blank=True,
                            help_text="An assessment instrument's code (see /api/v1/assessment-tools/).")
    min_total = models.PositiveSmallIntegerField(null=True, blank=True)
    min_domain = models.PositiveSmallIntegerField(null=True, blank=True,
                                                  help_text="Every domain of the tool at least this.")
    modes = models.CharField(max_length=60, blank=True,
                             help_text="Comma-separated assessment modes that count (empty: any).")
    level = models.PositiveSmallIntegerField(null=True, blank=True, help_text="ISCP supervision level, 1-5 (I-V).")
    min_agreement = models.DecimalField(max_digits=4, decimal_places=3, null=True, blank=True,
                                        help_text="The least inter-rater agreement (Krippendorff's alpha).")
    competency = models.ForeignKey(Competency, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="requirements")
    # simulator_proficiency: the exercises' codes (accreditation's catalogue), or every FRS task.
    exercises = models.JSONField(default=list, blank=True)
    all_frs_tasks = models.BooleanField(default=False)
    # Which provenances of simulator and e-learning evidence count (published versions kept all three).
    provenances = models.JSONField(default=default_provenances, blank=True)
    platform = models.CharField(max_length=20, choices=Platform.choices, blank=True)
    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    procedure_step = models.ForeignKey(ProcedureStep, on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="+")

    objects = _frozen_queryset("component__module__pathway__status", "pathway").as_manager()

    class Meta:
        ordering = ["component_id", "id"]
        # One CHECK per type. SQL passes a CHECK that evaluates to NULL, so the columns a type
        # needs are required explicitly (isnull=False), not only compared.
        constraints = [
            models.CheckConstraint(condition=Q(type__in=RequirementType.values), name="requirement_type_valid"),
            models.CheckConstraint(
                condition=~Q(type="min_count") | (Q(count__isnull=False, count__gte=1) & _only("count")),
                name="requirement_min_count_params",
            ),
            models.CheckConstraint(
                condition=~Q(type="accredited_course") | (Q(count__isnull=False, count__gte=1) & _only("count")),
                name="requirement_accredited_course_params"),
            models.CheckConstraint(
                condition=~Q(type="min_hours") | (Q(hours__isnull=False, hours__gt=0) & _only("hours")),
                name="requirement_min_hours_params",
            ),
            models.CheckConstraint(
                condition=~Q(type="min_score") | (
                    Q(score__isnull=False, consecutive__isnull=False, score__lte=100, consecutive__gte=1)
                    & _only("score", "consecutive", "exercise")),
                name="requirement_min_score_params",
            ),
            models.CheckConstraint(
                condition=~Q(type="competency_signoff") | (
                    Q(competency__isnull=False) & _only("competency") & _NOT_NARROWED),
                name="requirement_competency_signoff_params",
            ),
            models.CheckConstraint(
                condition=~Q(type="assessment_threshold") | (
                    ~Q(tool="") & (Q(min_total__isnull=False) | Q(min_domain__isnull=False))
                    & Q(consecutive__isnull=False, consecutive__gte=1)
                    & _only("tool", "min_total", "min_domain", "consecutive", "modes")),
                name="requirement_assessment_threshold_params",
            ),
            models.CheckConstraint(
                condition=~Q(type="simulator_proficiency") | (
                    Q(consecutive__isnull=False, consecutive__gte=1) & _only("consecutive")),
                name="requirement_simulator_proficiency_params",
            ),
            models.CheckConstraint(
                condition=~Q(type="entrustment_level") | (
                    Q(level__isnull=False, level__gte=1, level__lte=5, count__isnull=False, count__gte=1)
                    & _only("level", "count", "modes", "competency")),
                name="requirement_entrustment_level_params",
            ),
            models.CheckConstraint(
                condition=~Q(type="video_review_passed") | (
                    ~Q(tool="") & Q(min_total__isnull=False, min_agreement__isnull=False)
                    & _only("tool", "min_total", "min_agreement")),
                name="requirement_video_review_passed_params",
            ),
            models.CheckConstraint(
                condition=~Q(type="final_signoff") | (_only() & _NOT_NARROWED),
                name="requirement_final_signoff_params",
            ),
            models.CheckConstraint(
                condition=Q(procedure_step__isnull=True) | Q(procedure__isnull=False),
                name="requirement_step_needs_procedure",
            ),
            models.CheckConstraint(
                condition=Q(platform="") | Q(platform__in=Platform.values),
                name="requirement_platform_valid",
            ),
        ]

    def __str__(self) -> str:
        from curriculum.rules import requirement_description

        return requirement_description(self)

    def owner_status(self) -> str | None:
        return (
            Component.objects.filter(pk=self.component_id)
            .values_list("module__pathway__status", flat=True).first()
        )

    @property
    def params(self) -> dict:
        """The parameters of this type as a JSON-ready dict (hours as a string, like "5.0")."""
        from curriculum.rules import params_of

        return params_of(self)

    @property
    def competency_key(self) -> str | None:
        return self.competency.key if self.competency_id else None

    @property
    def pathway_id(self) -> int:
        return self.component.module.pathway_id

    def clean(self) -> None:
        """The same validation as the service, for admin forms: per-field messages."""
        super().clean()
        from curriculum.rules import requirement_column_errors

        errors = requirement_column_errors(self)
        if errors:
            raise ValidationError(errors)
