"""Assessment tools (as data), assessments with blinded self-rating, and sign-off requests.

Imported by accreditation/models.py so that Django registers these models.

- `SignoffRules`: the one row of configurable numbers (due days, blinding window).
- `AssessmentTool` + `AssessmentDomain`: a tool is rows, not code (GEARS, the entrustment
  scale; RACE or NOTSS can be added in Django admin). Scores are validated against them.
- `Assessment`: a trainer's rating of a trainee, or a trainee's self-rating of one of their
  own cases (`is_self`). Immutable once recorded. Blinding: see `signoff_selectors`.
- `SignoffRequest`: a trainee asks a trainer who may supervise them to sign off a competency,
  a module component, or the final sign-off of a pathway (an enrolment), with evidence.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from rastrack.audit.querysets import AuditedManager
from rastrack.core.pii import NoPIIValidator


class SignoffRules(models.Model):
    """The sign-off's configurable numbers: one row, edited in Django admin.

    Read them with `accreditation.signoff.selectors.signoff_rules()`.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    due_days = models.PositiveSmallIntegerField(
        default=14, validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text="A sign-off request is due this many days after it is made (then it is overdue).")
    blind_window_days = models.PositiveSmallIntegerField(
        default=7, validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text="A trainer's assessment of a case is final this many days after it is recorded: "
                  "until then the trainee sees its scores only after rating the case themself.")
    review_due_days = models.PositiveSmallIntegerField(
        default=21, validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text="A blinded video review's ratings are due this many days after it is opened (then it "
                  "is overdue: raters are reminded, and the regional lead is told as for sign-offs).")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "sign-off rules"
        verbose_name_plural = "sign-off rules"
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="signoff_rules_singleton"),
            models.CheckConstraint(condition=Q(due_days__gte=1) & Q(due_days__lte=365),
                                   name="signoff_rules_due_days_range"),
            models.CheckConstraint(condition=Q(blind_window_days__gte=1) & Q(blind_window_days__lte=90),
                                   name="signoff_rules_blind_window_range"),
            models.CheckConstraint(condition=Q(review_due_days__gte=1) & Q(review_due_days__lte=365),
                                   name="signoff_rules_review_due_days_range"),
        ]

    def __str__(self) -> str:
        return "Sign-off rules"


# --- Assessment tools -------------------------------------------------------------------------


