"""Writes for certificates: issue (on the final sign-off's approval), revoke, and the
listeners sign-off calls inside its decision's transaction.

**Issue.** `signoff_request_approve` calls `on_final_approved(request=..., actor=...)` in the
transaction that marks the final sign-off approved; `certificate_issue` then locks the
enrolment row, completes the enrolment and creates the certificate, all in that
transaction: the approval, the completion and the certificate commit together or not at
all. It is idempotent: a second call for the same enrolment (a retried approval, a listener
registered twice) finds the certificate under the enrolment lock and returns it; the
database's one-to-one on `enrolment` refuses a second row even if a caller skipped the lock.

The enrolment is completed with `curriculum.services.enrolment_complete`, which checks
progress again. That works inside the approval's transaction: sign-off saves the request as
approved *before* it calls its listeners, so the curriculum's `final_signoff` provider
already counts it and every other requirement was re-checked by the approval itself. A
paused enrolment cannot be completed: the approval is then a 409 saying so (nothing is
approved). An enrolment already completed (by an earlier path) is left as it is.

**Revoke.** A programme admin revokes a valid certificate with a reason (400 without one,
PII-checked; 409 when already revoked; 403 for anyone else); the trainee is told.

**Reversal of the final sign-off** (`on_final_reversed`): the certificate is revoked with the
reversal's reason ("Final sign-off reversed: ..."), and the enrolment is reopened (completed
-> active, audited as `enrolment.reopen`), because it no longer meets its final requirement;
the trainee may then ask for the final sign-off again. When that is approved, the same
certificate row is re-issued (`certificate.reissue`: valid again, the new sign-off and
issue date, the same verification code, so a printed copy verifies again). A certificate an
admin revoked directly (not by reversal) stays revoked while its sign-off stands.

Every write is audited in the trainee's portfolio stream (`portfolio:<trainee id>`), like
sign-off's, and notifies the trainee through the outbox (`certificate.issued:<id>:<request>`,
`certificate.revoked:<id>:<request>`).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accreditation.certificates import policies
from accreditation.certificates.models import Certificate, CertificateStatus
from accreditation.certificates.xapi import certificate_issued
from accreditation.signoff.models import SignoffRequest, SignoffStatus, SignoffTarget
from curriculum.models import LIVE_ENROLMENT_STATUSES, Enrolment, EnrolmentStatus
from rastrack.accounts.models import User
from rastrack.audit.services import audit_record, portfolio_stream, snapshot
from rastrack.core.exceptions import Conflict
from rastrack.core.free_text import MAX_TEXT, free_text
from rastrack.core.permissions import refuse_unless
from rastrack.notifications.services import notify

CERTIFICATE_FIELDS = ["trainee", "pathway", "enrolment", "signoff_request", "issued_on", "status",
                      "verification_code", "revoked_on", "revoked_by", "revocation_reason"]
ENROLMENT_FIELDS = ["trainee", "pathway", "status", "enrolled_on", "target_date", "completed_on", "withdrawn_on"]



def verification_path(certificate: Certificate) -> str:
    return reverse("certificate-verify", args=[certificate.verification_code])


def verification_url(certificate: Certificate) -> str:
    """The public address printed on the certificate and in its QR code."""
    return settings.SITE_URL + verification_path(certificate)


def _link(certificate: Certificate) -> str:
    return reverse("accreditation:certificate", args=[certificate.pk])


def _locked_enrolment(enrolment_id: int) -> Enrolment:
    # Enrolment's foreign keys are not nullable: an inner join, which PostgreSQL can lock.
    return Enrolment.objects.select_for_update().select_related("trainee", "pathway").get(pk=enrolment_id)


def _locked_certificate(**lookup) -> Certificate | None:
    return (Certificate.objects.select_for_update(of=("self",))
            .select_related("trainee", "pathway", "revoked_by").filter(**lookup).first())




# --- Issue ---------------------------------------------------------------------------------------


def _complete_enrolment(*, actor: User, enrolment: Enrolment, on: datetime.date) -> None:
    from curriculum.services import enrolment_complete

    if enrolment.status == EnrolmentStatus.COMPLETED:
        return
    if enrolment.status != EnrolmentStatus.ACTIVE:
        raise Conflict(f"{enrolment.trainee.full_name}'s enrolment on {enrolment.pathway.title} is "
                       f"{enrolment.get_status_display().lower()}: only an active training can be completed. "
                       "Resume it first, then approve the final sign-off.")
    enrolment_complete(actor=actor, enrolment=enrolment, on=on)


def _notify_issued(certificate: Certificate) -> None:
    notify(recipient=certificate.trainee, kind="certificate.issued",
           subject=f"Certificate issued: {certificate.pathway.title}",
           body=f"Your certificate of {certificate.pathway.title} is issued, dated "
                f"{certificate.issued_on:%-d %B %Y}. Download it as a PDF; anyone can check it at "
                f"{verification_url(certificate)}",
           key=f"certificate.issued:{certificate.pk}:{certificate.signoff_request_id}", link=_link(certificate))


@transaction.atomic
def certificate_issue(*, request: SignoffRequest, actor: User) -> Certificate:
    """Issue the certificate of an approved final sign-off and complete its enrolment.

    Idempotent per enrolment: the certificate already issued for it is returned unchanged.
    A certificate revoked by a reversal is re-issued (valid again, same code) on the new
    approval. 409: the sign-off is not an approved final one; the enrolment is paused or
    withdrawn.
    """
    if request.target != SignoffTarget.FINAL or request.enrolment_id is None:
        raise Conflict("Only the final sign-off of a pathway issues a certificate.")
    if request.status != SignoffStatus.APPROVED:
        raise Conflict(f"This final sign-off is {request.get_status_display().lower()}: only an approved one "
                       "issues a certificate.")
    # The enrolment's row lock serialises issuers of the same enrolment (two approvals of
    # one request are already refused by sign-off; this also covers any other caller).
    enrolment = _locked_enrolment(request.enrolment_id)
    issued_on = timezone.localdate(request.decided_at) if request.decided_at else timezone.localdate()

    certificate = _locked_certificate(enrolment=enrolment)
    if certificate is not None and (certificate.is_valid or certificate.signoff_request_id == request.pk):
        return certificate  # issued already: a retry changes nothing

    _complete_enrolment(actor=actor, enrolment=enrolment, on=issued_on)

    if certificate is not None:  # revoked when the earlier final sign-off was reversed
        before = snapshot(certificate, CERTIFICATE_FIELDS)
        certificate.status = CertificateStatus.VALID
        certificate.signoff_request = request
        certificate.issued_on = issued_on
        certificate.revoked_on, certificate.revoked_by, certificate.revocation_reason = None, None, ""
        certificate.save(update_fields=["status", "signoff_request", "issued_on", "revoked_on", "revoked_by",
                                        "revocation_reason"])
        audit_record(actor=actor, action="certificate.reissue", obj=certificate,
                     stream=portfolio_stream(enrolment.trainee_id), before=before,
                     after=snapshot(certificate, CERTIFICATE_FIELDS))
    else:
        certificate = Certificate(trainee=enrolment.trainee, pathway=enrolment.pathway, enrolment=enrolment,
                                  signoff_request=request, issued_on=issued_on)
        try:
            with transaction.atomic():
                certificate.save()
        except IntegrityError:
            # Only a writer that skipped the enrolment lock can get here: its row stands.
            existing = Certificate.objects.filter(enrolment=enrolment).first()
            if existing is None:
                raise
            return existing
        audit_record(actor=actor, action="certificate.issue", obj=certificate,
                     stream=portfolio_stream(enrolment.trainee_id), after=snapshot(certificate, CERTIFICATE_FIELDS))
    _notify_issued(certificate)
    certificate_issued(certificate, verification_url=verification_url(certificate))
    return certificate


# --- Revoke --------------------------------------------------------------------------------------


def _revoke(*, certificate: Certificate, actor: User, reason: str, today: datetime.date) -> Certificate:
    before = snapshot(certificate, CERTIFICATE_FIELDS)
    certificate.status = CertificateStatus.REVOKED
    certificate.revoked_on, certificate.revoked_by, certificate.revocation_reason = today, actor, reason
    certificate.save(update_fields=["status", "revoked_on", "revoked_by", "revocation_reason"])
    audit_record(actor=actor, action="certificate.revoke", obj=certificate, stream=portfolio_stream(certificate.trainee_id),
                 before=before, after=snapshot(certificate, CERTIFICATE_FIELDS))
    notify(recipient=certificate.trainee, kind="certificate.revoked",
           subject=f"Certificate revoked: {certificate.pathway.title}",
           body=f"Your certificate of {certificate.pathway.title} (issued {certificate.issued_on:%-d %B %Y}) is "
                f"revoked: {reason}\n\nThe public verification page now shows it as revoked.",
           key=f"certificate.revoked:{certificate.pk}:{certificate.signoff_request_id}", link=_link(certificate))
    return certificate


@transaction.atomic
def certificate_revoke(*, certificate: Certificate, actor: User, reason: str,
                       today: datetime.date | None = None) -> Certificate:
    """A programme admin revokes a valid certificate, saying why (the trainee is told, the
    verification page shows it revoked). 403: anyone else, or the holder; 409: already
    revoked; 400: no reason, or one with patient-identifiable data."""
    refuse_unless(policies.refusal_to_revoke(actor))
    locked = _locked_certificate(pk=certificate.pk)
    if locked is None:
        raise Conflict("This certificate no longer exists.")
    refuse_unless(policies.refusal_to_revoke(actor, locked))
    if locked.status == CertificateStatus.REVOKED:
        raise Conflict(f"This certificate is already revoked (since {locked.revoked_on:%-d %B %Y}).")
    reason = free_text("reason", reason, required_message="Say why the certificate is revoked: the holder is told, and it "
                                              "stays in the audit trail.")
    return _revoke(certificate=locked, actor=actor, reason=reason, today=today or timezone.localdate())


def _reopen_enrolment(*, actor: User, enrolment_id: int) -> None:
    """Completed -> active again, unless the trainee has meanwhile another live enrolment on
    the pathway (one live enrolment per pathway); curriculum has no service for this."""
    enrolment = _locked_enrolment(enrolment_id)
    if enrolment.status != EnrolmentStatus.COMPLETED:
        return
    if Enrolment.objects.filter(trainee_id=enrolment.trainee_id, pathway_id=enrolment.pathway_id,
                                status__in=LIVE_ENROLMENT_STATUSES).exists():
        return
    before = snapshot(enrolment, ENROLMENT_FIELDS)
    enrolment.status, enrolment.completed_on = EnrolmentStatus.ACTIVE, None
    enrolment.save(update_fields=["status", "completed_on"])
    audit_record(actor=actor, action="enrolment.reopen", obj=enrolment, before=before,
                 after={**snapshot(enrolment, ENROLMENT_FIELDS), "reason": "final sign-off reversed"})


# --- The sign-off's hooks ------------------------------------------------------------------------


def on_final_approved(*, request: SignoffRequest, actor: User) -> None:
    """Registered with `signoff_services.on_final_signoff_approved` (AccreditationConfig.ready)."""
    certificate_issue(request=request, actor=actor)


def on_final_reversed(*, request: SignoffRequest, actor: User) -> None:
    """Registered with `signoff_services.on_final_signoff_reversed`: revoke the certificate
    issued on this sign-off (if still valid) and reopen the enrolment."""
    certificate = _locked_certificate(signoff_request=request)
    if certificate is not None and certificate.is_valid:
        reason = f"Final sign-off reversed: {request.reversal_reason}".strip()
        _revoke(certificate=certificate, actor=actor, reason=reason[:MAX_TEXT], today=timezone.localdate())
    if request.enrolment_id is not None:
        _reopen_enrolment(actor=actor, enrolment_id=request.enrolment_id)


__all__ = [
    "certificate_issue", "certificate_revoke", "on_final_approved", "on_final_reversed", "verification_path",
    "verification_url",
]
