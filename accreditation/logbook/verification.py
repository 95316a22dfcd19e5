"""Verifying evidence a trainee entered themself: the one rule for every kind of it.

Simulator sessions and e-learning completions carry a `provenance` (`self_reported`,
`trainer_verified`, `device_import`). A self-reported record counts towards a requirement only
where the requirement says so (new versions: never) until a trainer verifies it:

- who: a trainer who may supervise the trainee today (an assigned, accredited trainer), never
  the trainee themself (`refusal_to_verify`);
- what: a self-reported record only (a verified one is a 409, an imported one has nothing to
  verify);
- how: under a row lock, audited on the trainee's portfolio chain; the verified record is
  frozen (no door edits or deletes a verified record).

`simulator_session_verify` and `elearning_completion_verify` are this rule applied to their
model; the pages, the API and the queue call them.
"""

from __future__ import annotations

from django.db import models, transaction
from django.utils import timezone

from accreditation.faculty.eligibility import can_supervise, educational_supervisor_of
from curriculum.models import ELearningCompletion, Provenance
from rastrack.accounts.models import User
from rastrack.audit.services import audited, portfolio_stream
from rastrack.core.exceptions import Conflict
from rastrack.core.permissions import refuse_unless, signed_in

VERIFIED_FIELDS = ["verified_by", "verified_at", "provenance"]


def refusal_to_verify(user: User, record, *, what: str = "record") -> str | None:
    """A trainer who may supervise the trainee today, accredited for the evidence's platform
    where it has one; never one's own evidence."""
    if user.pk == record.trainee_id or not can_supervise(user, record.trainee, on=timezone.localdate()):
        return f"Only a trainer who supervises this trainee may verify the {what}."
    platform = _platform_of(record)
    if platform and not can_supervise(user, record.trainee, on=timezone.localdate(), platform=platform):
        return f"Your trainer accreditation does not cover the platform of this {what}."
    return None


def _platform_of(record) -> str:
    """The robotic platform the evidence was gained on, where it has one (a simulator
    exercise's platform); e-learning has none and is not platform-scoped."""
    exercise = getattr(record, "exercise", None) if getattr(record, "exercise_id", None) else None
    return getattr(exercise, "platform", "") or ""


def can_verify(user: User, record) -> bool:
    return (signed_in(user) and record.provenance == Provenance.SELF_REPORTED
            and refusal_to_verify(user, record) is None)


def verifier_description(trainee: User) -> str:
    """Who may verify the trainee's evidence, for progress notes (registered with the curriculum)."""
    supervisor = educational_supervisor_of(trainee)
    return (f"{supervisor.full_name} (educational supervisor) or another trainer assigned to you"
            if supervisor else "a trainer assigned to you")


def verify_evidence(*, model: type[models.Model], record, actor: User, action: str, what: str):
    """Mark one self-reported record as verified by `actor` (see the module's docstring)."""
    with transaction.atomic():
        record = model.objects.select_for_update(of=("self",)).select_related("trainee").get(pk=record.pk)
        refuse_unless(refusal_to_verify(actor, record, what=what))
        if record.provenance == Provenance.TRAINER_VERIFIED:
            raise Conflict(f"This {what} is already verified.")
        if record.provenance == Provenance.DEVICE_IMPORT:
            raise Conflict(f"This {what} was imported from the device's export: there is nothing to verify.")
        with audited(actor=actor, action=action, instance=record, fields=VERIFIED_FIELDS,
                     stream=portfolio_stream(record.trainee_id)):
            record.verified_by = actor
            record.verified_at = timezone.now()
            record.provenance = Provenance.TRAINER_VERIFIED
            record.save(update_fields=VERIFIED_FIELDS)
    return record


def elearning_completion_verify(*, completion: ELearningCompletion, actor: User) -> ELearningCompletion:
    return verify_evidence(model=ELearningCompletion, record=completion, actor=actor,
                           action="elearning.verify", what="e-learning completion")