class AssessmentTool(models.Model):
    """An assessment instrument: a scale and its domains. The total is the sum of the domains."""

    code = models.SlugField(max_length=20,
                            help_text="What the API calls it, e.g. gears (the curriculum's requirements "
                                      "name tools by this code).")
    version = models.PositiveSmallIntegerField(default=1, help_text="Versions of a tool share its code.")
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    scale_min = models.PositiveSmallIntegerField(default=1, help_text="Lowest score of each domain.")
    scale_max = models.PositiveSmallIntegerField(default=5, help_text="Highest score of each domain.")
    total_meaningful = models.BooleanField(
        default=True, help_text="Whether the sum of the domains means something (GEARS, RACE: yes; a "
                                "global rating or NOTSS categories: no, a requirement then asks for every domain).")
    is_active = models.BooleanField(default=True, help_text="Offered for new assessments (false: retired).")
    published_at = models.DateTimeField(
        null=True, blank=True, help_text="Once published, the version's scale and domains never change: "
                                         "add a new version instead.")

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(scale_max__gt=F("scale_min")), name="assessment_tool_scale_valid"),
            models.UniqueConstraint(fields=["code", "version"], name="assessment_tool_code_version_unique"),
            models.UniqueConstraint(fields=["code"], condition=Q(is_active=True),
                                    name="assessment_tool_one_active_version"),
        ]

    # What a published version may still change: retiring it, its wording around the scale.
    MUTABLE_WHEN_PUBLISHED = frozenset({"is_active", "name", "description"})

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if self.pk is not None:
            stored = type(self).objects.filter(pk=self.pk).first()
            if stored is not None and stored.published_at is not None:
                changed = [f.attname for f in self._meta.concrete_fields
                           if f.attname not in self.MUTABLE_WHEN_PUBLISHED
                           and getattr(stored, f.attname) != getattr(self, f.attname)]
                if changed:
                    raise ToolVersionFrozen(f"{stored.name} v{stored.version} is published: add a new version "
                                            f"instead of changing {', '.join(changed)}.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.published_at is not None:
            raise ToolVersionFrozen(f"{self.name} v{self.version} is published: retire it instead.")
        return super().delete(*args, **kwargs)

    def _domain_count(self) -> int:
        cache = getattr(self, "_prefetched_objects_cache", {})
        if "domains" in cache:
            return len(cache["domains"])
        return self.domains.count()

    @property
    def total_min(self) -> int:
        return self.scale_min * self._domain_count()

    @property
    def total_max(self) -> int:
        return self.scale_max * self._domain_count()


class ToolVersionFrozen(Exception):
    """A published tool version was asked to change (the services answer 409 before this)."""


class AssessmentDomain(models.Model):
    tool = models.ForeignKey(AssessmentTool, on_delete=models.CASCADE, related_name="domains")
    code = models.SlugField(max_length=40, help_text="The key in an assessment's scores, e.g. autonomy.")
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    anchors = models.JSONField(default=dict, blank=True,
                               help_text='What a score means, e.g. {"1": "...", "3": "...", "5": "..."}.')

    class Meta:
        ordering = ["tool_id", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tool", "code"], name="assessment_domain_code_unique_in_tool"),
        ]

    def __str__(self) -> str:
        return f"{self.tool.code}.{self.code}"

    def save(self, *args, **kwargs):
        self._refuse_if_published(self.tool_id)
        if self.pk is not None:
            stored = type(self).objects.filter(pk=self.pk).values_list("tool_id", flat=True).first()
            if stored is not None and stored != self.tool_id:
                self._refuse_if_published(stored)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._refuse_if_published(self.tool_id)
        return super().delete(*args, **kwargs)

    def _refuse_if_published(self, tool_id) -> None:
        if AssessmentTool.objects.filter(pk=tool_id, published_at__isnull=False).exists():
            raise ToolVersionFrozen("The tool version is published: its domains never change.")


# --- Assessments ------------------------------------------------------------------------------


class SupervisionLevel(models.IntegerChoices):
    """ISCP 2021 supervision levels for Capabilities in Practice, stored as 1-5 (I-V).

    The one place their wording lives: the entrustment tool's anchors, the API's labels, the
    pages and the PDFs all read it. Existing data keeps its number.
    """

    I = 1, "I: able to observe only"  # noqa: E741 - the ISCP level's own name
    II = 2, "II: able and trusted to act with direct supervision"
    III = 3, "III: able and trusted to act with indirect supervision"
    IV = 4, "IV: able and trusted to act unsupervised (day-one consultant)"
    V = 5, "V: able and trusted to act at a level beyond that of a day-one consultant"

    @classmethod
    def numeral(cls, value: int | None) -> str | None:
        return None if value is None else cls(value).name

    @classmethod
    def from_numeral(cls, numeral) -> int | None:
        """`"IV"` -> 4 (also accepts 1-5); None when it is not a level."""
        if isinstance(numeral, bool):
            return None
        if isinstance(numeral, int):
            return numeral if numeral in cls.values else None
        text = str(numeral or "").strip().upper()
        return cls[text].value if text in cls.names else None


class AssessmentMode(models.TextChoices):
    LIVE = "live", "Live (in theatre)"
    VIDEO = "video", "From video"
    SIMULATOR = "simulator", "On a simulator"
    DRY_LAB = "dry_lab", "Dry lab"


class Assessment(models.Model):
    """A rating with a tool. `is_self`: the trainee rated one of their own cases.

    Never edited or deleted once recorded (a calibration that can be changed afterwards
    calibrates nothing). `blind_until` is set on a trainer's assessment of a case: from that
    day it is final and shown to the trainee even without their own rating of the case.
    """

    trainee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assessments")
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 related_name="assessments_given")
    tool = models.ForeignKey(AssessmentTool, on_delete=models.PROTECT, related_name="assessments")
    # SET_NULL: the logbook may delete a case that was rejected later; the rating stays.
    case = models.ForeignKey("accreditation.Case", on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="assessments")
    date = models.DateField()
    is_self = models.BooleanField(default=False)
    scores = models.JSONField(help_text="Domain code -> whole-number score within the tool's scale.")
    total = models.PositiveSmallIntegerField()
    feedback = models.TextField(blank=True, validators=[NoPIIValidator()])
    blind_until = models.DateField(null=True, blank=True)
    mode = models.CharField(max_length=10, choices=AssessmentMode.choices, default=AssessmentMode.LIVE,
                            help_text="How the assessor saw the work: live, from video, on a simulator, dry lab.")
    entrustment = models.PositiveSmallIntegerField(
        null=True, blank=True, choices=SupervisionLevel.choices,
        help_text="The global supervision level (ISCP 2021, I-V as 1-5), if the assessor gave one.")
    # What the level is about: a requirement may ask for a level on one competency (counted by
    # the competency's stable key, so a rating under framework v1 counts under v2).
    competency = models.ForeignKey("curriculum.Competency", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="assessments",
                                   help_text="The competency assessed, if the assessment is of one.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    # Audited: bulk updates are refused (rastrack/audit/querysets.py); change rows through services.
    objects = AuditedManager()

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["trainee", "tool", "date", "id"], name="assessment_series_idx"),
            models.Index(fields=["assessor", "-date"], name="assessment_assessor_idx"),
            # The calibration figures: trainer ratings of cases in a period.
            models.Index(fields=["date", "case"], condition=Q(is_self=False), name="assessment_calibration_idx"),
            # The release rule (signoff/selectors.py, `_rated_by`): "the other side rated this
            # case with this tool" is one index probe per assessment read, not a scan of every
            # self-assessment (or trainer rating) in the table.
            models.Index(fields=["case", "tool"], condition=Q(is_self=True), name="assessment_self_rating_idx"),
            models.Index(fields=["case", "tool"], condition=Q(is_self=False), name="assessment_trainer_rating_idx"),
        ]
        constraints = [
            # One rating of a case per person and tool: one self-assessment, one per trainer.
            models.UniqueConstraint(fields=["case", "tool", "assessor"], condition=Q(case__isnull=False),
                                    name="assessment_once_per_case_tool_assessor"),
            models.CheckConstraint(
                condition=(Q(is_self=True) & Q(assessor=F("trainee")))
                | (Q(is_self=False) & ~Q(assessor=F("trainee"))),
                name="assessment_self_means_own"),
            models.CheckConstraint(condition=Q(is_self=False) | Q(blind_until__isnull=True),
                                   name="assessment_self_has_no_blind_until"),
            models.CheckConstraint(condition=Q(mode__in=AssessmentMode.values), name="assessment_mode_valid"),
            models.CheckConstraint(condition=Q(entrustment__isnull=True) | Q(entrustment__gte=1, entrustment__lte=5),
                                   name="assessment_entrustment_range"),
        ]

    def __str__(self) -> str:
        who = "self-assessment" if self.is_self else "assessment"
        return f"{self.tool_id} {who} of {self.trainee_id} on {self.date}"


