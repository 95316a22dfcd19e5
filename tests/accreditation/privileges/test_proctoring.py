"""Proctor reports: only the assigned proctor, on the surgeon's own matching cases; "not safe"
suspends at once and tells the site lead; enough "ready" reports allow full privileges."""

from __future__ import annotations

import pytest

from accreditation.privileges import services
from accreditation.privileges.models import PrivilegeStatus
from rastrack.core.exceptions import ApplicationError, Conflict, NotPermitted
from rastrack.notifications.models import Notification
from tests.builders.logbook import make_case
from tests.builders.privileges import CHECKS, report, scene_fixture  # noqa: F401
from tests.builders.signoff import gears
from tests.support.api_clients import token_client

pytestmark = pytest.mark.django_db


def test_not_safe_suspends_at_once_and_tells_the_site_lead(scene):
    p = scene.provisional()
    case = make_case(scene.surgeon, scene.proctor, days=3)
    report(p, case, recommendation="not_safe")
    p.refresh_from_db()
    assert p.status == PrivilegeStatus.SUSPENDED and p.suspended_from == PrivilegeStatus.PROVISIONAL
    assert Notification.objects.filter(recipient=scene.lead, kind="privilege.suspended").count() == 1
    assert Notification.objects.filter(recipient=scene.surgeon, kind="privilege.suspended").count() == 1


def test_only_the_assigned_proctor_reports(scene, unassigned_trainer):
    p = scene.provisional()
    case = make_case(scene.surgeon, scene.proctor, days=3)
    from accreditation.privileges import proctoring

    with pytest.raises(NotPermitted):
        proctoring.proctor_report_create(privilege=p, actor=unassigned_trainer, case=case, checklist=CHECKS,
                                         scores=gears(18), recommendation="continue_proctoring")


def test_a_case_that_is_not_the_surgeons_is_refused(scene, other_trainee, assigned_trainer):
    p = scene.provisional()
    with pytest.raises(ApplicationError) as exc:
        report(p, make_case(other_trainee, status="draft", days=3))
    assert "case" in exc.value.errors


def test_one_report_per_case(scene):
    p = scene.provisional()
    case = make_case(scene.surgeon, scene.proctor, days=3)
    report(p, case, recommendation="continue_proctoring")
    with pytest.raises(Conflict):
        report(p, case)


def test_bad_checklist_and_scores_are_400_per_field(scene):
    p = scene.provisional()
    client = token_client(scene.proctor)
    case = make_case(scene.surgeon, scene.proctor, days=3)
    response = client.post("/api/v1/proctor-reports/", {
        "privilege": p.pk, "case": case.pk, "checklist": {"patient_selection": "yes"}, "scores": {"depth": 9},
        "recommendation": "continue_proctoring"}, format="json")
    assert response.status_code == 400
    assert {"checklist", "scores"} <= set(response.json())
    assert not p.proctor_reports.exists()


def test_ready_reports_lead_to_full_privileges(scene):
    p = scene.ready_for_full()
    services.privilege_grant_full(privilege=p, actor=scene.lead)
    p.refresh_from_db()
    assert p.status == PrivilegeStatus.FULL
