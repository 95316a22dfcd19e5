"""The robotic case logbook: case entries, the steps performed, and simulator sessions.

Imported by accreditation/models.py so that Django registers these models.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from rastrack.audit.querysets import AuditedManager
from rastrack.core.pii import NoPIIValidator
from rastrack.reference.models import Platform, Procedure, ProcedureStep, Site  # noqa: F401

MAX_TOTAL_MINUTES = 1440
MAX_DOCKING_MINUTES = 240




class CaseRole(models.TextChoices):
    CONSOLE_WHOLE = "console_whole", "Console surgeon, whole case"
    CONSOLE_PART = "console_part", "Console surgeon, part of the case"
    BEDSIDE_ASSISTANT = "bedside_assistant", "Bedside assistant"
    OBSERVER = "observer", "Observer"


CONSOLE_ROLES = (CaseRole.CONSOLE_WHOLE, CaseRole.CONSOLE_PART)


class Supervision(models.TextChoices):
    """The UK eLogbook's supervision codes, agreed between trainee and trainer."""

    P = "P", "P: performed (trainer not present for most of the case)"
    S_TS = "S-TS", "S-TS: supervised, trainer scrubbed"
    S_TU = "S-TU", "S-TU: supervised, trainer unscrubbed in theatre"
    A = "A", "A: assisted (trainer did the key parts)"
    O = "O", "O: observed"  # noqa: E741 - the eLogbook's own letter
    T = "T", "T: training a more junior trainee"


class Conversion(models.TextChoices):
    NONE = "none", "None"
    LAPAROSCOPIC = "laparoscopic", "To laparoscopic"
    OPEN = "open", "To open"


class ComplicationGrade(models.TextChoices):
    """Clavien-Dindo."""

    NONE = "none", "None"
    I = "I", "I"  # noqa: E741
    II = "II", "II"
    IIIA = "IIIa", "IIIa"
    IIIB = "IIIb", "IIIb"
    IVA = "IVa", "IVa"
    IVB = "IVb", "IVb"
    V = "V", "V"


class CaseStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    VALIDATED = "validated", "Validated"
    REJECTED = "rejected", "Rejected"


class CaseSource(models.TextChoices):
    """How a case came into the logbook."""

    ENTERED = "entered", "Entered in RASTrack"
    CSV = "csv", "Imported from RASTrack's CSV template"
    ELOGBOOK = "elogbook", "Imported from the eLogbook"


# A trainee may still change these; a submitted case waits for its validator, a validated one is frozen.
EDITABLE_STATUSES = (CaseStatus.DRAFT, CaseStatus.REJECTED)

class StepRole(models.TextChoices):
    CONSOLE = "console", "At the console"
    BEDSIDE = "bedside", "At the bedside"
    OBSERVED = "observed", "Observed"


_minutes = [MinValueValidator(0)]


