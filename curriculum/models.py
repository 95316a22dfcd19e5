"""Standards, pathways, modules, requirements and enrolments (issue [Curriculum]).

The shape:

    Framework (versioned: draft -> published -> retired)
      Standard (code unique within the framework, a domain)
        Competency (code, title, descriptors; a `key` stable across versions)
    Pathway (versioned like a framework, bound to one framework version)
      Module (ordered; the last one, `is_final`, holds the final sign-off)
        Component (of a kind: e-learning, simulation, ...; a `key` stable across versions)
          Requirement (a measurable rule stored as typed columns, one CheckConstraint per type)
    Enrolment (a trainee on a pathway; pauses move its target date)
    ELearningCompletion (e-learning evidence, recorded by the trainee)
    ResourceSubmission -> LearningResource (crowdsourced, moderated learning material)

Published material is frozen. Services refuse edits with a 409 first; the models refuse
them again (`save`, `delete`, and queryset `update` / `delete`), so admin, shells and
later code cannot change a published framework or pathway by accident either.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from rastrack.audit.querysets import AuditedManager
from rastrack.core.exceptions import Conflict
from rastrack.core.pii import NoPIIValidator
from rastrack.reference.models import Platform, Procedure, ProcedureStep  # noqa: F401 - Platform re-exported

FROZEN_MESSAGE = (
    "This {what} is published and cannot be changed: create a new version and edit that."
)


# --- Choices ---------------------------------------------------------------------------------


class Lifecycle(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    RETIRED = "retired", "Retired"


class Domain(models.TextChoices):
    TECHNICAL_SKILLS = "technical_skills", "Technical skills"
    NON_TECHNICAL_SKILLS = "non_technical_skills", "Non-technical skills"
    PATIENT_SAFETY = "patient_safety", "Patient safety"
    TEAM_WORKING = "team_working", "Team working"
    GOVERNANCE = "governance", "Governance"
    TRAINING_DELIVERY = "training_delivery", "Training delivery"


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
    FINAL_SIGNOFF = "final_signoff", "Final sign-off"




class AssessmentTool(models.TextChoices):
    GEARS = "gears", "GEARS"


# The range of a tool's total: GEARS has 6 domains scored 1-5 (DOMAIN.md).
ASSESSMENT_TOTAL_RANGE = {AssessmentTool.GEARS: (6, 30)}


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


class ResourceStatus(models.TextChoices):
    PENDING = "pending", "Waiting for moderation"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


# A URL in one of these states is "in the catalogue": a second submission of it is a duplicate.
CATALOGUE_STATUSES = (ResourceStatus.PENDING, ResourceStatus.APPROVED)


class ResourceFormat(models.TextChoices):
    E_LEARNING = "e_learning", "Online course or module"
    VIDEO = "video", "Video"
    ARTICLE = "article", "Article or paper"
    WEBINAR = "webinar", "Webinar or lecture"
    PODCAST = "podcast", "Podcast"
    SIMULATION = "simulation", "Simulation exercise"
    GUIDELINE = "guideline", "Guideline or standard"
    OTHER = "other", "Other"


class ResourceAudience(models.TextChoices):
    EVERYONE = "everyone", "Everyone in robotic surgery"
    TRAINEE = "trainee", "Surgical trainees"
    ESTABLISHED_SURGEON = "established_surgeon", "Established surgeons"
    THEATRE_TEAM = "theatre_team", "Theatre team and bedside assistants"
    TRAINER = "trainer", "Trainers"


class Licence(models.TextChoices):
    CC0 = "cc0", "CC0 (public domain)"
    CC_BY = "cc_by", "CC BY"
    CC_BY_SA = "cc_by_sa", "CC BY-SA"
    CC_BY_NC = "cc_by_nc", "CC BY-NC"
    CC_BY_NC_SA = "cc_by_nc_sa", "CC BY-NC-SA"
    CC_BY_ND = "cc_by_nd", "CC BY-ND"
    CC_BY_NC_ND = "cc_by_nc_nd", "CC BY-NC-ND"
    OGL = "ogl", "Open Government Licence"
    FREE_TO_ACCESS = "free_to_access", "Free to access (all rights reserved)"
    OTHER = "other", "Other open licence"


class Topic(models.TextChoices):
    PLATFORMS = "platforms", "Platforms and device knowledge"
    DOCKING = "docking", "Port placement and docking"
    EMERGENCY_UNDOCKING = "emergency_undocking", "Emergency undocking"
    TEAM_COMMUNICATION = "team_communication", "Team working and communication"
    PATIENT_SAFETY = "patient_safety", "Patient safety"
    SIMULATION = "simulation", "Simulation and basic skills"
    CONSOLE_SKILLS = "console_skills", "Console skills"
    PROCEDURES = "procedures", "Procedures and techniques"
    NON_TECHNICAL_SKILLS = "non_technical_skills", "Non-technical skills"
    ASSESSMENT = "assessment", "Assessment and feedback"
    TRAINING_THE_TRAINER = "training_the_trainer", "Training the trainer"
    GOVERNANCE = "governance", "Governance and outcomes"


# --- Freezing published material ---------------------------------------------------------------


def _frozen_queryset(status_lookup: str, what: str) -> type[models.QuerySet]:
    """A queryset whose bulk `update` / `delete` refuse rows that belong to published material."""

    class FrozenAwareQuerySet(models.QuerySet):
        def _refuse_frozen(self) -> None:
            if self.exclude(**{status_lookup: Lifecycle.DRAFT}).exists():
                raise Conflict(FROZEN_MESSAGE.format(what=what))

        def update(self, **kwargs):
            self._refuse_frozen()
            return super().update(**kwargs)

        def delete(self):
            self._refuse_frozen()
            return super().delete()

    FrozenAwareQuerySet.__name__ = f"FrozenAwareQuerySet_{what.replace(' ', '_')}"
    return FrozenAwareQuerySet


class DraftOnlyModel(models.Model):
    """A part of a framework or pathway: saved or deleted only while its owner is a draft.

    The owner's status is read from the database, not from a possibly stale instance.
    """

    frozen_what = "framework"

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self._refuse_if_frozen()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._refuse_if_frozen()
        return super().delete(*args, **kwargs)

    def owner_status(self) -> str | None:  # pragma: no cover - each subclass says
        raise NotImplementedError

    def _refuse_if_frozen(self) -> None:
        status = self.owner_status()
        if status is not None and status != Lifecycle.DRAFT:
            raise Conflict(FROZEN_MESSAGE.format(what=self.frozen_what))


class VersionedModel(models.Model):
    """A framework or pathway: once published, only its lifecycle fields may change."""

    # Fields a published or retired version may still change (with update_fields).
    mutable_when_published: frozenset[str] = frozenset({"status", "published_at", "retired_at"})
    frozen_what = "framework"

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            stored = type(self).objects.filter(pk=self.pk).values_list("status", flat=True).first()
            if stored is not None and stored != Lifecycle.DRAFT:
                fields = kwargs.get("update_fields")
                if fields is None or not set(fields) <= self.mutable_when_published:
                    raise Conflict(FROZEN_MESSAGE.format(what=self.frozen_what))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        stored = type(self).objects.filter(pk=self.pk).values_list("status", flat=True).first()
        if stored is not None and stored != Lifecycle.DRAFT:
            raise Conflict(FROZEN_MESSAGE.format(what=self.frozen_what))
        return super().delete(*args, **kwargs)

    @property
    def is_draft(self) -> bool:
        return self.status == Lifecycle.DRAFT


# --- Standards --------------------------------------------------------------------------------


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


# --- Pathways ---------------------------------------------------------------------------------


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
}
_NULLABLE_PARAMS = ("count", "hours", "score", "consecutive", "min_total", "competency")
_BLANK_PARAMS = ("exercise", "tool")


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
      assessment_threshold tool (gears), min_total (within the tool's range), consecutive
      final_signoff        none; one per pathway, made by the service, always last
    Any type but the sign-offs may be narrowed by platform, procedure and procedure step.
    """

    component = models.ForeignKey(Component, on_delete=models.CASCADE, related_name="requirements")
    type = models.CharField(max_length=30, choices=RequirementType.choices)
    count = models.PositiveIntegerField(null=True, blank=True)
    hours = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    consecutive = models.PositiveSmallIntegerField(null=True, blank=True)
    exercise = models.CharField(max_length=120, blank=True, validators=[NoPIIValidator()])
    tool = models.CharField(max_length=20, choices=AssessmentTool.choices, blank=True)
    min_total = models.PositiveSmallIntegerField(null=True, blank=True)
    competency = models.ForeignKey(Competency, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="requirements")
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
                    ~Q(tool="") & Q(min_total__isnull=False, consecutive__isnull=False, consecutive__gte=1)
                    & _only("tool", "min_total", "consecutive")),
                name="requirement_assessment_threshold_params",
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


