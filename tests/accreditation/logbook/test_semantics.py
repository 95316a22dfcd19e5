"""The role x supervision code x trainer position table (DOMAIN.md), every combination both
ways, through the service that every door calls, and the validator's corrections."""

import io
import itertools

import pytest
from django.core.management import call_command

from accreditation.logbook import services as logbook
from accreditation.logbook.models import Case, CaseRole, Supervision, TrainerPosition
from accreditation.logbook.semantics import cases_breaking_the_matrix, contradictions, derived_code
from rastrack.core.exceptions import ApplicationError
from rastrack.reference.models import Procedure
from tests.builders.dates import days_ago
from tests.builders.logbook import make_case
from tests.builders.people import SiteFactory

ALL = "operating_console dual_console same_console_swapped beside_console bedside_scrubbed in_room_unscrubbed remote"
# Written out from DOMAIN.md's table, independently of semantics.MATRIX: role -> code -> positions.
EXPECTED = {
    "observer": {"O": "operating_console bedside_scrubbed in_room_unscrubbed"},
    "bedside_assistant": {"A": "operating_console", "T": ALL},
    "console_part": {"A": "operating_console dual_console same_console_swapped",
                     "S-TS": "dual_console same_console_swapped beside_console bedside_scrubbed",
                     "S-TU": "dual_console same_console_swapped beside_console in_room_unscrubbed",
                     "T": ALL},
    "console_whole": {"S-TS": "dual_console same_console_swapped beside_console bedside_scrubbed",
                      "S-TU": "dual_console same_console_swapped beside_console in_room_unscrubbed",
                      "P": "remote absent", "T": ALL},
}
COMBINATIONS = list(itertools.product(CaseRole.values, Supervision.values, ["", *TrainerPosition.values]))


def _allowed(role, code, position):
    if code not in EXPECTED[role]:
        return False
    return position == "" or position in EXPECTED[role][code].split()


def test_the_table_covers_every_combination():
    assert len(COMBINATIONS) == 4 * 6 * 9
    assert sum(_allowed(*c) for c in COMBINATIONS) == 57


@pytest.mark.django_db
def test_every_combination_through_the_service(trainee):
    """Every door (API, page, CSV, eLogbook import) goes through `case_check`."""
    site, procedure = SiteFactory(), Procedure.objects.get(code="rarp")
    for role, code, position in COMBINATIONS:
        data = {"date": days_ago(2), "site": site, "platform": "davinci_xi", "procedure": procedure,
                "role": role, "supervision": code, "trainer_position": position,
                "console_minutes": 60 if role.startswith("console") else None, "total_minutes": 200}
        errors = _refusal(trainee, data)
        if _allowed(role, code, position):
            assert errors is None, (role, code, position, errors)
            continue
        field = "supervision" if code not in EXPECTED[role] else "trainer_position"
        assert errors is not None and list(errors) == [field], (role, code, position, errors)
        message = errors[field][0]
        assert f"“{code}”" in message and f"“{role}”" in message  # names both values
        assert "give" in message or "use" in message  # and what would be consistent


def _refusal(trainee, data):
    try:
        logbook.case_check(trainee=trainee, data=data, steps=[])
    except ApplicationError as exc:
        return exc.errors
    return None


def test_a_proctored_performed_case_takes_the_proctors_position():
    assert contradictions(role="console_whole", code="P", position="bedside_scrubbed")
    assert not contradictions(role="console_whole", code="P", position="bedside_scrubbed", proctored=True)
    assert contradictions(role="console_whole", code="P", position="absent", proctored=False) == {}
    assert "trainer_position" in contradictions(role="console_whole", code="P", position="absent", proctored=True)


@pytest.mark.django_db
def test_the_api_refuses_a_contradiction_per_field(api, trainee, assigned_trainer):
    site, procedure = SiteFactory(), Procedure.objects.get(code="rarp")
    body = {"date": days_ago(2).isoformat(), "site": site.pk, "platform": "davinci_xi", "procedure": procedure.pk,
            "role": "observer", "supervision": "P", "total_minutes": 200}
    response = api.as_user(trainee).post("/api/v1/cases/", body, format="json")
    assert response.status_code == 400 and list(response.json()) == ["supervision"]
    body.update(role="bedside_assistant", supervision="A", trainer_position="bedside_scrubbed")
    response = api.as_user(trainee).post("/api/v1/cases/", body, format="json")
    assert response.status_code == 400 and "operating_console" in response.json()["trainer_position"][0]
    body.update(trainer_position="operating_console", asa_grade=2, urgency="elective")
    response = api.as_user(trainee).post("/api/v1/cases/", body, format="json")
    assert response.status_code == 201, response.json()
    assert (response.json()["trainer_position"], response.json()["asa_grade"]) == ("operating_console", 2)
    assert api.as_user(trainee).post("/api/v1/cases/", {**body, "asa_grade": 6}, format="json").status_code == 400
    assert api.as_user(trainee).post("/api/v1/cases/", {**body, "urgency": "soon"}, format="json").status_code == 400
    assert not Case.objects.filter(role="observer").exists()


