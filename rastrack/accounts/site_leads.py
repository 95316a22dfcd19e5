"""The site robotic lead role: granted per site by a regional lead of the site's region or a
programme admin, ended the same way. The role group goes with the first site and leaves
with the last."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db import transaction

from rastrack.accounts.models import SiteLeadership, User
from rastrack.accounts.roles import Role
from rastrack.audit.services import audit_record
from rastrack.core.exceptions import Conflict, NotPermitted
from rastrack.notifications.services import notify
from rastrack.reference.models import Site


def can_grant_site_lead(actor: User, site: Site) -> bool:
    if not (actor.is_authenticated and actor.is_active):
        return False
    if actor.has_role(Role.PROGRAMME_ADMIN):
        return True
    return actor.has_role(Role.REGIONAL_LEAD) and actor.region_id is not None and actor.region_id == site.region_id


def led_site_ids(user) -> list[int]:
    """The sites `user` leads (empty for anyone without the role: no query)."""
    if not (user.is_authenticated and user.has_role(Role.SITE_LEAD)):
        return []
    cached = getattr(user, "_led_site_ids", None)
    if cached is None:
        cached = list(SiteLeadership.objects.filter(user=user).values_list("site_id", flat=True))
        user._led_site_ids = cached
    return cached


@transaction.atomic
def site_lead_grant(*, actor: User, user: User, site: Site) -> SiteLeadership:
    if not can_grant_site_lead(actor, site):
        raise NotPermitted("Only a regional lead of the site's region or a programme admin may do this.")
    if not user.is_active:
        raise Conflict("This account is deactivated.")
    if SiteLeadership.objects.filter(user=user, site=site).exists():
        raise Conflict(f"{user.full_name} already leads robotic privileges at {site.name}.")
    leadership = SiteLeadership.objects.create(user=user, site=site, granted_by=actor)
    user.groups.add(*Group.objects.filter(name=Role.SITE_LEAD))
    user.__dict__.pop("role_names", None)
    audit_record(actor=actor, action="site_lead.grant", obj=leadership,
                 after={"user": user.pk, "site": site.pk})
    notify(recipient=user, kind="site_lead.granted", subject=f"You are the robotic lead of {site.name}",
           body=f"You now grant, keep and check robotic privileges at {site.name}.",
           key=f"site_lead.granted:{leadership.pk}")
    return leadership


@transaction.atomic
def site_lead_end(*, actor: User, leadership: SiteLeadership) -> None:
    if not can_grant_site_lead(actor, leadership.site):
        raise NotPermitted("Only a regional lead of the site's region or a programme admin may do this.")
    user = leadership.user
    audit_record(actor=actor, action="site_lead.end", obj=leadership,
                 before={"user": user.pk, "site": leadership.site_id})
    leadership.delete()
    if not SiteLeadership.objects.filter(user=user).exists():
        user.groups.remove(*Group.objects.filter(name=Role.SITE_LEAD))
        user.__dict__.pop("role_names", None)
