"""The trainer and trainee dashboards (web pages)."""

from __future__ import annotations

import contextlib
import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accreditation.signoff.models import SignoffRequest
from curriculum.models import ProgressSnapshot
from curriculum.progress_summary import due_enrolments, mark_stale, refresh_enrolment
from dashboards import selectors as dashboards
from labs import services
from rastrack.accounts.roles import Role
from tests.builders.curriculum import make_framework
from tests.builders.faculty import assign
from tests.builders.labs import make_session, when
from tests.builders.logbook import make_case
from tests.builders.people import UserFactory
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
    return {"pathway": pathway, "framework": framework}


@contextlib.contextmanager
def no_live_progress():
    """Inside it the progress engine refuses to run: the trainer's page must never compute
    progress in the request."""
    def refuse(enrolment):
        raise AssertionError("progress computed live in the request")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("curriculum.progress.progress_for", refuse)
        patch.setattr("dashboards.selectors.progress_for", refuse)
        yield


def test_trainer_dashboard_figures(setup, assigned_trainer, trainee, other_trainee):
    with no_live_progress():
        data = dashboards.trainer_dashboard(assigned_trainer)
    assert [entry["trainee"] for entry in data["trainees"]] == [trainee]  # not other_trainee
    [stored] = data["trainees"][0]["progress"]
    assert stored.enrolment.pathway == setup["pathway"] and not stored.computed
    assert data["cases_count"] == 2
    assert data["cases"][0].date < data["cases"][1].date  # oldest first
    assert (data["signoffs_count"], data["signoffs_overdue"]) == (2, 1)


def test_trainee_dashboard_figures(setup, trainee, lab):
    data = dashboards.trainee_dashboard(trainee)
    assert [p.enrolment.pathway for p in data["progress"]] == [setup["pathway"]]
    assert len(data["next"]) == 3
    assert [b.session.lab for b in data["bookings"]] == [lab]


def test_trainer_page(client, setup, assigned_trainer, trainee):
    enrolment = trainee.enrolments.get()
    refresh_enrolment(enrolment)
    login_verified(client, assigned_trainer)
    with no_live_progress():
        response = client.get("/dashboards/trainer/")
    assert response.status_code == 200
    html = response.content.decode()
    assert trainee.full_name in html and "1 overdue" in html
    assert "0 of 3 requirements met" in html and ">0-25 %</strong>" in html
    assert f'href="/curriculum/enrolments/{enrolment.pk}/"' in html and "Recalculating" not in html


def _row(html: str, enrolment) -> str:
    start = html.index(f'data-enrolment="{enrolment.pk}"')
    return html[start:html.index("</tr>", start)]


def test_trainer_page_shows_stored_progress_with_its_age(client, setup, admin, assigned_trainer, trainee):
    """Fresh, stale and missing summaries: what is stored, when it was computed, and nothing
    recomputed by the page (a stale one stays due for the beat task)."""
    enrolment = trainee.enrolments.get()
    computed_at = datetime.datetime(2026, 11, 3, 9, 15, tzinfo=datetime.UTC)
    refresh_enrolment(enrolment, now=computed_at)
    ProgressSnapshot.objects.filter(pk=enrolment.pk).update(met_count=2, share=2 / 3, band="band_50_75")
    mark_stale([trainee.pk])
    fresh_person = UserFactory(full_name="Fay Fresh", roles=[Role.TRAINEE], region=trainee.region)
    assign(assigned_trainer, fresh_person)
    fresh = enrol(fresh_person, small_pathway(admin, setup["framework"], code="console-two"))
    refresh_enrolment(fresh)
    missing_person = UserFactory(full_name="Mo Missing", roles=[Role.TRAINEE], region=trainee.region)
    assign(assigned_trainer, missing_person)
    missing = enrol(missing_person, setup["pathway"])
    idle = UserFactory(full_name="Ivo Idle", roles=[Role.TRAINEE], region=trainee.region)
    assign(assigned_trainer, idle)

    login_verified(client, assigned_trainer)
    with no_live_progress():
        html = client.get("/dashboards/trainer/").content.decode()

    stale_row = _row(html, enrolment)
    assert "2 of 3 requirements met" in stale_row and ">50-75 %</strong>" in stale_row
    assert "3 Nov 2026, 09:15" in stale_row and "Recalculating" in stale_row
    fresh_row = _row(html, fresh)
    assert "0 of 3 requirements met" in fresh_row and "Recalculating" not in fresh_row
    assert f'href="/curriculum/enrolments/{fresh.pk}/"' in fresh_row
    missing_row = _row(html, missing)
    assert "Not yet computed" in missing_row and "requirements met" not in missing_row
    assert "Ivo Idle" in html and "Not enrolled on a pathway." in html
    # Shown as stored, left to the beat task: still stale and still due, the missing one too.
    assert ProgressSnapshot.objects.get(pk=enrolment.pk).met_count == 2
    assert not ProgressSnapshot.objects.filter(pk=missing.pk).exists()
    assert {enrolment.pk, missing.pk} <= set(due_enrolments().values_list("pk", flat=True))


def test_trainer_page_links_to_a_progress_page_the_trainer_may_open(client, setup, assigned_trainer, trainee):
    enrolment = trainee.enrolments.get()
    login_verified(client, assigned_trainer)
    assert f'href="/curriculum/enrolments/{enrolment.pk}/"' in client.get("/dashboards/trainer/").content.decode()
    page = client.get(f"/curriculum/enrolments/{enrolment.pk}/")
    assert page.status_code == 200 and setup["pathway"].title in page.content.decode()


def _supervise(trainer, pathway, count: int, *, start: int) -> None:
    """`count` more supervised trainees, each enrolled with a stored summary and two cases
    waiting for the trainer."""
    for n in range(start, start + count):
        person = UserFactory(full_name=f"Trainee {n:02d}", roles=[Role.TRAINEE], region=trainer.region)
        assign(trainer, person)
        refresh_enrolment(enrol(person, pathway))
        make_case(person, status="submitted", days=1)


def _page_queries(client) -> tuple[int, str]:
    with no_live_progress(), CaptureQueriesContext(connection) as queries:
        response = client.get("/dashboards/trainer/")
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_trainer_page_queries_do_not_grow_with_the_trainees(client, setup, assigned_trainer):
    """The summaries of every trainee are read together: 2 trainees or 12, the same queries."""
    login_verified(client, assigned_trainer)
    _page_queries(client)  # fills the per-process caches (content types) before counting
    _supervise(assigned_trainer, setup["pathway"], 1, start=1)  # with the setup's trainee: 2
    two, html = _page_queries(client)
    assert html.count("data-enrolment=") == 2
    _supervise(assigned_trainer, setup["pathway"], 10, start=2)
    twelve, html = _page_queries(client)
    assert html.count("data-enrolment=") == 12 and html.count("0 of 3 requirements met") == 11
    assert twelve == two, (two, twelve)


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
