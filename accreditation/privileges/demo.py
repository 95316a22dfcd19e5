"""Privileges' part of `seed_demo` (after the logbook and sign-off): Guy's Hospital has a site
robotic lead, Rachel Moore (granted by the London lead); two procedure groups (prostate, kidney);

- Tom Whitfield, a consultant converting to robotic surgery (London), requested prostate
  privileges on the da Vinci Xi at Guy's 60 days ago, was granted provisional privileges 55
  days ago with trainer1 as his proctor, and has three proctored cases with proctor reports
  (continue, continue, ready for independent practice): not yet enough cases for full ones;
- Sam Patel (trainee1) holds full prostate privileges there, on his validated cases and three
  proctor reports.

Idempotent (looked up before made); dates relative to today; prints nothing.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from accreditation.faculty.services import assignment_create
from accreditation.logbook import services as logbook
from accreditation.logbook.models import Case, CaseStatus
from accreditation.privileges import proctoring, services
from accreditation.privileges.models import CHECKLIST, Privilege, PrivilegeStatus, ProcedureGroup
from rastrack.accounts.models import Profession, SiteLeadership, User
from rastrack.accounts.roles import Role
from rastrack.accounts.services import user_create
from rastrack.accounts.site_leads import site_lead_grant
from rastrack.reference.models import Procedure, Region, Site

PASSWORD = "rastrack-demo"
SITE_LEAD = "sitelead.guys@demo.rastrack.org"
CONSULTANT = "consultant@demo.rastrack.org"
GROUPS = [("prostate", "Prostate (radical prostatectomy)", ["rarp"]),
          ("kidney", "Kidney (partial and radical nephrectomy)", ["rapn", "radical-nephrectomy"])]
CHECKS = {code: True for code, _ in CHECKLIST}


def _user(email):
    return User.objects.get(email=email)


def _person(email, name, roles, number):
    user = User.objects.filter(email=email).first()
    return user or user_create(email=email, full_name=name, password=PASSWORD, roles=roles,
                               region=Region.objects.get(code="london"), profession=Profession.SURGEON,
                               registration_body="gmc", registration_number=number)


def _scores() -> dict:
    from accreditation.signoff.models import AssessmentTool

    codes = list(AssessmentTool.objects.get(code="gears").domains.values_list("code", flat=True))
    return {code: 4 for code in codes}


@transaction.atomic
def seed() -> None:
    today = timezone.localdate()
    admin, lead = _user("admin@demo.rastrack.org"), _user("lead.london@demo.rastrack.org")
    trainer1 = _user("trainer1@demo.rastrack.org")
    guys = Site.objects.get(name="Guy's Hospital")
    for code, name, procedures in GROUPS:
        if not ProcedureGroup.objects.filter(code=code).exists():
            services.procedure_group_save(actor=admin, group=None, code=code, name=name,
                                          procedures=list(Procedure.objects.filter(code__in=procedures)))
    prostate = ProcedureGroup.objects.get(code="prostate")
    site_lead = _person(SITE_LEAD, "Rachel Moore", [Role.SITE_LEAD], "4345678")
    if not SiteLeadership.objects.filter(user=site_lead, site=guys).exists():
        site_lead_grant(actor=lead, user=site_lead, site=guys)
    site_lead.__dict__.pop("role_names", None)

    consultant = _person(CONSULTANT, "Tom Whitfield", [Role.TRAINEE], "4456789")
    if not Privilege.objects.filter(surgeon=consultant).exists():
        assignment_create(actor=lead, trainer=trainer1, trainee=consultant, kind="proctor",
                          starts_on=today - datetime.timedelta(days=58))
        p = services.privilege_request(surgeon=consultant, site=guys, platform="davinci_xi", procedure_group=prostate,
                                       today=today - datetime.timedelta(days=60))
        p = services.privilege_grant_provisional(privilege=p, actor=site_lead, proctor=trainer1,
                                                 reason="Completed the conversion pathway's simulator modules.",
                                                 today=today - datetime.timedelta(days=55))
        rarp = Procedure.objects.get(code="rarp")
        for days, recommendation in ((40, "continue_proctoring"), (25, "continue_proctoring"),
                                     (9, "ready_for_independent")):
            case = logbook.case_create(trainee=consultant, actor=consultant, data={
                "date": today - datetime.timedelta(days=days), "site": guys, "platform": "davinci_xi",
                "procedure": rarp, "role": "console_whole", "supervision": "S-TS", "console_minutes": 150,
                "total_minutes": 210, "supervisor": trainer1})
            logbook.case_submit(case=case, actor=consultant)
            logbook.case_validate(case=case, actor=trainer1)
            proctoring.proctor_report_create(privilege=p, actor=trainer1, case=case, checklist=CHECKS,
                                             scores=_scores(), recommendation=recommendation,
                                             comments="Safe docking; good use of the fourth arm.")

    trainee1 = _user("trainee1@demo.rastrack.org")
    if not Privilege.objects.filter(surgeon=trainee1).exists():
        cases = list(Case.objects.filter(trainee=trainee1, status=CaseStatus.VALIDATED, platform="davinci_xi",
                                         procedure__code="rarp", role__in=("console_whole", "console_part"))
                     .order_by("-date", "-id")[:3])
        start = min(c.date for c in cases) - datetime.timedelta(days=5)
        p = services.privilege_request(surgeon=trainee1, site=guys, platform="davinci_xi", procedure_group=prostate,
                                       today=start - datetime.timedelta(days=3))
        p = services.privilege_grant_provisional(privilege=p, actor=site_lead, proctor=trainer1, today=start)
        for case in reversed(cases):
            proctoring.proctor_report_create(privilege=p, actor=trainer1, case=case, checklist=CHECKS,
                                             scores=_scores(), recommendation="ready_for_independent")
        services.privilege_grant_full(privilege=p, actor=site_lead, reason="Proctoring complete; evidence reviewed.")
    assert Privilege.objects.filter(surgeon=trainee1, status=PrivilegeStatus.FULL).exists()
