"""Reads about privileges: who sees which, the rules a site follows, procedure groups."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from accreditation.privileges.models import Privilege, PrivilegeRules, ProcedureGroup, ProctorReport
from rastrack.accounts.roles import Role
from rastrack.accounts.site_leads import led_site_ids
from rastrack.core.permissions import signed_in


def rules_for(site) -> PrivilegeRules:
    """The site's own rules, else the defaults (the row without a site)."""
    site_id = getattr(site, "pk", site)
    rows = {r.site_id: r for r in PrivilegeRules.objects.filter(Q(site_id=site_id) | Q(site__isnull=True))}
    return rows.get(site_id) or rows.get(None) or PrivilegeRules(site=None)


def privilege_scope(user, prefix: str = "") -> Q | None:
    """Privileges (fields under `prefix`) `user` may see; None means all (programme admin):
    their own, those they proctor, their sites' (site lead), their region's (regional lead)."""
    if not signed_in(user):
        return Q(pk__in=[])
    if user.has_role(Role.PROGRAMME_ADMIN):
        return None
    p = prefix
    scope = Q(**{f"{p}surgeon_id": user.pk}) | Q(**{f"{p}proctor_id": user.pk})
    sites = led_site_ids(user)
    if sites:
        scope |= Q(**{f"{p}site_id__in": sites})
    if user.has_role(Role.REGIONAL_LEAD) and user.region_id:
        scope |= Q(**{f"{p}site__region_id": user.region_id})
    return scope


def privileges_visible_to(user) -> QuerySet[Privilege]:
    qs = Privilege.objects.select_related("surgeon", "site", "procedure_group", "proctor")
    scope = privilege_scope(user)
    return qs if scope is None else qs.filter(scope)


def proctor_reports_visible_to(user) -> QuerySet[ProctorReport]:
    qs = ProctorReport.objects.select_related("privilege", "proctor")
    scope = privilege_scope(user, "privilege__")
    return qs if scope is None else qs.filter(scope)


def privilege_rules_visible_to(user) -> QuerySet[PrivilegeRules]:
    """Every signed-in person may read the rules a site follows (they are policy, not records)."""
    return PrivilegeRules.objects.select_related("site") if signed_in(user) else PrivilegeRules.objects.none()


def procedure_groups() -> QuerySet[ProcedureGroup]:
    return ProcedureGroup.objects.prefetch_related("procedures")


def may_decide(user, site_id: int) -> bool:
    """The site's robotic lead or a programme admin."""
    if not signed_in(user):
        return False
    return user.has_role(Role.PROGRAMME_ADMIN) or site_id in led_site_ids(user)
