"""A trainer application shows, beside what the applicant typed, the figures RASTrack holds:
their own validated console cases by platform and their teaching in the last 12 months, including
the lab sessions they taught (a figure labs registers with the faculty)."""

from __future__ import annotations

import pytest
from django.test import Client

from accreditation.faculty import services as faculty
from accreditation.faculty.figures import applicant_figures
from labs import services as labs
from tests.builders.dates import days_ago
from tests.builders.labs import lab_fixture, london_site_fixture, make_session, when  # noqa: F401 - fixtures
from tests.builders.logbook import make_case
from tests.support.mfa import login_verified

pytestmark = pytest.mark.django_db


def test_figures_beside_what_was_typed(trainee, assigned_trainer, lead):
    for platform in ("davinci_xi", "davinci_xi", "hugo"):
        make_case(trainee, assigned_trainer, platform=platform)
    make_case(trainee, assigned_trainer, status="submitted")  # not validated: not counted
    figures = applicant_figures(trainee, since=days_ago(365))
    assert figures["cases_by_platform"] == {"davinci_xi": 2, "hugo": 1}
    assert applicant_figures(assigned_trainer, since=days_ago(365))["teaching"]["Cases validated"] == 3
    application = faculty.trainer_application_create(
        applicant=trainee, kind="initial", specialty="urology", platforms=["davinci_xi"],
        independent_console_cases=250, statement="I run the list.", train_the_trainer_completed_on=days_ago(30))
    client = Client()
    login_verified(client, lead)
    page = client.get(f"/faculty/applications/{application.pk}/").content.decode()
    assert "250 (as typed)" in page
    assert "2 validated console cases on da Vinci Xi" in page and "1 validated console case on Medtronic Hugo RAS" in page


def test_the_decision_page_shows_the_lab_sessions_the_applicant_taught(
        assigned_trainer, unassigned_trainer, lab, lab_manager, lead):
    taught = [make_session(lab, lab_manager, starts_at=when(weeks=-w), faculty=[assigned_trainer]) for w in (2, 5, 9)]
    make_session(lab, lab_manager, starts_at=when(weeks=-60), faculty=[assigned_trainer])  # before the period
    make_session(lab, lab_manager, starts_at=when(weeks=2), faculty=[assigned_trainer])  # not taught yet
    cancelled = make_session(lab, lab_manager, starts_at=when(weeks=3), faculty=[assigned_trainer])
    labs.session_cancel(actor=lab_manager, session=cancelled, reason="Room closed")
    make_session(lab, lab_manager, starts_at=when(weeks=-3), faculty=[unassigned_trainer])  # someone else's
    assert len(taught) == 3
    assert applicant_figures(assigned_trainer, since=days_ago(365))["teaching"]["Lab sessions taught"] == 3
    assert applicant_figures(unassigned_trainer, since=days_ago(365))["teaching"]["Lab sessions taught"] == 1
    application = faculty.trainer_application_create(
        applicant=assigned_trainer, kind="renewal", specialty="urology", platforms=["davinci_xi"],
        independent_console_cases=40, statement="I teach on the lab.", train_the_trainer_completed_on=days_ago(30))
    client = Client()
    login_verified(client, lead)
    page = client.get(f"/faculty/applications/{application.pk}/").content.decode()
    assert "Lab sessions taught: 3" in page
    assert "Cases validated: 0" in page  # the sign-off figures are still shown beside it


def test_the_api_detail_gives_the_figures_only_to_those_who_may_decide(
        api, trainee, assigned_trainer, lab, lab_manager, lead, admin, other_lead):
    make_case(trainee, assigned_trainer, platform="hugo")  # validated by the applicant
    make_session(lab, lab_manager, starts_at=when(weeks=-2), faculty=[assigned_trainer])
    application = faculty.trainer_application_create(
        applicant=assigned_trainer, kind="renewal", specialty="urology", platforms=["davinci_xi"],
        independent_console_cases=40, statement="I teach on the lab.", train_the_trainer_completed_on=days_ago(30))
    url = f"/api/v1/trainer-applications/{application.pk}/"
    for decider in (lead, admin):
        body = api.as_user(decider).get(url).json()
        figures = body["applicant_figures"]
        assert figures["since"] == days_ago(365).isoformat() and figures["cases_by_platform"] == []
        teaching = {t["label"]: t["count"] for t in figures["teaching"]}
        assert teaching["Cases validated"] == 1 and teaching["Lab sessions taught"] == 1
    own = api.as_user(assigned_trainer).get(url)
    assert own.status_code == 200 and own.json()["applicant_figures"] is None  # the applicant may not decide
    assert api.as_user(other_lead).get(url).status_code == 404
    listed = api.as_user(lead).get("/api/v1/trainer-applications/").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert rows and all("applicant_figures" not in row for row in rows)
