"""The in-app inbox and the e-mail outbox, in one table.

A notification is stored in the same transaction as the change that causes it. A worker
e-mails it from here later, so when the broker or the mail server is down nothing is lost.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class EmailStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SENDING = "sending", "Claimed by a worker"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class Notification(models.Model):
    # To a person with an account (in their inbox and e-mailed), or only to an e-mail address:
    # an invitation goes to someone who has no account yet, and a password reset's one-time
    # link belongs in the mail, never in an inbox. Exactly one of the two is set.
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="notifications")
    recipient_email = models.EmailField(blank=True)
    recipient_name = models.CharField(max_length=150, blank=True,
                                      help_text="Whom an address-only e-mail greets.")
    kind = models.CharField(max_length=60)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    link = models.CharField(max_length=500, blank=True,
                            help_text="A path on this site; e-mails prefix SITE_URL.")
    # Who, what and which occurrence: e.g. "signoff.new:request:42". A task that runs twice,
    # or two processes that race, store one row.
    idempotency_key = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    email_status = models.CharField(max_length=10, choices=EmailStatus.choices,
                                    default=EmailStatus.PENDING)
    email_attempts = models.PositiveSmallIntegerField(default=0)
    email_next_attempt_at = models.DateTimeField(null=True, blank=True)
    email_claimed_at = models.DateTimeField(null=True, blank=True)
    email_sent_at = models.DateTimeField(null=True, blank=True)
    email_last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox_idx"),
            models.Index(fields=["email_status", "email_next_attempt_at"],
                         name="notification_outbox_idx",
                         condition=Q(email_status__in=["pending", "sending"])),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(recipient__isnull=False) & Q(recipient_email=""))
                | (Q(recipient__isnull=True) & ~Q(recipient_email="")),
                name="notification_to_a_user_or_an_address",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id or self.recipient_email}: {self.subject}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class XAPIStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SENDING = "sending", "Claimed by a worker"
    SENT = "sent", "Stored by the learning record store"
    FAILED = "failed", "Failed"


class XAPIStatement(models.Model):
    """An xAPI statement on its way to the learning record store (rastrack/notifications/xapi.py).

    Stored in the transaction of the change it reports; a worker sends it after commit. The
    statement id is derived from the idempotency key, so the store itself also recognises a
    statement sent again (the same id and content is stored once).
    """

    idempotency_key = models.CharField(max_length=200, unique=True)
    statement_id = models.UUIDField(unique=True)
    verb = models.CharField(max_length=200)
    statement = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=XAPIStatus.choices, default=XAPIStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="xapi_outbox_idx",
                         condition=Q(status__in=["pending", "sending"])),
        ]

    def __str__(self) -> str:
        return f"xAPI {self.idempotency_key} ({self.status})"
