"""The robotic case logbook: case entries, the steps performed, and simulator sessions.

Imported by accreditation/models.py so that Django registers these models.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from curriculum.models import Provenance as _Provenance
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

    P = "P", "P: performed (trainer present for less than 70% of the operation)"
    S_TS = "S-TS", "S-TS: supervised, trainer scrubbed / immediately able to take over"
    S_TU = "S-TU", "S-TU: supervised, trainer unscrubbed but in theatre for at least 70%"
    A = "A", "A: assisted (the trainer performed the key components)"
    O = "O", "O: observed (present for at least 70% of the operation)"  # noqa: E741 - the eLogbook's own letter
    T = "T", "T: training a more junior trainee"


class TrainerPosition(models.TextChoices):
    """Where the trainer was for most of the trainee's console time (a console is never scrubbed)."""

    OPERATING_CONSOLE = "operating_console", "At the console, operating (the trainer was the console surgeon)"
    DUAL_CONSOLE = "dual_console", "At a second (dual) console"
    SAME_CONSOLE_SWAPPED = "same_console_swapped", "Same console, control handed back and forth"
    BESIDE_CONSOLE = "beside_console", "Beside the trainee's (open) console"
    BEDSIDE_SCRUBBED = "bedside_scrubbed", "Scrubbed at the bedside"
    IN_ROOM_UNSCRUBBED = "in_room_unscrubbed", "In the room, unscrubbed"
    REMOTE = "remote", "Remote (tele-mentoring)"
    ABSENT = "absent", "Absent"