class AssessmentStep(models.Model):
    """The supervision level at which the trainee did one step of the assessed case.

    Only steps the trainee took part in (the case's `CaseStep` rows) can be rated: the
    service checks it. Read with the assessment's blinding: hidden when its scores are.
    """

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="step_levels")
    step = models.ForeignKey("reference.ProcedureStep", on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField(choices=SupervisionLevel.choices)

    class Meta:
        ordering = ["assessment_id", "step__order"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "step"], name="assessment_step_once"),
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=5), name="assessment_step_level_range"),
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id}: step {self.step_id} at {self.level}"


# --- Blinded video reviews -----------------------------------------------------------------------


class VideoReviewStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class VideoReview(models.Model):
    """A blinded multi-rater review of one case's video with one tool.

    `video_reference` is an opaque pointer to where the video is held (never an upload, never
    patient data). Raters see it and the procedure, not the trainee or each other's ratings;
    when the last rating is in the review closes with the mean total and the agreement
    between raters (Krippendorff's alpha, interval, on the domain scores).
    """

    trainee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="video_reviews")
    case = models.ForeignKey("accreditation.Case", on_delete=models.PROTECT, related_name="video_reviews")
    tool = models.ForeignKey(AssessmentTool, on_delete=models.PROTECT, related_name="video_reviews")
    video_reference = models.CharField(max_length=200, validators=[NoPIIValidator()],
                                       help_text="Where the video is held, e.g. vault:2026/abc123. No patient data.")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=6, choices=VideoReviewStatus.choices, default=VideoReviewStatus.OPEN)
    due_on = models.DateField()
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True)
    mean_total = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    agreement_method = models.CharField(max_length=60, blank=True)
    agreement_value = models.FloatField(null=True, blank=True,
                                        help_text="Null when the ratings leave agreement undefined (no variance).")
    escalated_at = models.DateTimeField(null=True, blank=True)

    objects = AuditedManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "due_on"], name="video_review_due_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=VideoReviewStatus.values), name="video_review_status_valid"),
            models.CheckConstraint(
                condition=Q(status="open", closed_at__isnull=True, mean_total__isnull=True)
                | Q(status="closed", closed_at__isnull=False, mean_total__isnull=False),
                name="video_review_closed_has_result"),
        ]

    def __str__(self) -> str:
        return f"Video review {self.pk} of case {self.case_id}"

    @property
    def is_overdue(self) -> bool:
        return self.status == VideoReviewStatus.OPEN and self.due_on < timezone.localdate()


