"""The append-only, tamper-evident audit trail.

Entries form one hash chain per *stream* (for example one audited object). Each entry
carries its stream's sequence number under a unique constraint, so two writers to the same
stream cannot fork it (the loser gets an IntegrityError and retries), while writers to
different streams never wait on each other. `AuditStreamHead` remembers the last link of
each stream, so that removing the newest entries is detected too.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

GENESIS_HASH = "0" * 64


class AppendOnlyError(Exception):
    """Audit entries are never updated or deleted."""


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("The audit trail is append-only: entries cannot be updated.")

    def delete(self):
        raise AppendOnlyError("The audit trail is append-only: entries cannot be deleted.")


class AuditEntry(models.Model):
    stream = models.CharField(max_length=120)
    seq = models.PositiveIntegerField()
    occurred_at = models.DateTimeField()
    # PROTECT: people are deactivated, never deleted, so every entry keeps its actor.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", help_text="Empty for the system (scheduled tasks).",
    )
    action = models.CharField(max_length=80)
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["stream", "seq"]
        verbose_name_plural = "audit entries"
        constraints = [
            models.UniqueConstraint(fields=["stream", "seq"], name="audit_one_entry_per_seq"),
            models.CheckConstraint(condition=models.Q(seq__gte=1), name="audit_seq_positive"),
        ]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
            models.Index(fields=["actor", "occurred_at"], name="audit_actor_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.stream}#{self.seq} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("The audit trail is append-only: entries cannot be updated.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The audit trail is append-only: entries cannot be deleted.")


class AuditStreamHead(models.Model):
    """The newest link of each stream: lets `verify_audit` notice a removed tail."""

    stream = models.CharField(max_length=120, primary_key=True)
    seq = models.PositiveIntegerField()
    hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"{self.stream} at #{self.seq}"