class Urgency(models.TextChoices):
    ELECTIVE = "elective", "Elective"
    URGENT = "urgent", "Urgent"
    EMERGENCY = "emergency", "Emergency"


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
    trainer_position = models.CharField(max_length=24, choices=TrainerPosition.choices, blank=True,
                                        help_text="Empty: not recorded (always accepted).")
    asa_grade = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)])
    urgency = models.CharField(max_length=10, choices=Urgency.choices, blank=True)
    # An established surgeon's proctored case: the proctor evaluates, the surgeon is responsible;
    # it counts towards a proctored-case requirement, never as trainee supervision.
    proctor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                blank=True, related_name="proctored_cases")
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
    validated_trainer_position = models.CharField(max_length=24, choices=TrainerPosition.choices, blank=True)
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
            models.CheckConstraint(
                condition=Q(asa_grade__isnull=True) | (Q(asa_grade__gte=1) & Q(asa_grade__lte=5)),
                name="case_asa_grade_1_5"),
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
    takeover = models.BooleanField(default=False, help_text="The trainer took over this console step.")
    console_minutes = models.PositiveSmallIntegerField(null=True, blank=True, validators=_minutes,
                                                       help_text="This step's own console time, where recorded.")

    class Meta:
        ordering = ["case_id", "step__order"]
        constraints = [
            models.UniqueConstraint(fields=["case", "step"], name="case_step_once"),
            models.CheckConstraint(condition=Q(role="console") | (Q(takeover=False) & Q(console_minutes__isnull=True)),
                                   name="case_step_takeover_at_console"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.step_id} ({self.role})"


class CaseMonthSummary(models.Model):
    """Submitted and validated cases counted by the trainee's current region (0: none), the
    month of the case date, the procedure's specialty and subspecialty and the platform, with
    the trainers' corrections of the validated ones: what the dashboards' case and over-logging
    sections read instead of the cases. Kept by the logbook's services in their transactions
    and rebuilt nightly (`accreditation/logbook/summaries.py`)."""

    SUMMARY_KEY = ("region_id", "month", "specialty", "subspecialty", "platform")
    SUMMARY_SUMS = ("validated", "submitted", "disagreements", "role_corrected", "supervision_corrected",
                    "overlogged")

    # A plain integer, not a foreign key: 0 stands for "no region" (a NULL never conflicts in
    # the upsert) and a region's name is read once per dashboard.
    region_id = models.IntegerField(help_text="The trainee's current region; 0 when they have none.")
    month = models.DateField(help_text="The first day of the case date's month.")
    specialty = models.CharField(max_length=30)
    subspecialty = models.CharField(max_length=20, blank=True)
    platform = models.CharField(max_length=20)
    validated = models.IntegerField(default=0)
    submitted = models.IntegerField(default=0)
    disagreements = models.IntegerField(default=0)
    role_corrected = models.IntegerField(default=0)
    supervision_corrected = models.IntegerField(default=0)
    overlogged = models.IntegerField(default=0)

    class Meta:
        ordering = ["month", "region_id", "specialty", "subspecialty", "platform"]
        # Exactly SUMMARY_KEY: the upsert names it as its conflict target.
        constraints = [models.UniqueConstraint(fields=["region_id", "month", "specialty", "subspecialty", "platform"],
                                               name="case_month_summary_key")]

    def __str__(self) -> str:
        return f"Cases of region {self.region_id}, {self.month:%Y-%m}, {self.specialty}, {self.platform}"


class FollowUp(models.IntegerChoices):
    DAY_30 = 30, "30 days"
    DAY_90 = 90, "90 days"


class CaseOutcome(models.Model):
    """A 30- or 90-day outcome added to a validated case: an audited addendum. The operative
    record stays frozen; the outcome is a row of its own."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="outcomes")
    followup_days = models.PositiveSmallIntegerField(choices=FollowUp.choices)
    complication_grade = models.CharField(max_length=4, choices=ComplicationGrade.choices,
                                          default=ComplicationGrade.NONE)
    readmitted = models.BooleanField(default=False)
    length_of_stay_days = models.PositiveSmallIntegerField(null=True, blank=True,
                                                           validators=[MaxValueValidator(365)])
    conversion_confirmed = models.BooleanField(null=True, blank=True,
                                               help_text="Whether the logged conversion is confirmed; empty: not checked.")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AuditedManager()

    class Meta:
        ordering = ["case_id", "followup_days"]
        constraints = [
            models.UniqueConstraint(fields=["case", "followup_days"], name="case_outcome_once_per_followup"),
            models.CheckConstraint(condition=Q(followup_days__in=[30, 90]), name="case_outcome_followup_30_90"),
            models.CheckConstraint(condition=Q(length_of_stay_days__isnull=True) | Q(length_of_stay_days__lte=365),
                                   name="case_outcome_stay_bounded"),
        ]

    def __str__(self) -> str:
        return f"{self.followup_days}-day outcome of case {self.case_id}"


class CountedAs(models.TextChoices):
    """What a validated case counts as, for the progress engine's case components."""

    OBSERVED = "case_observation", "Observed"
    BEDSIDE = "bedside_assisting", "Bedside assisting"
    SUPERVISED_CONSOLE = "supervised_console_cases", "Supervised console"
    INDEPENDENT_CONSOLE = "independent_console_cases", "Independent whole console"
    TEACHING = "teaching", "Teaching"


class TakeoverRule(models.TextChoices):
    ANY = "any", "With or without a takeover"
    NONE = "none", "Only when no step was taken over"


class CountingRule(models.Model):
    """One (role, code, takeover) combination that a pathway version counts as `counted_as`.

    A pathway without rows counts by `counting.DEFAULT_RULES`; pathways that existed before
    the table were given rows reproducing their old counting, so a published version counts
    as it always did. Rows change only while the pathway is a draft (the service refuses)."""

    pathway = models.ForeignKey("curriculum.Pathway", on_delete=models.CASCADE, related_name="counting_rules")
    counted_as = models.CharField(max_length=30, choices=CountedAs.choices)
    role = models.CharField(max_length=20, choices=CaseRole.choices)
    supervision = models.CharField(max_length=4, choices=Supervision.choices)
    takeover = models.CharField(max_length=4, choices=TakeoverRule.choices, default=TakeoverRule.ANY)

    objects = AuditedManager()

    class Meta:
        ordering = ["pathway_id", "counted_as", "role", "supervision"]
        constraints = [models.UniqueConstraint(fields=["pathway", "counted_as", "role", "supervision"],
                                               name="counting_rule_once")]

    def __str__(self) -> str:
        return f"{self.pathway_id}: {self.role}/{self.supervision} -> {self.counted_as}"


class Simulator(models.TextChoices):
    DAVINCI_SKILLS = "davinci_skills", "da Vinci Skills Simulator"
    SIMNOW = "simnow", "SimNow"
    MIMIC_DV_TRAINER = "mimic_dv_trainer", "Mimic dV-Trainer"
    ROBOTIX_MENTOR = "robotix_mentor", "RobotiX Mentor"
    VERSIUS_TRAINER = "versius_trainer", "Versius Trainer"
    HUGO_SIMULATOR = "hugo_simulator", "Hugo simulator"
    OTHER = "other", "Other"


class PassRule(models.TextChoices):
    ALL_METRICS = "all_metrics", "Every metric at its benchmark"
    OVERALL_SCORE = "overall_score", "Overall score at the threshold"


# One list of provenances for every kind of evidence (the curriculum's requirements read it).
Provenance = _Provenance


class SimulatorExercise(models.Model):
    """One exercise of one simulator, with its own metrics and benchmarks (data, not code).

    `metrics` is a list of {"name", "unit", "better": "higher"|"lower", "benchmark"}; the rules
    that check it live in accreditation/logbook/simulation.py. A session keeps the benchmarks
    it was judged against, so editing them never rewrites a past result.
    """

    code = models.SlugField(max_length=80, unique=True)
    simulator = models.CharField(max_length=20, choices=Simulator.choices)
    platform = models.CharField(max_length=20, choices=Platform.choices, blank=True,
                                help_text="The robot the exercise trains for; blank when any.")
    name = models.CharField(max_length=120)
    frs_task = models.BooleanField(default=False, help_text="One of the FRS psychomotor tasks.")
    metrics = models.JSONField(default=list)
    pass_rule = models.CharField(max_length=20, choices=PassRule.choices, default=PassRule.ALL_METRICS)
    score_threshold = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True,
                                          help_text="The overall score (0-100) that passes, for overall_score.")
    active = models.BooleanField(default=True)

    objects = AuditedManager()

    class Meta:
        ordering = ["simulator", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["simulator", "name"], name="simulator_exercise_name_once"),
            models.CheckConstraint(condition=Q(pass_rule__in=PassRule.values), name="simulator_exercise_pass_rule"),
            models.CheckConstraint(
                condition=~Q(pass_rule="overall_score") | (
                    Q(score_threshold__isnull=False, score_threshold__gte=0, score_threshold__lte=100)),
                name="simulator_exercise_threshold_for_score"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_simulator_display()})"