class VideoReviewRating(models.Model):
    """One named rater's place on a review, and their scores once given (once: never edited)."""

    review = models.ForeignKey(VideoReview, on_delete=models.CASCADE, related_name="ratings")
    rater = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="video_ratings")
    scores = models.JSONField(null=True, blank=True)
    total = models.PositiveSmallIntegerField(null=True, blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)
    added_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["review_id", "added_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "rater"], name="video_rating_once_per_rater"),
            models.CheckConstraint(
                condition=Q(rated_at__isnull=True, scores__isnull=True, total__isnull=True)
                | Q(rated_at__isnull=False, scores__isnull=False, total__isnull=False),
                name="video_rating_all_or_nothing"),
        ]

    def __str__(self) -> str:
        return f"Rating of review {self.review_id} by {self.rater_id}"


# --- Sign-off requests ------------------------------------------------------------------------


class SignoffTarget(models.TextChoices):
    COMPETENCY = "competency", "Competency"
    COMPONENT = "component", "Module component"
    FINAL = "final", "Final sign-off of a pathway"


class SignoffStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    RETURNED = "returned", "Returned"
    REVERSED = "reversed", "Reversed"
    WITHDRAWN = "withdrawn", "Withdrawn"


# A target with a request in one of these states cannot be asked for again (409).
BLOCKING_STATUSES = (SignoffStatus.PENDING, SignoffStatus.APPROVED)
DECIDED_STATUSES = (SignoffStatus.APPROVED, SignoffStatus.RETURNED, SignoffStatus.REVERSED)


class SignoffRequest(models.Model):
    """A trainee's request to a trainer to sign off one target, with their own evidence.

    `target_key` names the target independently of versions: `competency:<key>` (the
    competency's stable key, so a v2 competency is the same target as v1), `component:<key>`
    (the component's stable UUID) or `enrolment:<id>` (the final sign-off). The database
    refuses a second pending or approved request for the same trainee and target.
    """

    trainee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                related_name="signoff_requests")
    trainer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                related_name="signoff_requests_to_decide")
    target = models.CharField(max_length=12, choices=SignoffTarget.choices)
    competency = models.ForeignKey("curriculum.Competency", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="signoff_requests")
    component = models.ForeignKey("curriculum.Component", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="signoff_requests")
    enrolment = models.ForeignKey("curriculum.Enrolment", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="signoff_requests")
    target_key = models.CharField(max_length=120, editable=False)
    note = models.TextField(blank=True, validators=[NoPIIValidator()])

    evidence_cases = models.ManyToManyField("accreditation.Case", blank=True, related_name="signoff_requests")
    evidence_simulator_sessions = models.ManyToManyField("accreditation.SimulatorSession", blank=True,
                                                         related_name="signoff_requests")
    evidence_assessments = models.ManyToManyField(Assessment, blank=True, related_name="signoff_requests")
    evidence_elearning_completions = models.ManyToManyField("curriculum.ELearningCompletion", blank=True,
                                                            related_name="signoff_requests")

    status = models.CharField(max_length=10, choices=SignoffStatus.choices, default=SignoffStatus.PENDING)
    due_on = models.DateField()
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    feedback = models.TextField(blank=True, validators=[NoPIIValidator()])
    reversed_at = models.DateTimeField(null=True, blank=True)
    reversed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    reversal_reason = models.TextField(blank=True, validators=[NoPIIValidator()])
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    # Audited: bulk updates are refused (rastrack/audit/querysets.py); change rows through services.
    objects = AuditedManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["trainer", "status", "created_at"], name="signoff_queue_idx"),
            models.Index(fields=["trainee", "status"], name="signoff_trainee_idx"),
            models.Index(fields=["status", "due_on"], name="signoff_due_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["trainee", "target_key"],
                                    condition=Q(status__in=["pending", "approved"]),
                                    name="signoff_one_live_request_per_target"),
            models.CheckConstraint(condition=Q(status__in=SignoffStatus.values), name="signoff_status_valid"),
            models.CheckConstraint(
                condition=(Q(target="competency", competency__isnull=False, component__isnull=True,
                             enrolment__isnull=True)
                           | Q(target="component", competency__isnull=True, component__isnull=False,
                               enrolment__isnull=True)
                           | Q(target="final", competency__isnull=True, component__isnull=True,
                               enrolment__isnull=False)),
                name="signoff_exactly_one_target"),
            models.CheckConstraint(condition=~Q(trainer=F("trainee")), name="signoff_not_own"),
            models.CheckConstraint(
                condition=~Q(status__in=["approved", "returned", "reversed"])
                | (Q(decided_at__isnull=False) & Q(decided_by__isnull=False)),
                name="signoff_decided_has_decider"),
            models.CheckConstraint(condition=~Q(status="returned") | ~Q(feedback=""),
                                   name="signoff_returned_has_feedback"),
            models.CheckConstraint(
                condition=~Q(status="reversed")
                | (Q(reversed_at__isnull=False) & Q(reversed_by__isnull=False) & ~Q(reversal_reason="")),
                name="signoff_reversed_has_reason"),
        ]

    def __str__(self) -> str:
        return f"Sign-off request {self.pk} ({self.target_key}) of {self.trainee_id}"

    @property
    def is_overdue(self) -> bool:
        return self.status == SignoffStatus.PENDING and self.due_on < timezone.localdate()

    @property
    def target_label(self) -> str:
        if self.target == SignoffTarget.COMPETENCY and self.competency_id:
            return f"{self.competency.code} {self.competency.title}"
        if self.target == SignoffTarget.COMPONENT and self.component_id:
            return f"{self.component.title} ({self.component.module.title})"
        if self.target == SignoffTarget.FINAL and self.enrolment_id:
            return f"Final sign-off: {self.enrolment.pathway.title}"
        return self.target_key