@pytest.mark.django_db
def test_a_correction_that_breaks_the_table_is_refused(api, trainee, assigned_trainer):
    case = make_case(trainee, status="submitted")  # console_part, S-TS
    client = api.as_user(assigned_trainer)
    url = f"/api/v1/cases/{case.pk}/validate/"
    response = client.post(url, {"supervision": "P"}, format="json")
    assert response.status_code == 400 and list(response.json()) == ["supervision"]
    response = client.post(url, {"trainer_position": "remote"}, format="json")
    assert response.status_code == 400 and list(response.json()) == ["trainer_position"]
    case.refresh_from_db()
    assert case.status == "submitted"
    # Role, code and position corrected together, consistently.
    body = client.post(url, {"role": "console_whole", "supervision": "P", "trainer_position": "remote"},
                       format="json").json()
    assert (body["validated_role"], body["validated_supervision"], body["validated_trainer_position"]) == (
        "console_whole", "P", "remote")
    assert body["disagreement"] is True and body["status"] == "validated"


@pytest.mark.django_db
def test_steps_record_takeovers_and_their_own_minutes(api, trainee, assigned_trainer):
    procedure = Procedure.objects.prefetch_related("steps").get(code="rarp")
    neck = procedure.steps.get(name="Bladder neck dissection")
    apex = procedure.steps.get(name="Apical dissection")
    body = {"date": days_ago(2).isoformat(), "site": SiteFactory().pk, "platform": "davinci_xi",
            "procedure": procedure.pk, "role": "console_part", "supervision": "S-TS", "console_minutes": 50,
            "docking_minutes": 8, "total_minutes": 200,
            "steps": [{"step": neck.pk, "role": "console", "takeover": True, "console_minutes": 30},
                      {"step": apex.pk, "role": "console", "console_minutes": 25}]}
    response = api.as_user(trainee).post("/api/v1/cases/", body, format="json")
    assert response.status_code == 400 and "add up to more" in response.json()["steps"][0]
    body["steps"][1]["console_minutes"] = 20
    created = api.as_user(trainee).post("/api/v1/cases/", body, format="json").json()
    assert [(s["takeover"], s["console_minutes"]) for s in created["steps"]] == [(True, 30), (False, 20)]
    bedside = {**body, "steps": [{"step": neck.pk, "role": "bedside", "takeover": True}]}
    assert api.as_user(trainee).post("/api/v1/cases/", bedside, format="json").status_code == 400
    too_short = {**body, "steps": [], "total_minutes": 55}
    response = api.as_user(trainee).post("/api/v1/cases/", too_short, format="json")
    assert response.status_code == 400 and "total_minutes" in response.json()


def test_the_elogbook_code_by_the_70_percent_rules():
    assert derived_code(role="console_part", code="S-TS", position="dual_console") == "S-TS"
    assert derived_code(role="console_part", code="S-TS", position="", console_steps=2, taken_over=2) == "A"
    assert derived_code(role="console_part", code="S-TS", position="", console_steps=2, taken_over=1) == "S-TS"
    assert derived_code(role="console_whole", code="S-TU", position="remote") == "P"
    assert derived_code(role="console_whole", code="T", position="dual_console") == "T"
    assert derived_code(role="observer", code="O", position="") == "O"


@pytest.mark.django_db
def test_rows_logged_before_the_table_are_listed_not_changed(trainee, assigned_trainer):
    good = make_case(trainee, assigned_trainer)
    bad = make_case(trainee, status="draft")
    # A row from before the rule, as it was logged then (the migration changes no row).
    bad.role = "observer"
    bad.save(update_fields=["role"])
    listed = dict(cases_breaking_the_matrix(Case.objects.all()))
    assert set(listed) == {bad} and good not in listed
    out = io.StringIO()
    call_command("logbook_matrix_review", stdout=out)
    assert f"case {bad.pk}" in out.getvalue() and f"case {good.pk}" not in out.getvalue()
    bad.refresh_from_db()
    assert (bad.role, bad.supervision) == ("observer", "S-TS")
