"""THE clearance answer: may this surgeon operate, here, on this platform, this procedure, on
this day, and under what supervision. One lookup, a constant number of queries whatever the
number of privileges or cases (pinned by the tests).

Who may ask: the surgeon, the site's robotic lead, the regional lead of the site's region, a
programme admin; anyone else gets the answer for a surgeon who does not exist (404).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from accreditation.privileges.models import CLEARED_STATUSES, Privilege, PrivilegeStatus
from rastrack.accounts.models import User
from rastrack.accounts.roles import Role
from rastrack.accounts.site_leads import led_site_ids
from rastrack.core.exceptions import NotFound
from rastrack.reference.models import Procedure, Site

S = PrivilegeStatus
# Which privilege answers when several match (a revoked one and its successor, say).
_PREFERENCE = {S.FULL: 0, S.PROVISIONAL: 1, S.SUSPENDED: 2, S.REQUESTED: 3, S.LAPSED: 4, S.REVOKED: 5}


@dataclass
class Clearance:
    cleared: bool
    privilege: int | None = None
    supervision: str = "none"
    proctor: int | None = None
    proctor_name: str | None = None
    status: str | None = None
    reasons: list[str] = field(default_factory=list)


def may_ask(user, *, surgeon_id: int, site: Site) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    if user.pk == surgeon_id or user.has_role(Role.PROGRAMME_ADMIN):
        return True
    if user.has_role(Role.REGIONAL_LEAD) and user.region_id == site.region_id:
        return True
    return site.pk in led_site_ids(user)


def _in_force_on(p: Privilege, on: datetime.date) -> bool:
    """The privilege allowed operating on `on`: granted by then and not yet ended."""
    if p.granted_on is None or on < p.granted_on:
        return False
    if p.status in CLEARED_STATUSES:
        return p.ended_on is None or on < p.ended_on
    return p.ended_on is not None and on < p.ended_on


def clearance(*, user, surgeon: int, site: int, platform: str, procedure: int, on: datetime.date) -> Clearance:
    site_obj = Site.objects.filter(pk=site).first()
    if site_obj is None or not may_ask(user, surgeon_id=surgeon, site=site_obj):
        raise NotFound("Not found.")
    names = dict(User.objects.filter(pk=surgeon).values_list("pk", "full_name"))
    if surgeon not in names:
        raise NotFound("Not found.")
    procedure_name = Procedure.objects.filter(pk=procedure).values_list("name", flat=True).first()
    if procedure_name is None:
        return Clearance(cleared=False, reasons=["No such procedure in the catalogue."])
    candidates = sorted(
        Privilege.objects.filter(surgeon_id=surgeon, site_id=site, platform=platform,
                                 procedure_group__procedures__id=procedure)
        .select_related("proctor", "procedure_group"),
        key=lambda p: (not _in_force_on(p, on), _PREFERENCE[p.status], -p.pk))
    if not candidates:
        return Clearance(cleared=False, reasons=[
            f"{names[surgeon]} holds no privilege at {site_obj.name} on this platform for {procedure_name}."])
    p = candidates[0]
    answer = Clearance(cleared=False, privilege=p.pk, status=p.status)
    if _in_force_on(p, on):
        answer.cleared = True
        proctored = p.full_on is None or on < p.full_on
        if proctored:
            answer.supervision = "proctor"
            if p.status == S.PROVISIONAL and p.proctor_id:
                answer.proctor, answer.proctor_name = p.proctor_id, p.proctor.full_name
            elif p.status == S.PROVISIONAL:
                answer.cleared = False
                answer.reasons.append("Provisional privileges: no proctor is assigned yet.")
        return answer
    if p.status == S.REQUESTED:
        answer.reasons.append("Requested, not yet granted.")
    elif p.granted_on and on < p.granted_on:
        answer.reasons.append(f"Not yet in force: granted from {p.granted_on:%d %B %Y}.")
    else:
        since = f" since {p.ended_on:%d %B %Y}" if p.ended_on else ""
        answer.reasons.append(f"{p.get_status_display()}{since}" + (f": {p.status_reason}" if p.status_reason else "."))
    return answer