class SimulatorImportFile(models.Model):
    """A simulator export imported once: its checksum refuses the same file a second time."""

    trainee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField(max_length=200)
    checksum = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the file's bytes.")
    format = models.CharField(max_length=60)
    sessions = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.format})"


class SimulatorExportFormat(models.Model):
    """A column mapping for one simulator's export (see accreditation/logbook/simulator_import.py).

    `mapping`: {"date": header, "exercise": header, "minutes": header?, "score": header?,
    "date_format": strftime pattern?, "metrics": {metric name: header} or "*" (headers are the
    metric names), "exercises": {vendor exercise name: exercise code}?}.
    """

    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    simulator = models.CharField(max_length=20, choices=Simulator.choices, blank=True,
                                 help_text="Blank: the exercise column names the simulator's exercise by code.")
    mapping = models.JSONField(default=dict)
    example = models.BooleanField(default=True, help_text="Shaped on a vendor's export, not a verified layout.")

    objects = AuditedManager()

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """The admin's form checks the mapping as the import reads it."""
        from django.core.exceptions import ValidationError

        from accreditation.logbook.simulator_import import mapping_errors

        errors = mapping_errors(self.mapping)
        if errors:
            raise ValidationError({"mapping": errors})


class SimulatorSession(models.Model):
    trainee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                related_name="simulator_sessions")
    date = models.DateField()
    simulator = models.CharField(max_length=20, choices=Simulator.choices)
    # Empty for legacy sessions (a typed exercise name and score): they never count towards a
    # proficiency requirement.
    exercise = models.ForeignKey(SimulatorExercise, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="sessions")
    exercise_name = models.CharField(max_length=120, validators=[NoPIIValidator()])
    score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True,
                                validators=[MinValueValidator(0), MaxValueValidator(100)])
    minutes = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(600)])
    metrics = models.JSONField(default=dict, blank=True)
    # The exercise's benchmarks when the session was recorded, and the result against them.
    benchmarks = models.JSONField(default=dict, blank=True)
    meets_benchmark = models.BooleanField(null=True, blank=True)
    provenance = models.CharField(max_length=20, choices=Provenance.choices, default=Provenance.SELF_REPORTED)
    import_file = models.ForeignKey(SimulatorImportFile, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="imported_sessions")
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
            models.CheckConstraint(condition=Q(score__isnull=True) | (Q(score__gte=0) & Q(score__lte=100)),
                                   name="simulator_score_0_100"),
            models.CheckConstraint(condition=Q(minutes__gte=1) & Q(minutes__lte=600), name="simulator_minutes_bounded"),
            models.CheckConstraint(condition=Q(provenance__in=Provenance.values), name="simulator_provenance_valid"),
            # A result exists exactly when there is an exercise to judge against.
            models.CheckConstraint(
                condition=Q(exercise__isnull=True, meets_benchmark__isnull=True)
                | Q(exercise__isnull=False, meets_benchmark__isnull=False),
                name="simulator_result_needs_exercise"),
            models.CheckConstraint(
                condition=Q(provenance="trainer_verified", verified_by__isnull=False, verified_at__isnull=False)
                | (~Q(provenance="trainer_verified") & Q(verified_by__isnull=True)),
                name="simulator_verified_by_trainer"),
            models.CheckConstraint(
                condition=Q(provenance="device_import", import_file__isnull=False)
                | (~Q(provenance="device_import") & Q(import_file__isnull=True)),
                name="simulator_import_has_file"),
        ]

    def __str__(self) -> str:
        return f"{self.exercise_name} {self.score} on {self.date}"
