"""Who may do what in the faculty. Plain functions: the API, the web pages and the services
all call these, so the rule is the same everywhere.

Regions are the people's *current* regions (`User.region`): an applicant's, a trainer's or
a trainee's record moves with them.
"""

from __future__ import annotations

from accreditation.faculty.models import Accreditation, Assignment, TrainerApplication
from rastrack.accounts.models import Profession, User
from rastrack.accounts.roles import Role
from rastrack.core.permissions import signed_in


def _leads_region_of(user: User, person: User) -> bool:
    return (
        user.has_role(Role.REGIONAL_LEAD)
        and user.region_id is not None
        and user.region_id == person.region_id
    )


def can_apply(user: User) -> bool:
    """Any signed-in surgeon may apply to become (or stay) an accredited trainer."""
    return signed_in(user) and user.profession == Profession.SURGEON


def can_decide_application(user: User, application: TrainerApplication) -> bool:
    """A programme admin, or the regional lead of the applicant's region; never the applicant."""
    if not signed_in(user) or user.pk == application.applicant_id:
        return False
    return user.has_role(Role.PROGRAMME_ADMIN) or _leads_region_of(user, application.applicant)


def can_manage_accreditation(user: User, accreditation: Accreditation) -> bool:
    """Suspend, reinstate or revoke: a programme admin or the trainer's regional lead, never
    the trainer themself."""
    if not signed_in(user) or user.pk == accreditation.trainer_id:
        return False
    return user.has_role(Role.PROGRAMME_ADMIN) or _leads_region_of(user, accreditation.trainer)


def can_manage_assignments_for(user: User, trainee: User) -> bool:
    """Assign trainers to, and end assignments of, a trainee: a programme admin or the
    trainee's regional lead."""
    if not signed_in(user):
        return False
    return user.has_role(Role.PROGRAMME_ADMIN) or _leads_region_of(user, trainee)


def can_end_assignment(user: User, assignment: Assignment) -> bool:
    return can_manage_assignments_for(user, assignment.trainee)


def can_view_register(user: User) -> bool:
    """The faculty register (all of it for admins, their own region for leads)."""
    return signed_in(user) and user.has_role(Role.PROGRAMME_ADMIN, Role.REGIONAL_LEAD)


def can_use_decision_queue(user: User) -> bool:
    return can_view_register(user)
