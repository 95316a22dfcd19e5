"""Who may do what with assessments and sign-off requests: the one place each rule lives.

Each rule is a `refusal_to_<verb>(...)` that returns why the person may not (a sentence the
person is shown, as a 403) or None when they may; `can_<verb>` is the same rule as a yes/no
for pages deciding what to offer, with the object's state where it matters. The services
call the refusals (`refuse_unless`), so the API, the pages, the decision links and the demo
seeder all meet the same rule.

Eligibility is always `accreditation.faculty.eligibility.can_supervise` on the day: a trainer
whose accreditation lapsed, was suspended or revoked, or whose assignment ended, may no
longer assess or decide, from the very next request.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from accreditation.faculty.eligibility import can_supervise
from accreditation.faculty.policies import refusal_for_faculty_scope, refusal_for_faculty_tool  # noqa: F401
from accreditation.signoff.models import SignoffRequest, SignoffStatus
from rastrack.accounts.models import User
from rastrack.accounts.roles import Role
from rastrack.core.permissions import signed_in

READERS = (Role.TRAINEE, Role.TRAINER, Role.REGIONAL_LEAD, Role.PROGRAMME_ADMIN)


def can_read(user: User) -> bool:
    """Assessments and sign-off requests are for these roles (lab managers: 403)."""
    return signed_in(user) and user.has_role(*READERS)


# --- Assessments ------------------------------------------------------------------------------


def refusal_to_assess(user: User, trainee: User, *, on: datetime.date | None = None) -> str | None:
    """A trainee rates their own cases; a trainer, a trainee they may supervise on the day."""
    if user.pk == trainee.pk:
        return None if trainee.has_role(Role.TRAINEE) else "Only trainees rate their own cases."
    if not can_supervise(user, trainee, on=on or timezone.localdate()):
        return "Only a trainer who may supervise this trainee today can assess them."
    return None


def can_assess(user: User, trainee: User) -> bool:
    """A trainer who may supervise the trainee today."""
    return (signed_in(user) and user.pk != trainee.pk and user.has_role(Role.TRAINER)
            and refusal_to_assess(user, trainee) is None)


def can_self_assess(user: User) -> bool:
    return signed_in(user) and user.has_role(Role.TRAINEE)


# --- Sign-off requests ------------------------------------------------------------------------


def refusal_to_request_signoff(trainee: User, trainer: User | None) -> str | None:
    """Trainees ask; nobody asks themself."""
    if not trainee.has_role(Role.TRAINEE):
        return "Only trainees ask for sign-off."
    if trainer is not None and trainer.pk == trainee.pk:
        return "Nobody signs off their own evidence: ask one of your trainers."
    return None


def can_request_signoff(user: User) -> bool:
    return signed_in(user) and refusal_to_request_signoff(user, None) is None


def refusal_to_decide(user: User, request: SignoffRequest, *, on: datetime.date | None = None) -> str | None:
    """The addressed trainer, who is not the trainee, and may still supervise them today."""
    if user.pk != request.trainer_id:
        return "Only the trainer the request is addressed to may decide it."
    if user.pk == request.trainee_id:
        return "Nobody signs off their own evidence."
    if not can_supervise(user, request.trainee, on=on or timezone.localdate()):
        return ("You may no longer supervise this trainee (assignment ended, or accreditation not current): "
                "the request stays pending for the trainee to withdraw and ask another trainer.")
    return refusal_for_faculty_scope(user, competency=request.competency, component=request.component,
                                     enrolment=request.enrolment)


def can_decide(user: User, request: SignoffRequest) -> bool:
    return (signed_in(user) and request.status == SignoffStatus.PENDING
            and refusal_to_decide(user, request) is None)


def refusal_to_reverse(user: User, request: SignoffRequest) -> str | None:
    if not user.has_role(Role.PROGRAMME_ADMIN):
        return "Only a programme admin can reverse a sign-off."
    if user.pk == request.trainee_id:
        return "Nobody reverses their own sign-off."
    return None


def can_reverse(user: User, request: SignoffRequest) -> bool:
    return (signed_in(user) and request.status == SignoffStatus.APPROVED
            and refusal_to_reverse(user, request) is None)


def refusal_to_withdraw(user: User, request: SignoffRequest) -> str | None:
    if user.pk != request.trainee_id:
        return "Only the trainee who asked can withdraw the request."
    return None


def can_withdraw(user: User, request: SignoffRequest) -> bool:
    return (signed_in(user) and request.status == SignoffStatus.PENDING
            and refusal_to_withdraw(user, request) is None)


def refusal_to_reassign(user: User, request: SignoffRequest) -> str | None:
    """A programme admin, or the regional lead of the trainee's region now."""
    if user.has_role(Role.PROGRAMME_ADMIN):
        return None
    if user.has_role(Role.REGIONAL_LEAD) and user.region_id and user.region_id == request.trainee.region_id:
        return None
    return "Only a programme admin or the trainee's regional lead can reassign a request."


# --- Assessment tool versions -----------------------------------------------------------------


def refusal_to_manage_tools(user: User) -> str | None:
    if not user.has_role(Role.PROGRAMME_ADMIN):
        return "Only a programme admin adds, publishes or retires assessment tool versions."
    return None


# --- Blinded video reviews --------------------------------------------------------------------


def refusal_to_open_review(user: User, trainee: User) -> str | None:
    """A programme admin, or the regional lead of the trainee's region."""
    if user.pk == trainee.pk:
        return "Nobody opens a review of their own case."
    if user.has_role(Role.PROGRAMME_ADMIN):
        return None
    if user.has_role(Role.REGIONAL_LEAD) and user.region_id and user.region_id == trainee.region_id:
        return None
    return "Only a programme admin or the trainee's regional lead opens a video review."


def can_open_review(user: User) -> bool:
    return signed_in(user) and user.has_role(Role.PROGRAMME_ADMIN, Role.REGIONAL_LEAD)


def refusal_to_rate_review(user: User, rater_ids) -> str | None:
    if user.pk not in set(rater_ids):
        return "Only the raters named on the review may rate it."
    return None


# --- Evidence of decisions ----------------------------------------------------------------------


def refusal_to_change_evidence(case) -> str | None:
    """A case that is evidence of an approved sign-off is frozen (409): the decision stands on
    it as it was. Reversing the sign-off is the way back; a returned or withdrawn request
    holds nothing."""
    approved = (SignoffRequest.objects.filter(evidence_cases=case, status=SignoffStatus.APPROVED)
                .order_by("decided_at", "id").first())
    if approved is None:
        return None
    return (f"This case is evidence of the approved sign-off of {approved.target_label}: it cannot be "
            "changed or deleted unless that sign-off is reversed.")
