"""Robotic privileges: what a site lets a surgeon do with a robot.

- `ProcedureGroup`: a named set of catalogue procedures (data), the unit of a privilege.
- `PrivilegeRules`: a site's rules (the row without a site holds the defaults, seeded from
  DOMAIN.md: 3 proctored cases, 10 cases per 12 months, no gap over 120 days, review of the
  first 10 cases' outcomes, a review every 12 months). Read with `selectors.rules_for(site)`.
- `Privilege`: surgeon x site x platform x procedure group, with its status machine
  (`services`), dates, the proctor while provisional, and the evidence each decision rested on.
- `ProctorReport`: the proctor's report on one proctored case.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from rastrack.audit.querysets import AuditedManager
from rastrack.core.pii import NoPIIValidator
from rastrack.reference.models import Platform, Procedure, Site


class ProcedureGroup(models.Model):
    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=150, unique=True)
    procedures = models.ManyToManyField(Procedure, related_name="privilege_groups", blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PrivilegeRules(models.Model):
    site = models.OneToOneField(Site, on_delete=models.PROTECT, null=True, blank=True, related_name="privilege_rules",
                                help_text="Empty: the defaults every site without its own rules follows.")
    proctored_cases_required = models.PositiveSmallIntegerField(
        default=3, validators=[MaxValueValidator(50)],
        help_text="Proctored cases (each with a proctor report) before full privileges.")
    ready_reports_required = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text="Proctor reports recommending independent practice before full privileges.")
    min_cases_per_12_months = models.PositiveSmallIntegerField(
        default=10, validators=[MaxValueValidator(1000)],
        help_text="Console cases on the platform and procedure group in any 12 months.")
    max_gap_days = models.PositiveSmallIntegerField(
        default=120, validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text="The longest allowed time between two cases on the platform and procedure group.")
    outcome_review_first_cases = models.PositiveSmallIntegerField(
        default=10, validators=[MaxValueValidator(500)],
        help_text="The first cases after privileges whose outcomes the site lead reviews.")
    review_interval_months = models.PositiveSmallIntegerField(
        default=12, validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text="A privilege is reviewed this many months after it is granted or last reviewed.")
    updated_at = models.DateTimeField(auto_now=True)

    objects = AuditedManager()

    class Meta:
        ordering = ["site_id"]
        verbose_name_plural = "privilege rules"
        constraints = [models.UniqueConstraint(fields=["site"], condition=Q(site__isnull=True),
                                               name="one_default_privilege_rules")]

    def __str__(self) -> str:
        return f"Privilege rules of {self.site or 'every site'}"


class PrivilegeStatus(models.TextChoices):
    REQUESTED = "requested", "Requested"
    PROVISIONAL = "provisional", "Provisional (proctored)"
    FULL = "full", "Full"
    SUSPENDED = "suspended", "Suspended"
    LAPSED = "lapsed", "Lapsed"
    REVOKED = "revoked", "Revoked"


# Statuses of a privilege still in force or in hand: at most one per surgeon, site, platform, group.
OPEN_STATUSES = (PrivilegeStatus.REQUESTED, PrivilegeStatus.PROVISIONAL, PrivilegeStatus.FULL,
                 PrivilegeStatus.SUSPENDED)
# Statuses under which the surgeon may operate.
CLEARED_STATUSES = (PrivilegeStatus.PROVISIONAL, PrivilegeStatus.FULL)


class Privilege(models.Model):
    surgeon = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="privileges")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="privileges")
    platform = models.CharField(max_length=20, choices=Platform.choices)
    procedure_group = models.ForeignKey(ProcedureGroup, on_delete=models.PROTECT, related_name="privileges")
    status = models.CharField(max_length=12, choices=PrivilegeStatus.choices, default=PrivilegeStatus.REQUESTED)
    requested_on = models.DateField(default=timezone.localdate)
    granted_on = models.DateField(null=True, blank=True, help_text="First day it allowed operating.")
    full_on = models.DateField(null=True, blank=True, help_text="First day of full privileges.")
    ended_on = models.DateField(null=True, blank=True,
                                help_text="First day it no longer allowed operating (suspended, lapsed, revoked).")
    review_due_on = models.DateField(null=True, blank=True)
    suspended_from = models.CharField(max_length=12, choices=PrivilegeStatus.choices, blank=True,
                                      help_text="The status a reinstatement returns to.")
    proctor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="proctored_privileges")
    status_reason = models.TextField(blank=True, validators=[NoPIIValidator()])
    status_changed_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    evidence = models.JSONField(default=dict, blank=True,
                                help_text="What the last decision rested on: counts, dates, report ids.")
    # Currency warnings already sent (rule:days), so each is sent exactly once.
    warnings_sent = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AuditedManager()

    class Meta:
        ordering = ["site_id", "surgeon_id", "id"]
        indexes = [models.Index(fields=["surgeon", "site", "platform"], name="privilege_lookup_idx"),
                   models.Index(fields=["status", "site"], name="privilege_status_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=PrivilegeStatus.values), name="privilege_status_valid"),
            models.UniqueConstraint(fields=["surgeon", "site", "platform", "procedure_group"],
                                    condition=Q(status__in=OPEN_STATUSES), name="one_open_privilege"),
            models.CheckConstraint(condition=Q(granted_on__isnull=False)
                                   | Q(status__in=(PrivilegeStatus.REQUESTED, PrivilegeStatus.REVOKED)),
                                   name="privilege_granted_has_date"),
        ]

    def __str__(self) -> str:
        return f"Privilege {self.pk}: {self.surgeon_id} at {self.site_id} on {self.platform} ({self.status})"


class Recommendation(models.TextChoices):
    CONTINUE = "continue_proctoring", "Continue proctoring"
    READY = "ready_for_independent", "Ready for independent practice"
    NOT_SAFE = "not_safe", "Not safe to continue"


# The proctor's checklist: every item answered yes or no.
CHECKLIST = (
    ("patient_selection", "Appropriate patient selection"),
    ("port_placement_docking", "Port placement and docking"),
    ("instrument_handling", "Safe instrument handling and energy use"),
    ("team_communication", "Communication with the theatre team"),
    ("troubleshooting", "Troubleshooting and emergency undocking awareness"),
)


class ProctorReport(models.Model):
    privilege = models.ForeignKey(Privilege, on_delete=models.PROTECT, related_name="proctor_reports")
    case = models.ForeignKey("accreditation.Case", on_delete=models.PROTECT, related_name="proctor_reports")
    proctor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    tool = models.CharField(max_length=30, default="gears")
    checklist = models.JSONField(default=dict)
    scores = models.JSONField(default=dict)
    total = models.PositiveSmallIntegerField(null=True, blank=True)
    recommendation = models.CharField(max_length=24, choices=Recommendation.choices)
    comments = models.TextField(blank=True, validators=[NoPIIValidator()])
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["privilege_id", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["privilege", "case"], name="one_proctor_report_per_case"),
            models.CheckConstraint(condition=Q(recommendation__in=Recommendation.values),
                                   name="proctor_report_recommendation_valid"),
        ]

    def __str__(self) -> str:
        return f"Proctor report {self.pk} on case {self.case_id} ({self.recommendation})"
