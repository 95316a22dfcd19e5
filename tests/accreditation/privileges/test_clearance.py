"""The clearance lookup: every status and date edge, who may ask, a constant number of queries."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from accreditation.privileges import services
from rastrack.reference.models import Procedure
from tests.builders.dates import days_ago
from tests.builders.logbook import make_case
from tests.builders.privileges import make_group, request_privilege, scene_fixture  # noqa: F401
from tests.support.api_clients import token_client

pytestmark = pytest.mark.django_db
URL = "/api/v1/clearance/"


def ask(client, scene, *, on=None, platform="davinci_xi", procedure="rarp", surgeon=None):
    query = {"surgeon": (surgeon or scene.surgeon).pk, "site": scene.site.pk, "platform": platform,
             "procedure": Procedure.objects.get(code=procedure).pk}
    if on:
        query["on"] = on.isoformat()
    return client.get(URL, query)


def test_no_privilege_is_not_cleared_with_the_reason(scene):
    data = ask(token_client(scene.lead), scene).json()
    assert data["cleared"] is False and data["privilege"] is None
    assert "holds no privilege" in data["reasons"][0]


def test_requested_is_not_cleared(scene):
    request_privilege(scene.surgeon, scene.site, scene.group)
    data = ask(token_client(scene.lead), scene).json()
    assert data["cleared"] is False and data["reasons"] == ["Requested, not yet granted."]


def test_provisional_granted_today_is_cleared_under_the_named_proctor(scene):
    p = request_privilege(scene.surgeon, scene.site, scene.group)
    services.privilege_grant_provisional(privilege=p, actor=scene.lead, proctor=scene.proctor)
    client = token_client(scene.lead)
    data = ask(client, scene).json()
    assert data == {"cleared": True, "privilege": p.pk, "supervision": "proctor", "proctor": scene.proctor.pk,
                    "proctor_name": scene.proctor.full_name, "status": "provisional", "reasons": []}
    yesterday = ask(client, scene, on=timezone.localdate() - datetime.timedelta(days=1)).json()
    assert yesterday["cleared"] is False and "Not yet in force" in yesterday["reasons"][0]


def test_provisional_without_a_proctor_is_not_cleared(scene):
    p = request_privilege(scene.surgeon, scene.site, scene.group)
    services.privilege_grant_provisional(privilege=p, actor=scene.lead)
    assert ask(token_client(scene.lead), scene).json()["cleared"] is False


def test_full_is_cleared_without_supervision_and_other_procedures_are_not(scene):
    p = scene.ready_for_full()
    services.privilege_grant_full(privilege=p, actor=scene.lead)
    client = token_client(scene.surgeon)
    data = ask(client, scene).json()
    assert (data["cleared"], data["supervision"], data["proctor"]) == (True, "none", None)
    assert ask(client, scene, procedure="rapn").json()["cleared"] is False
    assert ask(client, scene, platform="hugo").json()["cleared"] is False
    # Before full privileges, on a day it was provisional: proctored.
    assert ask(client, scene, on=days_ago(100)).json()["supervision"] == "proctor"


def test_suspended_is_not_cleared_from_that_day(scene):
    p = scene.provisional()
    services.privilege_suspend(privilege=p, actor=scene.lead, reason="Incident review.")
    client = token_client(scene.lead)
    data = ask(client, scene).json()
    assert data["cleared"] is False and data["status"] == "suspended" and "Incident review." in data["reasons"][0]
    assert ask(client, scene, on=days_ago(1)).json()["cleared"] is True


def test_lapsed_yesterday(scene):
    from accreditation.privileges.currency import currency_sweep

    p = scene.provisional(granted_days_ago=200)  # no case for more than 120 days
    assert currency_sweep(today=days_ago(1))["lapsed"] == 1
    p.refresh_from_db()
    assert (p.status, p.ended_on) == ("lapsed", days_ago(1))
    client = token_client(scene.lead)
    assert ask(client, scene).json()["cleared"] is False
    assert ask(client, scene, on=days_ago(1)).json()["cleared"] is False
    assert ask(client, scene, on=days_ago(2)).json()["cleared"] is True


def test_who_may_ask(scene, lead, other_lead, other_trainee, admin, unassigned_trainer):
    request_privilege(scene.surgeon, scene.site, scene.group)
    for person in (scene.lead, scene.surgeon, lead, admin):
        assert ask(token_client(person), scene).status_code == 200
    for person in (other_lead, other_trainee, unassigned_trainer):
        assert ask(token_client(person), scene).status_code == 404
    assert ask(token_client(other_trainee), scene, surgeon=other_trainee).status_code == 200


def test_bad_query_is_400(scene):
    response = token_client(scene.lead).get(URL, {"surgeon": "x", "platform": "robot"})
    assert response.status_code == 400
    assert {"surgeon", "site", "platform", "procedure"} <= set(response.json())


def test_constant_number_of_queries(scene, django_assert_num_queries):
    client = token_client(scene.lead)
    p = scene.provisional()
    ask(client, scene)  # warm: the token's first use

    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert ask(client, scene).status_code == 200
        return len(ctx.captured_queries)

    baseline = count()
    # Many more privileges, groups, cases and reports change nothing.
    for code in ("a", "b", "c", "d"):
        other = make_group(code=f"group-{code}", procedures=("rarp", "rapn"))
        request_privilege(scene.surgeon, scene.site, other)
    for d in range(3, 30, 3):
        make_case(scene.surgeon, scene.proctor, days=d)
    services.privilege_suspend(privilege=p, actor=scene.lead, reason="Review.")
    with django_assert_num_queries(baseline):
        assert ask(client, scene).status_code == 200
