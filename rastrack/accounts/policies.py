"""Who may manage whom. Plain functions: views, the API, admin and services all call these."""

from __future__ import annotations

from rastrack.accounts.models import User
from rastrack.accounts.roles import Role

# What a regional lead may grant when inviting people into their own region. The trainer
# role comes from an approved accreditation, and the two admin roles from a programme admin.
LEAD_INVITABLE_ROLES = frozenset({Role.TRAINEE, Role.LAB_MANAGER})


def can_invite(actor: User, *, roles: list[str], region_id: int | None) -> bool:
    if not actor.is_active:
        return False
    if actor.has_role(Role.PROGRAMME_ADMIN):
        return True
    if actor.has_role(Role.REGIONAL_LEAD):
        return (
            region_id is not None
            and region_id == actor.region_id
            and set(roles) <= LEAD_INVITABLE_ROLES
        )
    return False


def can_manage_people(actor: User) -> bool:
    return actor.is_active and actor.has_role(Role.PROGRAMME_ADMIN, Role.REGIONAL_LEAD)


def can_deactivate(actor: User, user: User) -> bool:
    if actor.pk == user.pk or not actor.is_active:
        return False
    if actor.has_role(Role.PROGRAMME_ADMIN):
        return True
    if actor.has_role(Role.REGIONAL_LEAD):
        # A lead manages people in their region, never the programme's admins or other leads.
        return (
            user.region_id == actor.region_id
            and not user.has_role(Role.PROGRAMME_ADMIN, Role.REGIONAL_LEAD)
        )
    return False
