"""Certificates: one per enrolment, issued when its final sign-off is
approved, checked by anyone at /verify/<verification_code>/.

Imported by accreditation/models.py so that Django registers the model.

- `enrolment` is one-to-one: the database refuses a second certificate for an enrolment,
  whoever tries and however often the approval is retried.
- `verification_code`: 16 characters from an alphabet without look-alikes (no 0/O, 1/I/L),
  drawn with `secrets` (about 79 bits): unguessable, short enough to type from paper.
- Revoked by a programme admin with a reason (`revoked_on`, `revoked_by`,
  `revocation_reason`), or when the final sign-off it was issued on is reversed. The
  CheckConstraints keep a valid certificate free of revocation fields and a revoked one
  complete.
"""

from __future__ import annotations

import re
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from rastrack.audit.querysets import AuditedManager
from rastrack.core.pii import NoPIIValidator

# No 0/O, 1/I/L: a code read from a printed certificate is typed back without doubt.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 16
CODE_PATTERN = re.compile(rf"^[{CODE_ALPHABET}]{{{CODE_LENGTH}}}$")


def new_verification_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(raw: str) -> str | None:
    """The code as stored, from what someone typed (any case, spaces or hyphens between
    groups); None when it cannot be a code at all."""
    code = re.sub(r"[\s-]", "", raw or "").upper()
    return code if CODE_PATTERN.match(code) else None


class CertificateStatus(models.TextChoices):
    VALID = "valid", "Valid"
    REVOKED = "revoked", "Revoked"


class Certificate(models.Model):
    """The certificate of one completed enrolment (a trainee on a pathway)."""

    trainee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="certificates")
    pathway = models.ForeignKey("curriculum.Pathway", on_delete=models.PROTECT, related_name="certificates")
    enrolment = models.OneToOneField("curriculum.Enrolment", on_delete=models.PROTECT, related_name="certificate")
    signoff_request = models.OneToOneField(
        "accreditation.SignoffRequest", on_delete=models.PROTECT, related_name="certificate",
        help_text="The approved final sign-off the certificate stands on.")
    issued_on = models.DateField()
    status = models.CharField(max_length=8, choices=CertificateStatus.choices, default=CertificateStatus.VALID)
    verification_code = models.CharField(max_length=CODE_LENGTH, unique=True, editable=False,
                                         default=new_verification_code)
    revoked_on = models.DateField(null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    revocation_reason = models.TextField(blank=True, validators=[NoPIIValidator()])
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    # Audited: bulk updates are refused (rastrack/audit/querysets.py); change rows through services.
    objects = AuditedManager()

    class Meta:
        ordering = ["-issued_on", "-id"]
        indexes = [
            models.Index(fields=["trainee", "-issued_on"], name="certificate_trainee_idx"),
            models.Index(fields=["status", "-issued_on"], name="certificate_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=CertificateStatus.values), name="certificate_status_valid"),
            models.CheckConstraint(
                condition=~Q(status="revoked")
                | (Q(revoked_on__isnull=False) & Q(revoked_by__isnull=False) & ~Q(revocation_reason="")),
                name="certificate_revoked_has_reason"),
            models.CheckConstraint(
                condition=~Q(status="valid")
                | (Q(revoked_on__isnull=True) & Q(revoked_by__isnull=True) & Q(revocation_reason="")),
                name="certificate_valid_not_revoked"),
        ]

    def __str__(self) -> str:
        return f"Certificate {self.pk} ({self.pathway_id}) of {self.trainee_id}"

    @property
    def is_valid(self) -> bool:
        return self.status == CertificateStatus.VALID

    @property
    def code_display(self) -> str:
        """The code in groups of four, for print."""
        code = self.verification_code
        return "-".join(code[i:i + 4] for i in range(0, len(code), 4))
