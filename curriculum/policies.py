"""Who may do what in the curriculum. Plain functions: views, the API, admin and services call them."""

from __future__ import annotations

from curriculum.models import Lifecycle
from rastrack.accounts.roles import Role
from rastrack.core.permissions import signed_in


def can_edit_curriculum(user) -> bool:
    """Programme admins own standards and curriculum."""
    return signed_in(user) and user.has_role(Role.PROGRAMME_ADMIN)


def can_moderate_resources(user) -> bool:
    return signed_in(user) and user.has_role(Role.PROGRAMME_ADMIN)


def can_submit_resources(user) -> bool:
    """Anyone signed in contributes to the catalogue (the DART-Ed crowdsourcing)."""
    return signed_in(user)


def _in_scope(user, trainee) -> bool:
    """A programme admin: any trainee; a regional lead: trainees now in their region."""
    if user.has_role(Role.PROGRAMME_ADMIN):
        return True
    return bool(user.has_role(Role.REGIONAL_LEAD) and user.region_id and user.region_id == trainee.region_id)


def can_enrol(user, trainee, pathway) -> bool:
    """Self-enrolment on an open pathway, or a lead / admin enrolling a trainee in scope."""
    if not signed_in(user) or pathway.status != Lifecycle.PUBLISHED:
        return False
    if not (trainee.is_active and trainee.has_role(Role.TRAINEE)):
        return False
    if user.pk == trainee.pk and pathway.self_enrol:
        return True
    return _in_scope(user, trainee)


def can_manage_enrolment(user, enrolment) -> bool:
    """Pause, resume or withdraw: the trainee, their regional lead, or a programme admin."""
    if not signed_in(user):
        return False
    if user.pk == enrolment.trainee_id and user.has_role(Role.TRAINEE):
        return True
    return _in_scope(user, enrolment.trainee)


def can_record_elearning(user, trainee) -> bool:
    """A trainee records their own e-learning."""
    return signed_in(user) and user.pk == trainee.pk and user.has_role(Role.TRAINEE)
