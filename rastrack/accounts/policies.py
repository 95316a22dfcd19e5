"""Who may manage whom. Plain functions: views, the API, admin and services all call these."""

from __future__ import annotations

from rastrack.accounts.models import User
from rastrack.accounts.roles import Role

# What a regional lead may grant when inviting people into their own region. The trainer
# role comes from an approved accreditation, and the two admin roles from a programme admin.
LEAD_INVITABLE_ROLES = frozenset({Role.TRAINEE, Role.LAB_MANAGER})


def may_invite_anyone(actor: User) -> bool:
    return actor.is_active and actor.has_role(Role.PROGRAMME_ADMIN, Role.REGIONAL_LEAD)


def grantable_roles(actor: User) -> list[str]:
    """The roles `actor` may grant by invitation, in the order of `Role`."""
    if not may_invite_anyone(actor):
        return []
    if actor.has_role(Role.PROGRAMME_ADMIN):
        return list(Role.values)
    return [role for role in Role.values if role in LEAD_INVITABLE_ROLES]


def grantable_region_ids(actor: User) -> set[int | None] | None:
    """The regions `actor` may invite people into (None in the set: no region); None means
    every region (a programme admin)."""
    if not may_invite_anyone(actor):
        return set()
    if actor.has_role(Role.PROGRAMME_ADMIN):
        return None
    return {actor.region_id} if actor.region_id else set()


def refused_roles(actor: User, roles: list[str]) -> list[str]:
    grantable = set(grantable_roles(actor))
    return [role for role in roles if role not in grantable]


def region_refused(actor: User, region_id: int | None) -> bool:
    regions = grantable_region_ids(actor)
    return regions is not None and region_id not in regions


def can_invite(actor: User, *, roles: list[str], region_id: int | None) -> bool:
    """May `actor` grant these roles in this region by invitation? Also who may resend or
    revoke an invitation: whoever could have granted it."""
    return may_invite_anyone(actor) and not refused_roles(actor, roles) and not region_refused(actor, region_id)


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
