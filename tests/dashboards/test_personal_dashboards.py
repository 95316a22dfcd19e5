"""The trainer and trainee dashboards (web pages)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from accreditation.signoff.models import SignoffRequest
from dashboards import selectors as dashboards
from labs import services
from tests.builders.curriculum import make_framework
from tests.builders.labs import make_session, when
from tests.builders.logbook import make_case
from tests.builders.signoff import enrol, request_signoff, small_pathway
from tests.support.mfa import login_verified

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(admin, trainee, other_trainee, assigned_trainer, lab, lab_manager):
    framework = make_framework(admin)
    pathway = small_pathway(admin, framework)
    enrol(trainee, pathway)
    make_case(trainee, status="submitted", days=2)
    make_case(trainee, status="submitted", days=1)
    first = request_signoff(trainee, assigned_trainer, competency=framework.competencies.get(key="comp-1-1").pk)
    SignoffRequest.objects.filter(pk=first.pk).unaudited_update("test setup", due_on=timezone.localdate() - datetime.timedelta(days=1))
    request_signoff(trainee, assigned_trainer, competency=framework.competencies.get(key="comp-1-2").pk)
    session = make_session(lab, lab_manager, starts_at=when(weeks=1), seats=2)
    services.booking_create(trainee=trainee, session=session)
    return {"pathway": pathway}


def test_trainer_dashboard_figures(setup, assigned_trainer, trainee, other_trainee):
    data = dashboards.trainer_dashboard(assigned_trainer)
    assert [entry["trainee"] for entry in data["trainees"]] == [trainee]  # not other_trainee
    progress = data["trainees"][0]["progress"]
    assert [(p.met_count, p.total) for p in progress] == [(0, 3)]
    assert data["cases_count"] == 2
    assert data["cases"][0].date < data["cases"][1].date  # oldest first
    assert (data["signoffs_count"], data["signoffs_overdue"]) == (2, 1)


def test_trainee_dashboard_figures(setup, trainee, lab):
    data = dashboards.trainee_dashboard(trainee)
    assert [p.enrolment.pathway for p in data["progress"]] == [setup["pathway"]]
    assert len(data["next"]) == 3
    assert [b.session.lab for b in data["bookings"]] == [lab]


def test_trainer_page(client, setup, assigned_trainer, trainee):
    login_verified(client, assigned_trainer)
    response = client.get("/dashboards/trainer/")
    assert response.status_code == 200
    html = response.content.decode()
    assert trainee.full_name in html and "1 overdue" in html and "0 of 3" in html


def test_trainee_page(client, setup, trainee, lab):
    login_verified(client, trainee)
    response = client.get("/dashboards/mine/")
    assert response.status_code == 200
    html = response.content.decode()
    assert setup["pathway"].title in html and lab.name in html and "0 of 3 requirements met" in html


def test_personal_pages_refuse_other_roles(client, trainee, assigned_trainer):
    login_verified(client, trainee)
    assert client.get("/dashboards/trainer/").status_code == 403
    client.logout()
    login_verified(client, assigned_trainer)
    assert client.get("/dashboards/mine/").status_code == 403


def test_trainee_dashboard_shows_the_main_learning_curve(client, setup, trainee, assigned_trainer):
    # Only validated whole console cases draw the curve (the setup's two are only submitted).
    assert dashboards.trainee_dashboard(trainee)["curve"] is None
    for days in (4, 3):
        make_case(trainee, assigned_trainer, role="console_whole", days=days)
    data = dashboards.trainee_dashboard(trainee)
    curve = data["curve"]
    assert curve["procedure"].code == "rarp"
    assert [point["n"] for point in curve["chart"]["points"]] == [1, 2]
    login_verified(client, trainee)
    html = client.get("/dashboards/mine/").content.decode()
    assert 'id="curve-chart"' in html and 'id="curve-data"' in html and "js/logbook-curve.js" in html


def test_trainee_dashboard_without_console_cases(client, admin, other_trainee):
    assert dashboards.trainee_dashboard(other_trainee)["curve"] is None
    login_verified(client, other_trainee)
    html = client.get("/dashboards/mine/").content.decode()
    assert "appears with your first validated whole console case" in html and "curve-chart" not in html