# --- One-tap decision links (in reminder e-mails) ----------------------------------------


class DecisionLink(models.Model):
    """A signed, expiring, single-use link to decide one sign-off request.

    The link is not a credential: the page still needs the addressed trainer signed in.
    It only saves the trainer from finding the request; `used_at` is set by a
    compare-and-set, so it works once.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    signoff_request = models.ForeignKey("accreditation.SignoffRequest", on_delete=models.CASCADE,
                                        related_name="decision_links")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Decision link for request {self.signoff_request_id}"


# --- Summary tables (rastrack/core/summary_tables.py; kept by accreditation/signoff/summaries.py) --


class CalibrationSummary(models.Model):
    """Self-versus-trainer pairs: a trainer's assessment of a case with a self-assessment of the
    same case and tool, by the trainee's current region, the month of the trainer's rating,
    the tool and the case procedure's specialty. The gap is self - trainer, in points; totals
    are whole numbers, so the sums are exact and a mean is sum / pairs."""

    region = models.ForeignKey("reference.Region", on_delete=models.CASCADE, related_name="+")
    month = models.DateField(help_text="First day of the month of the trainer's rating.")
    tool = models.ForeignKey(AssessmentTool, on_delete=models.CASCADE, related_name="+")
    specialty = models.CharField(max_length=30)
    subspecialty = models.CharField(max_length=20, blank=True)
    pairs = models.IntegerField(default=0)
    gap_sum = models.IntegerField(default=0)
    abs_gap_sum = models.IntegerField(default=0)

    SUMMARY_KEY = ("region_id", "month", "tool_id", "specialty", "subspecialty")
    SUMMARY_SUMS = ("pairs", "gap_sum", "abs_gap_sum")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["region", "month", "tool", "specialty", "subspecialty"],
                                               name="calibration_summary_key")]

    def __str__(self) -> str:
        return f"Calibration {self.region_id} {self.month:%Y-%m} {self.tool_id}: {self.pairs} pairs"


class SignoffPendingSummary(models.Model):
    """Pending sign-off requests by the trainee's current region (0: none) and due date."""

    region_id = models.BigIntegerField(help_text="The trainee's current region; 0 when none.")
    due_on = models.DateField()
    pending = models.IntegerField(default=0)

    SUMMARY_KEY = ("region_id", "due_on")
    SUMMARY_SUMS = ("pending",)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["region_id", "due_on"], name="signoff_pending_summary_key")]

    def __str__(self) -> str:
        return f"Pending sign-offs {self.region_id} due {self.due_on}: {self.pending}"


class SignoffTurnaroundSummary(models.Model):
    """Decided sign-off requests by the trainee's current region (0: none) and the turnaround
    (request to decision) in whole hours: a histogram from which the turnaround percentiles
    are interpolated. Not by day: turnarounds spread over so many hours that a day in the key
    would leave about one row per request; without it the rows are bounded by the regions and
    the longest turnaround, whatever the number of requests."""

    region_id = models.BigIntegerField(help_text="The trainee's current region; 0 when none.")
    hours = models.IntegerField(help_text="Request to decision, rounded to the nearest hour.")
    decided = models.IntegerField(default=0)

    SUMMARY_KEY = ("region_id", "hours")
    SUMMARY_SUMS = ("decided",)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["region_id", "hours"], name="signoff_turnaround_summary_key")]

    def __str__(self) -> str:
        return f"Sign-offs decided {self.region_id} in {self.hours} h: {self.decided}"
