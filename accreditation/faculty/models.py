"""The faculty of accredited RAS trainers: rules, applications, accreditations, assignments.

Imported by accreditation/models.py so that Django registers these models.

Dates: `Accreditation.expires_on` is the *last valid day* (the accreditation lapses the day
after); `Assignment.ends_on` is the last day an assignment covers (empty: open-ended).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from rastrack.audit.querysets import AuditedManager
from rastrack.core.models import EvidenceDocument
from rastrack.core.pii import NoPIIValidator
from rastrack.reference.models import Platform, Specialty, Subspecialty  # noqa: F401 - Platform re-exported


class ApplicationKind(models.TextChoices):
    INITIAL = "initial", "Initial accreditation"
    RENEWAL = "renewal", "Renewal (revalidation)"


class ApplicationStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class AccreditationStatus(models.TextChoices):
    ACCREDITED = "accredited", "Accredited"
    SUSPENDED = "suspended", "Suspended"
    LAPSED = "lapsed", "Lapsed"
    REVOKED = "revoked", "Revoked"


class FacultyScope(models.TextChoices):
    """What an accredited faculty member may assess and sign off. Surgeons: everything their
    trainees need; nurses, ODPs and surgical care practitioners: bedside and team
    competencies only, never console ones (BIARGS-style nurse levels)."""

    FULL = "full", "Console, bedside and team"
    BEDSIDE_TEAM = "bedside_team", "Bedside and team only"


class AssignmentKind(models.TextChoices):
    EDUCATIONAL_SUPERVISOR = "educational_supervisor", "Educational supervisor"
    CLINICAL_SUPERVISOR = "clinical_supervisor", "Clinical supervisor"
    PROCTOR = "proctor", "Proctor"


class FacultyRules(models.Model):
    """The faculty's configurable thresholds: one row, edited in Django admin.

    The field has no single standard (RCS England, Dec 2025), so these are data, not
    constants. Read them with `accreditation.faculty.selectors.faculty_rules()`.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    min_independent_console_cases_initial = models.PositiveIntegerField(
        default=50, help_text="Independent console cases an initial application needs at least.")
    train_the_trainer_required_initial = models.BooleanField(
        default=True, help_text="An initial application needs a train-the-trainer course date.")
    min_independent_console_cases_renewal = models.PositiveIntegerField(
        default=20,
        help_text="Independent console cases a renewal needs at least (since the last "
                  "accreditation; about 7 a year over a 3-year period, as US maintenance).")
    accreditation_period_years = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text="How long an approval accredits for, in years.")
    max_trainees_per_trainer = models.PositiveSmallIntegerField(
        default=8, validators=[MinValueValidator(1)],
        help_text="Trainees a trainer may be assigned to at the same time.")
    expiry_warning_days = models.PositiveSmallIntegerField(
        default=90, validators=[MinValueValidator(1)],
        help_text="The faculty register highlights accreditations expiring within this many days.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "faculty rules"
        verbose_name_plural = "faculty rules"
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="faculty_rules_singleton"),
            models.CheckConstraint(
                condition=Q(accreditation_period_years__gte=1) & Q(accreditation_period_years__lte=10),
                name="faculty_rules_period_1_to_10_years"),
            models.CheckConstraint(condition=Q(max_trainees_per_trainer__gte=1),
                                   name="faculty_rules_cap_positive"),
            models.CheckConstraint(condition=Q(expiry_warning_days__gte=1),
                                   name="faculty_rules_warning_positive"),
        ]

    def __str__(self) -> str:
        return "Faculty rules"


class TrainerApplication(models.Model):
    """A surgeon's application to become (initial) or stay (renewal) an accredited trainer."""

    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="trainer_applications")
    kind = models.CharField(max_length=10, choices=ApplicationKind.choices)
    scope = models.CharField(max_length=12, choices=FacultyScope.choices, default=FacultyScope.FULL,
                             help_text="Non-surgeons apply for bedside and team competencies only.")
    specialty = models.CharField(max_length=30, choices=Specialty.choices)
    subspecialty = models.CharField(max_length=20, choices=Subspecialty.choices, blank=True)
    platforms = models.JSONField(default=list, help_text="Platform values, e.g. [\"davinci_xi\"].")
    independent_console_cases = models.PositiveIntegerField()
    train_the_trainer_completed_on = models.DateField(null=True, blank=True)
    statement = models.TextField(validators=[NoPIIValidator()])
    documents = models.ManyToManyField(EvidenceDocument, blank=True, related_name="+")
    status = models.CharField(max_length=10, choices=ApplicationStatus.choices,
                              default=ApplicationStatus.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                   blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True, validators=[NoPIIValidator()])

    # Audited: bulk updates are refused (rastrack/audit/querysets.py); change rows through services.
    objects = AuditedManager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["status", "created_at"], name="trainer_app_queue_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ApplicationKind.values),
                                   name="trainer_app_kind_valid"),
            models.CheckConstraint(condition=Q(scope__in=FacultyScope.values), name="trainer_app_scope_valid"),
            models.CheckConstraint(condition=Q(status__in=ApplicationStatus.values),
                                   name="trainer_app_status_valid"),
            models.UniqueConstraint(fields=["applicant"], condition=Q(status="pending"),
                                    name="trainer_app_one_pending_per_applicant"),
            models.CheckConstraint(
                condition=Q(status="pending", decided_by__isnull=True, decided_at__isnull=True)
                | (~Q(status="pending") & Q(decided_by__isnull=False, decided_at__isnull=False)),
                name="trainer_app_decided_has_decider"),
            models.CheckConstraint(condition=~Q(status="rejected") | ~Q(decision_reason=""),
                                   name="trainer_app_rejected_has_reason"),
            models.CheckConstraint(condition=~Q(decided_by=F("applicant")),
                                   name="trainer_app_not_self_decided"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} application {self.pk} of {self.applicant_id}"


