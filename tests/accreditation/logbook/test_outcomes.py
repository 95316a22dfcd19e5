"""Follow-up outcomes: 30- and 90-day addenda to a validated case; the case stays frozen."""

import pytest

from accreditation.logbook.models import Case
from rastrack.audit.models import AuditEntry
from tests.builders.logbook import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(trainee, assigned_trainer):
    return make_case(trainee, assigned_trainer)


def _url(case):
    return f"/api/v1/cases/{case.pk}/outcomes/"


def test_an_outcome_is_an_audited_addendum_and_the_case_stays_frozen(api, trainee, assigned_trainer, case):
    before = Case.objects.filter(pk=case.pk).values().get()
    response = api.as_user(trainee).post(_url(case), {
        "followup_days": 30, "complication_grade": "II", "readmitted": True, "length_of_stay_days": 4,
        "conversion_confirmed": True}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["complication_grade"] == "II" and response.json()["recorded_by"] == trainee.pk
    assert Case.objects.filter(pk=case.pk).values().get() == before  # the operative record is untouched
    assert AuditEntry.objects.filter(action="case.outcome_add").count() == 1
    # The validator adds the 90-day one; a second 30-day one is a conflict.
    response = api.as_user(assigned_trainer).post(_url(case), {"followup_days": 90}, format="json")
    assert response.status_code == 201
    assert api.as_user(trainee).post(_url(case), {"followup_days": 30}, format="json").status_code == 409
    listed = api.as_user(trainee).get(_url(case)).json()
    assert [o["followup_days"] for o in listed] == [30, 90]
    # Still frozen for the case's own edits.
    assert api.as_user(trainee).patch(f"/api/v1/cases/{case.pk}/", {"notes": "x"}, format="json").status_code == 409


def test_outcomes_only_on_validated_cases_and_only_valid_values(api, trainee, assigned_trainer, case):
    draft = make_case(trainee, status="draft")
    assert api.as_user(trainee).post(_url(draft), {"followup_days": 30}, format="json").status_code == 409
    for body, field in (({"followup_days": 60}, "followup_days"),
                        ({"followup_days": 30, "complication_grade": "III"}, "complication_grade"),
                        ({"followup_days": 30, "length_of_stay_days": -1}, "length_of_stay_days")):
        response = api.as_user(trainee).post(_url(case), body, format="json")
        assert response.status_code == 400 and field in response.json()


def test_who_may_add_an_outcome(api, trainee, lead, admin, other_trainee, case):
    assert api.as_user(lead).post(_url(case), {"followup_days": 30}, format="json").status_code == 403
    assert api.as_user(admin).post(_url(case), {"followup_days": 30}, format="json").status_code == 403
    assert api.as_user(other_trainee).post(_url(case), {"followup_days": 30}, format="json").status_code == 404
    assert api.as_user(lead).get(_url(case)).status_code == 200


def test_outcomes_on_the_case_page_and_in_the_export(client, trainee, case):
    client.force_login(trainee)
    response = client.post(f"/logbook/cases/{case.pk}/outcomes/", {
        "outcome-followup_days": "30", "outcome-complication_grade": "IIIa", "outcome-length_of_stay_days": "6",
        "outcome-conversion_confirmed": "unknown"})
    assert response.status_code == 302
    page = client.get(f"/logbook/cases/{case.pk}/").content.decode()
    assert "data-outcomes" in page and "IIIa" in page
    export = client.get("/api/v1/cases/export/").content.decode()
    assert "Clavien-Dindo IIIa; not readmitted; stay 6 days" in export