class Case(models.Model):
    trainee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="cases")
    date = models.DateField()
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    platform = models.CharField(max_length=20, choices=Platform.choices)
    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=20, choices=CaseRole.choices)
    supervision = models.CharField(max_length=4, choices=Supervision.choices)
    console_minutes = models.PositiveSmallIntegerField(null=True, blank=True, validators=_minutes)
    docking_minutes = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(MAX_DOCKING_MINUTES)])
    total_minutes = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(MAX_TOTAL_MINUTES)])
    conversion = models.CharField(max_length=12, choices=Conversion.choices, default=Conversion.NONE)
    complication_grade = models.CharField(max_length=4, choices=ComplicationGrade.choices,
                                          default=ComplicationGrade.NONE)
    supervisor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                   blank=True, related_name="supervised_cases")
    supervisor_name = models.CharField(max_length=150, blank=True, validators=[NoPIIValidator()])
    case_reference = models.CharField(max_length=60, blank=True, validators=[NoPIIValidator()])
    notes = models.TextField(blank=True, validators=[NoPIIValidator()])

    status = models.CharField(max_length=10, choices=CaseStatus.choices, default=CaseStatus.DRAFT)
    # The trainer who may validate it, worked out by `case_validator` when it is created,
    # edited or submitted, and checked again at the moment of validation.
    validator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                  blank=True, related_name="cases_to_validate")
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                   blank=True, related_name="+")
    rejection_reason = models.TextField(blank=True, validators=[NoPIIValidator()])
    # What the trainer confirmed at validation; when it differs from what the trainee logged,
    # both are kept and the case is a disagreement (the over-logging figures read these).
    validated_role = models.CharField(max_length=20, choices=CaseRole.choices, blank=True)
    validated_supervision = models.CharField(max_length=4, choices=Supervision.choices, blank=True)
    disagreement = models.BooleanField(default=False)
    source = models.CharField(max_length=10, choices=CaseSource.choices, default=CaseSource.ENTERED,
                              help_text="Imported cases count as evidence only once validated, like any case.")

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Audited: bulk updates are refused (rastrack/audit/querysets.py); change rows through services.
    objects = AuditedManager()

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["trainee", "-date", "-id"], name="case_logbook_idx"),
            models.Index(fields=["validator", "status", "submitted_at"], name="case_queue_idx"),
            models.Index(fields=["trainee", "procedure", "date", "id"], name="case_curve_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(console_minutes__isnull=True) | Q(total_minutes__isnull=True)
                | Q(console_minutes__lte=models.F("total_minutes")),
                name="case_console_within_total"),
            models.CheckConstraint(
                condition=Q(docking_minutes__isnull=True) | Q(docking_minutes__lte=MAX_DOCKING_MINUTES),
                name="case_docking_bounded"),
            models.CheckConstraint(
                condition=Q(total_minutes__isnull=True) | Q(total_minutes__lte=MAX_TOTAL_MINUTES),
                name="case_total_bounded"),
            models.CheckConstraint(
                condition=~Q(role__in=CONSOLE_ROLES) | Q(console_minutes__isnull=False),
                name="case_console_time_for_console_roles"),
            models.CheckConstraint(
                condition=~Q(status="validated") | (Q(decided_by__isnull=False) & Q(decided_at__isnull=False)),
                name="case_validated_has_decider"),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_reason=""),
                name="case_rejected_has_reason"),
        ]

    def __str__(self) -> str:
        return f"Case {self.pk} of {self.trainee_id} on {self.date}"

    @property
    def is_console(self) -> bool:
        return self.role in CONSOLE_ROLES


class CaseStep(models.Model):
    """A step of the procedure the trainee took part in, and how."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="steps")
    step = models.ForeignKey(ProcedureStep, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=10, choices=StepRole.choices, default=StepRole.CONSOLE)

    class Meta:
        ordering = ["case_id", "step__order"]
        constraints = [models.UniqueConstraint(fields=["case", "step"], name="case_step_once")]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.step_id} ({self.role})"


class Simulator(models.TextChoices):
    DAVINCI_SKILLS = "davinci_skills", "da Vinci skills simulator / SimNow"
    MIMIC_DV_TRAINER = "mimic_dv_trainer", "Mimic dV-Trainer"
    ROBOTIX_MENTOR = "robotix_mentor", "RobotiX Mentor"
    VERSIUS_TRAINER = "versius_trainer", "Versius trainer"
    HUGO_SIMULATOR = "hugo_simulator", "Hugo simulator"
    OTHER = "other", "Other"


class SimulatorSession(models.Model):
    trainee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                related_name="simulator_sessions")
    date = models.DateField()
    simulator = models.CharField(max_length=20, choices=Simulator.choices)
    exercise = models.CharField(max_length=120, validators=[NoPIIValidator()])
    score = models.DecimalField(max_digits=5, decimal_places=2,
                                validators=[MinValueValidator(0), MaxValueValidator(100)])
    minutes = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(600)])
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                    blank=True, related_name="+")
    verified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    # Audited: bulk updates are refused (rastrack/audit/querysets.py); change rows through services.
    objects = AuditedManager()

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["trainee", "date", "id"], name="simulator_trainee_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=0) & Q(score__lte=100), name="simulator_score_0_100"),
            models.CheckConstraint(condition=Q(minutes__gte=1) & Q(minutes__lte=600), name="simulator_minutes_bounded"),
        ]

    def __str__(self) -> str:
        return f"{self.exercise} {self.score} on {self.date}"
