from django.conf import settings
from django.db import models
from django.db.models import Q

from rastrack.core.uploads import (
    ALLOWED_TYPES,
    MAX_UPLOAD_BYTES,
    evidence_upload_to,
    validate_evidence_file,
)


class Heartbeat(models.Model):
    """The last time a periodic process proved it was alive (beat writes "beat")."""

    name = models.CharField(max_length=40, primary_key=True)
    beat_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.beat_at:%Y-%m-%d %H:%M:%S}"


class EvidenceDocument(models.Model):
    """An uploaded certificate or course document, kept for the person whose record it is on.

    Later apps (trainer applications, e-learning, courses) point at these rows; who may see
    one is `rastrack.accounts.documents.can_view_document`.
    """

    class ContentType(models.TextChoices):
        PDF = "application/pdf", "PDF"
        PNG = "image/png", "PNG"
        JPEG = "image/jpeg", "JPEG"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="evidence_documents",
        help_text="The person whose record the document belongs to.",
    )
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The stored name is random (evidence_upload_to); the validator guards forms and admin,
    # the service validates itself.
    file = models.FileField(upload_to=evidence_upload_to, validators=[validate_evidence_file])
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=50, choices=ContentType.choices)
    size = models.PositiveIntegerField(help_text="Bytes.")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(size__gt=0) & Q(size__lte=MAX_UPLOAD_BYTES),
                name="evidence_document_size_within_limit",
            ),
            models.CheckConstraint(
                condition=Q(content_type__in=sorted(ALLOWED_TYPES)),
                name="evidence_document_allowed_type",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.owner_id})"


class TaskFailure(models.Model):
    """A Celery task that failed for good (after its bounded retries), for operators."""

    task_name = models.CharField(max_length=200)
    task_id = models.CharField(max_length=64)
    args = models.TextField(blank=True)
    exception = models.TextField()
    traceback = models.TextField(blank=True)
    failed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-failed_at", "-id"]
        indexes = [models.Index(fields=["-failed_at"], name="task_failure_recent_idx")]

    def __str__(self) -> str:
        return f"{self.task_name} failed at {self.failed_at:%Y-%m-%d %H:%M}"


class TaskDelivery(models.Model):
    """How often one attempt of a task has been handed to a worker (`rastrack.core.task_guard`).

    A row lives while the attempt runs and is removed when it ends; one left behind means
    the worker died mid-task. Past `TASK_MAX_DELIVERIES` the task is given up as poison.
    """

    key = models.CharField(max_length=120, primary_key=True, help_text="task id : retry number")
    task_name = models.CharField(max_length=200)
    deliveries = models.PositiveIntegerField(default=1)
    first_at = models.DateTimeField(auto_now_add=True)
    last_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "task deliveries"

    def __str__(self) -> str:
        return f"{self.task_name} {self.key}: {self.deliveries}"
