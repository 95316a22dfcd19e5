"""Reads for certificates, scoped to the caller (others: 404), and the public lookup.

Scope is the logbook's rule (`logbook_selectors.trainees_visible_to`): the holder; trainers
who may supervise the holder today; the regional lead of the region the holder is in now;
every programme admin.
"""

from __future__ import annotations

from django.db.models import QuerySet

from accreditation.certificates.models import Certificate, normalise_code
from accreditation.logbook.selectors import trainees_visible_to
from rastrack.accounts.models import User
from rastrack.accounts.roles import Role


def _signed_in(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def certificates_visible_to(user: User) -> QuerySet[Certificate]:
    qs = Certificate.objects.select_related("trainee", "pathway", "enrolment", "signoff_request",
                                            "revoked_by").order_by("-issued_on", "-id")
    if not _signed_in(user):
        return qs.none()
    if user.has_role(Role.PROGRAMME_ADMIN):
        return qs
    return qs.filter(trainee_id__in=trainees_visible_to(user).values("pk"))


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
