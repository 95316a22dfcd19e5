"""Crowdsourced, moderated learning resources (up to three per submission)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from curriculum.models.pathways import (
    Module,
)
from curriculum.models.standards import Competency
from rastrack.core.pii import NoPIIValidator


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
