"""Privilege builders: a procedure group, a site robotic lead, privileges taken through the
services, proctor reports and the validated cases the site rules count."""

from __future__ import annotations

import pytest

from accreditation.privileges import proctoring
from accreditation.privileges import services as privileges
from accreditation.privileges.models import CHECKLIST, ProcedureGroup
from rastrack.accounts.roles import Role
from rastrack.accounts.site_leads import site_lead_grant
from rastrack.reference.models import Procedure
from tests.builders.dates import days_ago
from tests.builders.logbook import make_case
from tests.builders.people import SiteFactory, UserFactory
from tests.builders.signoff import gears

CHECKS = {code: True for code, _ in CHECKLIST}


def make_group(code="prostate", procedures=("rarp",)) -> ProcedureGroup:
    group, _ = ProcedureGroup.objects.get_or_create(code=code, defaults={"name": f"Group {code}"})
    group.procedures.set(Procedure.objects.filter(code__in=procedures))
    return group


def make_site_lead(site, granted_by, **kwargs):
    user = UserFactory(full_name=kwargs.pop("full_name", "Sid Sitelead"), **kwargs)
    site_lead_grant(actor=granted_by, user=user, site=site)
    user.__dict__.pop("role_names", None)
    return user


def request_privilege(surgeon, site, group, platform="davinci_xi", today=None):
    return privileges.privilege_request(surgeon=surgeon, site=site, platform=platform, procedure_group=group,
                                        today=today)


def report(privilege, case, *, recommendation="ready_for_independent", total=20):
    return proctoring.proctor_report_create(privilege=privilege, actor=privilege.proctor, case=case,
                                            checklist=CHECKS, scores=gears(total), recommendation=recommendation)


def validated_cases(surgeon, validator, days=(5, 20, 35, 50, 65, 80, 95, 110, 125, 140)):
    return [make_case(surgeon, validator, days=d) for d in days]


class PrivilegeScene:
    """A London site with its robotic lead, a procedure group, the trainee as the surgeon
    and the assigned trainer (accredited on da Vinci Xi) as the proctor."""

    def __init__(self, *, trainee, assigned_trainer, admin, london):
        self.site = SiteFactory(region=london, name="St Elsewhere Robotic Centre")
        self.lead = make_site_lead(self.site, admin)
        self.group = make_group()
        self.surgeon = trainee
        self.proctor = assigned_trainer

    def provisional(self, granted_days_ago=150):
        p = request_privilege(self.surgeon, self.site, self.group, today=days_ago(granted_days_ago + 1))
        return privileges.privilege_grant_provisional(privilege=p, actor=self.lead, proctor=self.proctor,
                                                      today=days_ago(granted_days_ago))

    def ready_for_full(self):
        """A provisional privilege with ten validated cases and three ready proctor reports."""
        p = self.provisional()
        cases = validated_cases(self.surgeon, self.proctor)
        for case in cases[:3]:
            report(p, case)
        return p


@pytest.fixture(name="scene")
def scene_fixture(trainee, assigned_trainer, admin, london):
    return PrivilegeScene(trainee=trainee, assigned_trainer=assigned_trainer, admin=admin, london=london)


__all__ = ["Role"]
