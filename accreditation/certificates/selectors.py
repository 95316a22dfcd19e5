"""Reads for certificates, scoped to the caller (others: 404), and the public lookup.

Scope is the one trainee-scope rule (`rastrack.accounts.trainee_scope`): the holder; trainers
who may supervise the holder today; the regional lead of the region the holder is in now;
every programme admin.
"""

from __future__ import annotations

from django.db.models import QuerySet

from accreditation.certificates.models import Certificate, normalise_code
from rastrack.accounts.models import User
from rastrack.accounts.trainee_scope import scoped


def certificates_visible_to(user: User) -> QuerySet[Certificate]:
    qs = Certificate.objects.select_related("trainee", "pathway", "enrolment", "signoff_request",
                                            "revoked_by").order_by("-issued_on", "-id")
    return scoped(qs, user)


def certificates_of(trainee: User) -> QuerySet[Certificate]:
    """The trainee's own certificates, newest first (for "My certificates")."""
    return (Certificate.objects.select_related("pathway", "revoked_by")
            .filter(trainee=trainee).order_by("-issued_on", "-id"))


def certificate_of_enrolment(enrolment) -> Certificate | None:
    return Certificate.objects.filter(enrolment=enrolment).first()


def certificate_for_verification(raw_code: str) -> Certificate | None:
    """The certificate a public verification code names, or None (unknown or malformed
    alike). Reads only what the public page shows."""
    code = normalise_code(raw_code)
    if code is None:
        return None
    return (Certificate.objects.select_related("trainee", "pathway")
            .only("id", "issued_on", "status", "verification_code", "trainee__full_name", "pathway__title")
            .filter(verification_code=code).first())
