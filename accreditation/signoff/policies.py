"""Who may do what with assessments and sign-off requests. Plain functions: pages use them to
decide what to offer; the services enforce the same rules again (NotPermitted: 403).

Eligibility is always `accreditation.faculty.eligibility.can_supervise` on the day: a trainer whose
accreditation lapsed, was suspended or revoked, or whose assignment ended, may no longer
assess or decide, from the very next request.
"""

from __future__ import annotations

from django.utils import timezone

from accreditation.faculty.eligibility import can_supervise
from accreditation.signoff.models import SignoffRequest, SignoffStatus
from rastrack.accounts.models import User
from rastrack.accounts.roles import Role
from rastrack.core.permissions import signed_in

READERS = (Role.TRAINEE, Role.TRAINER, Role.REGIONAL_LEAD, Role.PROGRAMME_ADMIN)



def can_read(user: User) -> bool:
    """Assessments and sign-off requests are for these roles (lab managers: 403)."""
    return signed_in(user) and user.has_role(*READERS)


def can_assess(user: User, trainee: User) -> bool:
    """A trainer who may supervise the trainee today."""
    return signed_in(user) and user.has_role(Role.TRAINER) and can_supervise(user, trainee,
                                                                           on=timezone.localdate())


def can_self_assess(user: User) -> bool:
    return signed_in(user) and user.has_role(Role.TRAINEE)


def can_request_signoff(user: User) -> bool:
    return signed_in(user) and user.has_role(Role.TRAINEE)


def can_decide(user: User, request: SignoffRequest) -> bool:
    """The addressed trainer, on a pending request, still able to supervise the trainee."""
    return (signed_in(user) and request.status == SignoffStatus.PENDING and user.pk == request.trainer_id
            and user.pk != request.trainee_id and can_supervise(user, request.trainee, on=timezone.localdate()))


def can_reverse(user: User, request: SignoffRequest) -> bool:
    return (signed_in(user) and user.has_role(Role.PROGRAMME_ADMIN) and request.status == SignoffStatus.APPROVED
            and user.pk != request.trainee_id)


def can_withdraw(user: User, request: SignoffRequest) -> bool:
    return signed_in(user) and request.status == SignoffStatus.PENDING and user.pk == request.trainee_id
