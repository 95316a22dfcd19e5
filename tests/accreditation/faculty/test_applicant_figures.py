"""A trainer application shows, beside what the applicant typed, the figures RASTrack holds:
their own validated console cases by platform and their teaching in the last 12 months."""

from __future__ import annotations

import pytest
from django.test import Client

from accreditation.faculty import services as faculty
from accreditation.faculty.figures import applicant_figures
from tests.builders.dates import days_ago
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
