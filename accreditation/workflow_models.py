"""One-tap decision links sent in reminder e-mails (issue [Workflows])."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


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