class Accreditation(models.Model):
    """A trainer's accreditation: one per trainer, renewed in place.

    `accredited_on` is when the current continuous period began (a renewal after expiry
    starts a new one); `expires_on` is the last valid day.
    """

    trainer = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="accreditation")
    status = models.CharField(max_length=10, choices=AccreditationStatus.choices,
                              default=AccreditationStatus.ACCREDITED)
    accredited_on = models.DateField()
    expires_on = models.DateField(help_text="The last valid day; it lapses the day after.")
    specialty = models.CharField(max_length=30, choices=Specialty.choices, blank=True)
    subspecialty = models.CharField(max_length=20, choices=Subspecialty.choices, blank=True)
    platforms = models.JSONField(default=list, blank=True)
    scope = models.CharField(max_length=12, choices=FacultyScope.choices, default=FacultyScope.FULL,
                             help_text="Bedside and team only for non-surgeon faculty.")
    status_reason = models.TextField(blank=True, validators=[NoPIIValidator()],
                                     help_text="Why the status last changed.")
    status_changed_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Audited: bulk updates are refused (rastrack/audit/querysets.py); change rows through services.
    objects = AuditedManager()

    class Meta:
        ordering = ["expires_on", "id"]
        indexes = [models.Index(fields=["status", "expires_on"], name="accreditation_expiry_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=AccreditationStatus.values),
                                   name="accreditation_status_valid"),
            models.CheckConstraint(condition=Q(scope__in=FacultyScope.values), name="accreditation_scope_valid"),
            models.CheckConstraint(condition=Q(expires_on__gt=F("accredited_on")),
                                   name="accreditation_expires_after_start"),
        ]

    def __str__(self) -> str:
        return f"Accreditation of {self.trainer_id} ({self.status}, until {self.expires_on})"


class Assignment(models.Model):
    """A trainer assigned to a trainee from `starts_on` to `ends_on` (inclusive; empty: open)."""

    trainer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                related_name="assignments_as_trainer")
    trainee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                related_name="assignments_as_trainee")
    kind = models.CharField(max_length=30, choices=AssignmentKind.choices)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True,
                               help_text="The last day it covers; empty while open-ended.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                   blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when someone ended it with the `end` action (not when a fixed term simply runs out).
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                 blank=True, related_name="+")
    ended_at = models.DateTimeField(null=True, blank=True)

    # Audited: bulk updates are refused (rastrack/audit/querysets.py); change rows through services.
    objects = AuditedManager()

    class Meta:
        ordering = ["-starts_on", "-id"]
        indexes = [
            models.Index(fields=["trainer", "starts_on", "ends_on"], name="assignment_trainer_idx"),
            models.Index(fields=["trainee", "starts_on", "ends_on"], name="assignment_trainee_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=AssignmentKind.values),
                                   name="assignment_kind_valid"),
            models.CheckConstraint(condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                                   name="assignment_ends_after_start"),
            models.CheckConstraint(condition=~Q(trainer=F("trainee")), name="assignment_not_self"),
            models.CheckConstraint(condition=Q(ended_at__isnull=True) | Q(ends_on__isnull=False),
                                   name="assignment_ended_has_end_date"),
            # One open-ended assignment per (trainer, trainee, kind); overlapping dated ones
            # are refused by the service (409), which locks the trainer's accreditation first.
            models.UniqueConstraint(fields=["trainer", "trainee", "kind"],
                                    condition=Q(ends_on__isnull=True),
                                    name="assignment_one_open_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.trainer_id} -> {self.trainee_id} from {self.starts_on}"

    def covers(self, on) -> bool:
        """The same answer as `accreditation.faculty.eligibility.covering` for this row."""
        if self.starts_on > on:
            return False
        if self.ends_on is None or on < self.ends_on:
            return True
        if on > self.ends_on:
            return False
        return self.ended_at is None or timezone.localdate(self.ended_at) > on
