"""Reads about people, scoped to what the caller may see."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from rastrack.accounts.models import Invitation, User
from rastrack.accounts.roles import Role


def users_with_roles() -> QuerySet[User]:
    return User.objects.select_related("region").prefetch_related("groups")


def users_visible_to(viewer: User) -> QuerySet[User]:
    """Programme admins see everyone; a regional lead sees people now in their region."""
    qs = users_with_roles()
    if viewer.has_role(Role.PROGRAMME_ADMIN):
        return qs
    if viewer.has_role(Role.REGIONAL_LEAD) and viewer.region_id:
        return qs.filter(region_id=viewer.region_id) | qs.filter(pk=viewer.pk)
    return qs.filter(pk=viewer.pk)


def user_with_roles(user_id: int) -> User:
    return users_with_roles().get(pk=user_id)


def regional_leads_of(region_id: int | None):
    """The active regional leads of a region (who receive its escalations)."""
    if region_id is None:
        return User.objects.none()
    return User.objects.filter(is_active=True, region_id=region_id, groups__name=Role.REGIONAL_LEAD).distinct()


def regional_leads_by_region(region_ids) -> dict[int, list]:
    """The active regional leads of each of these regions, in one query (for sweeps that
    escalate many requests at once); a region without a lead maps to an empty list."""
    region_ids = {pk for pk in region_ids if pk is not None}
    leads: dict[int, list] = {pk: [] for pk in region_ids}
    if region_ids:
        for lead in (User.objects.filter(is_active=True, region_id__in=region_ids, groups__name=Role.REGIONAL_LEAD)
                     .distinct()):
            leads[lead.region_id].append(lead)
    return leads


def invitations_visible_to(viewer: User) -> QuerySet[Invitation]:
    """Programme admins see every invitation; a regional lead those to their region and those
    they sent. Seeing one is not being allowed to resend or revoke it (`policies.can_invite`)."""
    qs = Invitation.objects.select_related("region", "invited_by")
    if viewer.has_role(Role.PROGRAMME_ADMIN):
        return qs
    if viewer.has_role(Role.REGIONAL_LEAD):
        return qs.filter(Q(region_id=viewer.region_id) | Q(invited_by=viewer))
    return qs.none()


def invitations_pending_for(viewer: User) -> QuerySet[Invitation]:
    """The invitations nobody has accepted or revoked yet (expired ones too: they can be
    resent), newest first."""
    return invitations_visible_to(viewer).filter(accepted_at__isnull=True, revoked_at__isnull=True).order_by(
        "-created_at", "-id")