# --- Enrolments -------------------------------------------------------------------------------


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


# --- E-learning evidence ----------------------------------------------------------------------


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
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-completed_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["trainee", "component", "completed_on"],
                                    name="elearning_completion_once_a_day"),
        ]

    def __str__(self) -> str:
        return f"{self.component} completed on {self.completed_on}"


# --- Learning resources -----------------------------------------------------------------------


class ResourceSubmission(models.Model):
    """One to three learning resources sent in together (the DART-Ed crowdsourcing form)."""

    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="resource_submissions")
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]

    def __str__(self) -> str:
        return f"Submission {self.pk} by {self.submitted_by_id}"


class LearningResource(models.Model):
    submission = models.ForeignKey(ResourceSubmission, on_delete=models.PROTECT, related_name="items")
    title = models.CharField(max_length=200)
    url = models.URLField(max_length=500)
    normalised_url = models.CharField(
        max_length=500, editable=False,
        help_text="Lower-case scheme and host, no default port, fragment, trailing slash or tracking parameters.")
    provider = models.CharField(max_length=200, validators=[NoPIIValidator()])
    format = models.CharField(max_length=20, choices=ResourceFormat.choices)
    description = models.TextField(validators=[NoPIIValidator()])
    audience = models.CharField(max_length=30, choices=ResourceAudience.choices)
    licence = models.CharField(max_length=20, choices=Licence.choices)
    open_access_confirmed = models.BooleanField(
        help_text="The submitter confirmed that it is free and open to access.")
    status = models.CharField(max_length=10, choices=ResourceStatus.choices, default=ResourceStatus.PENDING)
    moderated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    moderated_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(blank=True, validators=[NoPIIValidator()])
    modules = models.ManyToManyField(Module, blank=True, related_name="resources")
    competencies = models.ManyToManyField(Competency, blank=True, related_name="resources")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title", "id"]
        constraints = [
            # The duplicate rule, in the database too: a URL is in the catalogue once.
            models.UniqueConstraint(fields=["normalised_url"], condition=Q(status__in=["pending", "approved"]),
                                    name="learning_resource_url_once_in_catalogue"),
            models.CheckConstraint(condition=Q(open_access_confirmed=True),
                                   name="learning_resource_open_access_confirmed"),
            models.CheckConstraint(condition=Q(status__in=ResourceStatus.values),
                                   name="learning_resource_status_valid"),
            models.CheckConstraint(condition=~Q(status="rejected") | ~Q(rejection_reason=""),
                                   name="learning_resource_rejection_has_reason"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def submitted_by_id(self) -> int:
        return self.submission.submitted_by_id


class ResourceTopic(models.Model):
    resource = models.ForeignKey(LearningResource, on_delete=models.CASCADE, related_name="topics")
    topic = models.CharField(max_length=30, choices=Topic.choices)

    class Meta:
        ordering = ["resource_id", "topic"]
        constraints = [
            models.UniqueConstraint(fields=["resource", "topic"], name="resource_topic_unique"),
        ]

    def __str__(self) -> str:
        return self.get_topic_display()


# --- Progress summaries (kept by tasks, read by dashboards) ------------------------------------


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
