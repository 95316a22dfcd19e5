"""Reference data every app shares: regions, sites and the procedure catalogue."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower

from rastrack.reference.specialties import Specialty, Subspecialty  # noqa: F401 - re-exported


class Region(models.Model):
    """A training region: the seven NHS England regions to start with; more can be added."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="region_name_unique_ci")]

    def __str__(self) -> str:
        return self.name


class Site(models.Model):
    """A hospital or trust site where robotic operations happen."""

    name = models.CharField(max_length=200)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="sites")
    ods_code = models.CharField("ODS code", max_length=10, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="site_name_unique_in_region"),
        ]

    def __str__(self) -> str:
        return self.name


class Platform(models.TextChoices):
    """Robotic platforms (NICE HTE21 evidence scheme), shared by the logbook, the faculty and
    the curriculum's requirements."""

    DAVINCI_XI = "davinci_xi", "da Vinci Xi"
    DAVINCI_X = "davinci_x", "da Vinci X"
    DAVINCI_SP = "davinci_sp", "da Vinci SP"
    DAVINCI_5 = "davinci_5", "da Vinci 5"
    DAVINCI_SI = "davinci_si", "da Vinci Si"
    VERSIUS = "versius", "CMR Versius"
    HUGO = "hugo", "Medtronic Hugo RAS"
    SENHANCE = "senhance", "Asensus Senhance"
    DEXTER = "dexter", "Distalmotion Dexter"
    OTHER = "other", "Other"


class Procedure(models.Model):
    """A robotic procedure of the catalogue, with its ordered steps."""

    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200, unique=True)
    specialty = models.CharField(max_length=30, choices=Specialty.choices)
    subspecialty = models.CharField(max_length=20, choices=Subspecialty.choices, blank=True,
                                    help_text="General surgery's subspecialty; empty for the other specialties.")
    opcs4 = models.CharField("OPCS-4 code", max_length=6, default="",
                             help_text="The operation's OPCS-4 code; the robotic approach is coded beside it (Y75.3).")
    snomed = models.CharField("SNOMED CT concept id", max_length=18, blank=True)
    version = models.PositiveIntegerField(default=1, help_text="Raised by each change a programme admin makes.")

    class Meta:
        ordering = ["specialty", "name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(subspecialty="") | models.Q(specialty="general"),
                                   name="procedure_subspecialty_only_in_general_surgery"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def current_steps(self) -> list[ProcedureStep]:
        """The steps a new case sees, in order (prefetched by `with_current_steps`)."""
        prefetched = getattr(self, "current_step_list", None)
        if prefetched is not None:
            return prefetched
        return list(self.steps.filter(retired_in__isnull=True).order_by("order"))


def with_current_steps(queryset):
    return queryset.prefetch_related(models.Prefetch(
        "steps", queryset=ProcedureStep.objects.filter(retired_in__isnull=True).order_by("order"),
        to_attr="current_step_list"))


class ProcedureStep(models.Model):
    """One step of a procedure. A step's row is never rewritten nor deleted: cases, assessments
    and requirements point at it. A rename or a removal retires the row (`retired_in`, the
    procedure version that no longer has it) and a rename adds a new row; a reorder moves the
    current steps only."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200)
    added_in = models.PositiveIntegerField(default=1, help_text="The procedure version that first had this step.")
    retired_in = models.PositiveIntegerField(null=True, blank=True,
                                             help_text="The procedure version that no longer has it; empty while current.")

    class Meta:
        ordering = ["procedure_id", "order"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "order"], condition=models.Q(retired_in__isnull=True),
                                    name="step_order_unique_among_current"),
            models.UniqueConstraint(Lower("name"), "procedure", condition=models.Q(retired_in__isnull=True),
                                    name="step_name_unique_among_current_ci"),
        ]

    def __str__(self) -> str:
        return f"{self.procedure.name}: {self.order}. {self.name}"


class ProcedureRevision(models.Model):
    """A procedure as it was before a programme admin changed it (its version then)."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    snapshot = models.JSONField(help_text="Name, codes, specialty and steps of that version.")
    replaced_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    replaced_at = models.DateTimeField()

    class Meta:
        ordering = ["procedure_id", "version"]
        constraints = [models.UniqueConstraint(fields=["procedure", "version"], name="procedure_revision_once")]

    def __str__(self) -> str:
        return f"{self.procedure_id} v{self.version}"
