"""The privilege pages: the site lead's dashboard, a privilege's decisions, the theatre lookup."""

from __future__ import annotations

import pytest
from django.test import Client

from accreditation.privileges.models import PrivilegeStatus
from rastrack.reference.models import Procedure
from tests.builders.privileges import request_privilege, scene_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_site_lead_dashboard_and_decision(scene):
    p = scene.provisional()
    client = client_of(scene.lead)
    page = client.get("/privileges/").content.decode()
    assert "Proctored cases outstanding" in page and "3 more proctored cases" in page
    assert "Currency warnings" in page
    response = client.post(f"/privileges/{p.pk}/suspend/", {"reason": ""})
    assert response.status_code == 400 and "Give a reason" in response.content.decode()
    response = client.post(f"/privileges/{p.pk}/suspend/", {"reason": "Incident review."})
    assert response.status_code == 302
    p.refresh_from_db()
    assert p.status == PrivilegeStatus.SUSPENDED


def test_grant_full_refused_on_the_page_names_the_rules(scene):
    p = scene.provisional()
    response = client_of(scene.lead).post(f"/privileges/{p.pk}/grant_full/", {"reason": ""})
    assert response.status_code == 400 and "Proctored cases: 0 of the 3" in response.content.decode()


def test_the_surgeon_sees_but_may_not_decide(scene, other_trainee):
    p = request_privilege(scene.surgeon, scene.site, scene.group)
    surgeon = client_of(scene.surgeon)
    assert surgeon.get(f"/privileges/{p.pk}/").status_code == 200
    assert surgeon.post(f"/privileges/{p.pk}/grant_provisional/", {"reason": ""}).status_code == 403
    assert client_of(other_trainee).get(f"/privileges/{p.pk}/").status_code == 404


def test_clearance_page(scene):
    scene.provisional()
    query = {"surgeon": scene.surgeon.email, "site": scene.site.pk, "platform": "davinci_xi",
             "procedure": Procedure.objects.get(code="rarp").pk}
    page = client_of(scene.lead).get("/privileges/clearance/", query).content.decode()
    assert 'data-cleared="yes"' in page and scene.proctor.full_name in page
    response = client_of(scene.lead).get("/privileges/clearance/", {**query, "surgeon": "nobody@example.org"})
    assert response.status_code == 400
