"""The privilege status machine: who may make each change (both ways), the site rules for
full privileges (met and unmet), audit and notifications."""

from __future__ import annotations

import pytest

from accreditation.privileges import services
from accreditation.privileges.models import PrivilegeStatus
from rastrack.audit.models import AuditEntry
from rastrack.core.exceptions import ApplicationError, Conflict, NotPermitted
from rastrack.notifications.models import Notification
from tests.builders.privileges import make_site_lead, report, request_privilege, scene_fixture  # noqa: F401

pytestmark = pytest.mark.django_db
S = PrivilegeStatus


def test_request_tells_the_site_lead_and_is_audited(scene):
    p = request_privilege(scene.surgeon, scene.site, scene.group)
    assert p.status == S.REQUESTED
    assert Notification.objects.filter(recipient=scene.lead, kind="privilege.requested").count() == 1
    assert AuditEntry.objects.filter(action="privilege.request", object_id=str(p.pk)).exists()


def test_a_second_open_request_is_a_conflict(scene):
    request_privilege(scene.surgeon, scene.site, scene.group)
    with pytest.raises(Conflict):
        request_privilege(scene.surgeon, scene.site, scene.group)


def test_someone_else_cannot_request_for_a_surgeon(scene, other_trainee):
    with pytest.raises(NotPermitted):
        services.privilege_request(actor=other_trainee, surgeon=scene.surgeon, site=scene.site,
                                   platform="davinci_xi", procedure_group=scene.group)


@pytest.mark.parametrize("who", ["surgeon", "proctor", "regional_lead", "other_site_lead"])
def test_only_the_site_lead_or_an_admin_decides(scene, who, lead, admin, london):
    from tests.builders.people import SiteFactory

    p = request_privilege(scene.surgeon, scene.site, scene.group)
    actor = {"surgeon": scene.surgeon, "proctor": scene.proctor, "regional_lead": lead,
             "other_site_lead": make_site_lead(SiteFactory(region=london), admin, full_name="Other Lead")}[who]
    with pytest.raises(NotPermitted):
        services.privilege_grant_provisional(privilege=p, actor=actor, proctor=scene.proctor)
    p.refresh_from_db()
    assert p.status == S.REQUESTED


def test_site_lead_and_admin_may_decide(scene, admin):
    p = request_privilege(scene.surgeon, scene.site, scene.group)
    services.privilege_grant_provisional(privilege=p, actor=scene.lead, proctor=scene.proctor)
    services.privilege_suspend(privilege=p, actor=admin, reason="Incident review.")
    p.refresh_from_db()
    assert (p.status, p.suspended_from) == (S.SUSPENDED, S.PROVISIONAL)
    services.privilege_reinstate(privilege=p, actor=scene.lead)
    p.refresh_from_db()
    assert p.status == S.PROVISIONAL and p.ended_on is None
    services.privilege_revoke(privilege=p, actor=scene.lead, reason="Left the trust.")
    p.refresh_from_db()
    assert p.status == S.REVOKED
    actions = list(AuditEntry.objects.filter(object_id=str(p.pk), action__startswith="privilege.")
                   .values_list("action", flat=True))
    assert actions == ["privilege.request", "privilege.granted_provisionally", "privilege.suspended",
                       "privilege.reinstated", "privilege.revoked"]
    assert Notification.objects.filter(recipient=scene.surgeon, kind__startswith="privilege.").count() == 4


def test_a_revoked_privilege_cannot_come_back(scene):
    p = request_privilege(scene.surgeon, scene.site, scene.group)
    services.privilege_revoke(privilege=p, actor=scene.lead, reason="Declined.")
    for call in (services.privilege_reinstate, services.privilege_grant_full):
        with pytest.raises(Conflict):
            call(privilege=p, actor=scene.lead)


def test_suspend_and_revoke_need_a_reason(scene):
    p = scene.provisional()
    with pytest.raises(ApplicationError) as exc:
        services.privilege_suspend(privilege=p, actor=scene.lead, reason="  ")
    assert "reason" in exc.value.errors


def test_proctor_must_be_accredited_on_the_platform(scene, other_trainee):
    from accreditation.faculty.models import Accreditation

    Accreditation.objects.filter(trainer=scene.proctor).unaudited_update("test: a da Vinci Xi proctor",
                                                                        platforms=["davinci_xi"])
    p = request_privilege(scene.surgeon, scene.site, scene.group, platform="hugo")
    with pytest.raises(ApplicationError) as exc:
        services.privilege_grant_provisional(privilege=p, actor=scene.lead, proctor=scene.proctor)
    assert "proctor" in exc.value.errors
    with pytest.raises(ApplicationError):
        services.privilege_grant_provisional(privilege=p, actor=scene.lead, proctor=other_trainee)


def test_full_refused_naming_every_unmet_rule(scene):
    p = scene.provisional()
    with pytest.raises(Conflict) as exc:
        services.privilege_grant_full(privilege=p, actor=scene.lead)
    message = str(exc.value)
    assert "Proctored cases: 0 of the 3" in message
    assert "in the last 12 months: 0 of 10" in message
    assert "No validated console case in the last 120 days" in message
    p.refresh_from_db()
    assert p.status == S.PROVISIONAL


def test_full_refused_when_the_latest_report_is_not_ready(scene):
    p = scene.ready_for_full()
    from tests.builders.logbook import make_case

    report(p, make_case(scene.surgeon, scene.proctor, days=2), recommendation="continue_proctoring")
    with pytest.raises(Conflict, match="latest proctor report"):
        services.privilege_grant_full(privilege=p, actor=scene.lead)


def test_full_granted_when_rules_met_with_the_evidence_kept(scene):
    p = scene.ready_for_full()
    services.privilege_grant_full(privilege=p, actor=scene.lead, reason="Evidence reviewed.")
    p.refresh_from_db()
    assert p.status == S.FULL and p.full_on is not None and p.proctor is None
    assert p.evidence["proctor_reports"] == 3 and p.evidence["cases_last_12_months"] == 10
    assert p.review_due_on > p.full_on


def test_site_rules_are_data(scene, admin):
    p = scene.ready_for_full()
    services.privilege_rules_set(actor=scene.lead, site=scene.site, values={"proctored_cases_required": 4})
    with pytest.raises(Conflict, match="3 of the 4"):
        services.privilege_grant_full(privilege=p, actor=scene.lead)


def test_only_the_site_lead_or_admin_sets_site_rules(scene, lead):
    with pytest.raises(NotPermitted):
        services.privilege_rules_set(actor=lead, site=scene.site, values={"max_gap_days": 90})
    with pytest.raises(NotPermitted):
        services.privilege_rules_set(actor=scene.lead, site=None, values={"max_gap_days": 90})


def test_privileges_are_practitioner_qualifications(scene):
    from accreditation.certificates.fhir import practitioner

    p = scene.provisional()
    entries = [q for q in practitioner(scene.surgeon).get("qualification", [])
               if q["code"]["coding"][0]["code"] == "ras-privilege"]
    assert [e["identifier"][0]["value"] for e in entries] == [str(p.pk)]
    assert entries[0]["extension"][0]["valueCode"] == "provisional"
