"""Accredited centres and courses, their accreditation, annual returns and trainees' feedback.

The shape::

    AccreditationScheme (code, applies to centres or courses, period in years)
      SchemeCriterion (figure, minimum)     criteria as data: "at least 2 robotic surgeons
                                            with more than 250 cases" is figure
                                            `surgeons_over_250_cases`, minimum 2
    Centre (a lab or a training hospital site, region, leads)
      Course (title, kind, platform, sessions)  delivered by a centre, in lab sessions
    CentreAccreditation (scheme, centre or course, status, accredited on, expires on)
      AnnualReturn (year, due on, figures, status)   submitted by the centre, reviewed by a
                                                      programme admin
    Feedback (trainee, session or course, ratings)  read only in aggregate

Invariants the database keeps: a centre is a lab or a hospital site (never both, never
neither); an accreditation is of a centre or of a course, exactly one, ending after it
starts; one annual return per accreditation and year; one feedback per trainee and session
or course, on exactly one of them, ratings 1-5.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from rastrack.audit.querysets import AuditedManager
from rastrack.core.pii import NoPIIValidator
from rastrack.reference.models import Platform, Region, Site


class SchemeAppliesTo(models.TextChoices):
    CENTRE = "centre", "Centre"
    COURSE = "course", "Course"


class ReturnFigure(models.TextChoices):
    """The figures an annual return reports; criteria name one of them."""

    SURGEONS_OVER_250_CASES = "surgeons_over_250_cases", "Robotic surgeons with more than 250 console cases"
    ROBOTIC_CASES = "robotic_cases", "Robotic cases in the year"
    ACCREDITED_TRAINERS = "accredited_trainers", "Accredited robotic trainers"
    TRAINEES_TRAINED = "trainees_trained", "Trainees trained in the year"
    SESSIONS_RUN = "sessions_run", "Training sessions or course runs in the year"
    ROBOTIC_SYSTEMS = "robotic_systems", "Robotic systems available for training"


class CentreKind(models.TextChoices):
    LAB = "lab", "Skills lab"
    TRAINING_HOSPITAL = "training_hospital", "Training hospital"


class CourseKind(models.TextChoices):
    TRAIN_THE_TRAINER = "train_the_trainer", "Train the trainer"
    PLATFORM = "platform", "Platform course"
    TEAM = "team", "Team training course"
    OTHER = "other", "Other"


class CentreAccreditationStatus(models.TextChoices):
    ACCREDITED = "accredited", "Accredited"
    WITHDRAWN = "withdrawn", "Withdrawn"


class AnnualReturnStatus(models.TextChoices):
    DUE = "due", "Due"
    SUBMITTED = "submitted", "Submitted"
    ACCEPTED = "accepted", "Accepted"
    RETURNED = "returned", "Returned for changes"


class AccreditationScheme(models.Model):
    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    applies_to = models.CharField(max_length=10, choices=SchemeAppliesTo.choices)
    period_years = models.PositiveSmallIntegerField(default=3)
    description = models.TextField(blank=True, validators=[NoPIIValidator()])

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(period_years__gte=1, period_years__lte=10),
                                   name="scheme_period_1_to_10_years"),
            models.CheckConstraint(condition=Q(applies_to__in=SchemeAppliesTo.values), name="scheme_applies_to_valid"),
        ]

    def __str__(self) -> str:
        return self.name


class SchemeCriterion(models.Model):
    scheme = models.ForeignKey(AccreditationScheme, on_delete=models.CASCADE, related_name="criteria")
    figure = models.CharField(max_length=40, choices=ReturnFigure.choices)
    minimum = models.PositiveIntegerField()
    description = models.CharField(max_length=200, validators=[NoPIIValidator()])

    class Meta:
        ordering = ["scheme_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "figure"], name="criterion_one_per_figure"),
            models.CheckConstraint(condition=Q(figure__in=ReturnFigure.values), name="criterion_figure_valid"),
        ]

    def __str__(self) -> str:
        return self.description


class Centre(models.Model):
    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=CentreKind.choices)
    lab = models.OneToOneField("labs.Lab", on_delete=models.PROTECT, null=True, blank=True, related_name="centre")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, null=True, blank=True, related_name="centres")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="centres")
    leads = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="led_centres",
                                   help_text="Who submits the centre's annual returns (a lab's managers too).")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AuditedManager()

    class Meta:
        ordering = ["region__name", "name"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="lab", lab__isnull=False, site__isnull=True)
                           | Q(kind="training_hospital", lab__isnull=True, site__isnull=False)),
                name="centre_is_a_lab_or_a_hospital"),
        ]

    def __str__(self) -> str:
        return self.name


class Course(models.Model):
    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="courses")
    title = models.CharField(max_length=200, validators=[NoPIIValidator()])
    kind = models.CharField(max_length=20, choices=CourseKind.choices)
    platform = models.CharField(max_length=20, choices=Platform.choices, blank=True)
    sessions = models.ManyToManyField("labs.LabSession", blank=True, related_name="courses",
                                      help_text="The lab sessions that deliver it.")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AuditedManager()

    class Meta:
        ordering = ["centre_id", "title"]
        constraints = [
            models.UniqueConstraint(fields=["centre", "title"], name="course_title_unique_at_centre"),
            models.CheckConstraint(condition=Q(kind__in=CourseKind.values), name="course_kind_valid"),
        ]

    def __str__(self) -> str:
        return self.title


class CentreAccreditation(models.Model):
    scheme = models.ForeignKey(AccreditationScheme, on_delete=models.PROTECT, related_name="accreditations")
    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, null=True, blank=True, related_name="accreditations")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, null=True, blank=True, related_name="accreditations")
    status = models.CharField(max_length=12, choices=CentreAccreditationStatus.choices,
                              default=CentreAccreditationStatus.ACCREDITED)
    accredited_on = models.DateField()
    expires_on = models.DateField(help_text="The last valid day.")
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AuditedManager()

    class Meta:
        ordering = ["expires_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(centre__isnull=False, course__isnull=True)
                                   | Q(centre__isnull=True, course__isnull=False),
                                   name="centre_accreditation_of_centre_or_course"),
            models.CheckConstraint(condition=Q(expires_on__gt=models.F("accredited_on")),
                                   name="centre_accreditation_ends_after_start"),
            models.CheckConstraint(condition=Q(status__in=CentreAccreditationStatus.values),
                                   name="centre_accreditation_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.scheme}: {self.centre or self.course}"

    @property
    def holder(self):
        return self.centre or self.course

    @property
    def holder_centre(self) -> Centre:
        return self.centre if self.centre_id else self.course.centre

    def is_current_on(self, day) -> bool:
        return self.status == CentreAccreditationStatus.ACCREDITED and self.accredited_on <= day <= self.expires_on


class AnnualReturn(models.Model):
    accreditation = models.ForeignKey(CentreAccreditation, on_delete=models.CASCADE, related_name="annual_returns")
    year = models.PositiveSmallIntegerField(help_text="1 for the first year of the accreditation, 2 the second ...")
    due_on = models.DateField()
    status = models.CharField(max_length=10, choices=AnnualReturnStatus.choices, default=AnnualReturnStatus.DUE)
    figures = models.JSONField(default=dict, blank=True, help_text="figure code -> a whole number")
    narrative = models.TextField(blank=True, validators=[NoPIIValidator()])
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True, validators=[NoPIIValidator()])

    objects = AuditedManager()

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["accreditation", "year"], name="annual_return_one_per_year"),
            models.CheckConstraint(condition=Q(year__gte=1), name="annual_return_year_positive"),
            models.CheckConstraint(condition=Q(status__in=AnnualReturnStatus.values), name="annual_return_status_valid"),
            models.CheckConstraint(condition=Q(status="due") | Q(submitted_at__isnull=False),
                                   name="annual_return_submitted_has_time"),
        ]

    def __str__(self) -> str:
        return f"Annual return {self.year} of {self.accreditation}"


class Feedback(models.Model):
    """A trainee's structured feedback; read only in aggregate (labs/centres/feedback.py)."""

    trainee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    session = models.ForeignKey("labs.LabSession", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="feedback")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, null=True, blank=True, related_name="feedback")
    overall = models.PositiveSmallIntegerField(help_text="1 (poor) to 5 (excellent).")
    content = models.PositiveSmallIntegerField(help_text="Relevance of the content, 1 to 5.")
    faculty = models.PositiveSmallIntegerField(help_text="Teaching by the faculty, 1 to 5.")
    facilities = models.PositiveSmallIntegerField(help_text="Equipment and facilities, 1 to 5.")
    would_recommend = models.BooleanField()
    comment = models.TextField(blank=True, validators=[NoPIIValidator()])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(session__isnull=False, course__isnull=True)
                                   | Q(session__isnull=True, course__isnull=False), name="feedback_on_one_thing"),
            models.UniqueConstraint(fields=["trainee", "session"], condition=Q(session__isnull=False),
                                    name="feedback_once_per_session"),
            models.UniqueConstraint(fields=["trainee", "course"], condition=Q(course__isnull=False),
                                    name="feedback_once_per_course"),
            *[models.CheckConstraint(condition=Q(**{f"{f}__gte": 1, f"{f}__lte": 5}), name=f"feedback_{f}_1_to_5")
              for f in ("overall", "content", "faculty", "facilities")],
        ]

    def __str__(self) -> str:
        return f"Feedback {self.pk}"
